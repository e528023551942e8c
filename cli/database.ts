import fs from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config';
import { openDatabase } from '../runtime/database';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../runtime/embedded-postgres';
import { isPortInUse } from '../runtime/managed-process';

/** The running embedded server of `npm start`, or that server started for this command only. */
async function embeddedUrl(dataDir: string, port: number): Promise<{ url: string; started?: EmbeddedPostgres }> {
  const pgDir = path.join(dataDir, 'postgres');
  const pwFile = path.join(pgDir, 'postgres-password');
  if (fs.existsSync(pwFile) && (await isPortInUse(port))) {
    const pw = fs.readFileSync(pwFile, 'utf8').trim();
    return { url: `postgres://tidings:${encodeURIComponent(pw)}@127.0.0.1:${port}/tidings` };
  }
  const started = await startEmbeddedPostgres({ dataDir: pgDir, port });
  return { url: started.url, started };
}

/**
 * Runs a CLI command against DATABASE_URL, or else the embedded PostgreSQL that `npm start`
 * uses; migrations are applied first and everything is closed afterwards.
 */
export async function withCliDatabase<T>(config: AppConfig, fn: (db: DataSource, url: string) => Promise<T>): Promise<T> {
  const target = config.databaseUrl ? { url: config.databaseUrl, started: undefined } : await embeddedUrl(config.dataDir, config.embeddedPostgresPort);
  try {
    // openDatabase names the server and the fix when it is unreachable.
    const db = await openDatabase(target.url, { fromEnv: Boolean(config.databaseUrl), migrate: true, poolSize: 2, applicationName: 'tidings-cli' });
    try {
      return await fn(db, target.url);
    } finally {
      await db.destroy();
    }
  } finally {
    await target.started?.stop();
  }
}
