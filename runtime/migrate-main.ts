/**
 * `node dist/runtime/migrate-main.js`: brings the schema of DATABASE_URL up to date, then exits.
 * The Kubernetes chart runs it as a Job before a rollout (deploy/helm/tidings), so the API and
 * worker pods can start with TIDINGS_SKIP_MIGRATIONS=1. Safe to run beside them anyway: the
 * migrations take an advisory lock and run in one transaction (db/migrate.ts).
 * Exit 0: the schema is current (and says which migrations it applied); 1: a one-line reason.
 */
import 'reflect-metadata';
import { loadConfig } from '../config/config';
import { createLogger, redactUrl } from '../config/logger';
import { runMigrations } from '../db/migrate';
import { openDatabase } from './database';
import { migrationFailed, reportFatal, StartupError } from './startup-errors';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.databaseUrl) throw new StartupError('DATABASE_URL is not set: migrations need the PostgreSQL to migrate');
  const log = createLogger({ level: config.logLevel, name: 'tidings-migrate' });
  const db = await openDatabase(config.databaseUrl, { fromEnv: true, migrate: false, poolSize: 2, applicationName: 'tidings-migrate' });
  try {
    const applied = await runMigrations(db).catch((err) => {
      throw migrationFailed(err);
    });
    log.info({ database: redactUrl(config.databaseUrl), applied: applied.map((m) => m.name) }, applied.length > 0 ? `applied ${applied.length} migration(s)` : 'schema already up to date');
  } finally {
    await db.destroy();
  }
}

main().catch((err) => {
  reportFatal(err, 'tidings-migrate');
  process.exit(1);
});
