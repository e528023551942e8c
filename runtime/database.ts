import type { DataSource } from 'typeorm';
import { createDataSource } from '../db/data-source';
import { runMigrations } from '../db/migrate';
import { migrationFailed, postgresUnreachable } from './startup-errors';

/** Connects (with a clear error when it cannot) and brings the schema up to date. */
export async function openDatabase(
  url: string,
  opts: { fromEnv: boolean; migrate: boolean; poolSize?: number; applicationName?: string },
): Promise<DataSource> {
  const db = createDataSource(url, { poolSize: opts.poolSize, applicationName: opts.applicationName });
  try {
    await db.initialize();
    await db.query('SELECT 1');
  } catch (err) {
    if (db.isInitialized) await db.destroy().catch(() => undefined);
    throw postgresUnreachable(url, err, opts.fromEnv);
  }
  if (opts.migrate) {
    try {
      await runMigrations(db);
    } catch (err) {
      await db.destroy().catch(() => undefined);
      throw migrationFailed(err);
    }
  }
  return db;
}
