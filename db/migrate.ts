import type { DataSource, Migration } from 'typeorm';

/** Any constant works; it only has to be the same in every process that migrates. */
const MIGRATION_LOCK_KEY = 7_462_118_003;

/**
 * Runs pending migrations while holding a session-level advisory lock, so several API or
 * worker replicas starting together migrate once and the others wait, then find nothing to do.
 * The migrations themselves run in one transaction (migrationsTransactionMode 'all').
 */
export async function runMigrations(dataSource: DataSource, opts: { lockTimeoutMs?: number } = {}): Promise<Migration[]> {
  const lockRunner = dataSource.createQueryRunner();
  await lockRunner.connect();
  try {
    const deadline = Date.now() + (opts.lockTimeoutMs ?? 120_000);
    for (;;) {
      const [{ locked }] = await lockRunner.query('SELECT pg_try_advisory_lock($1) AS locked', [MIGRATION_LOCK_KEY]);
      if (locked) break;
      if (Date.now() > deadline) throw new Error('timed out waiting for another process to finish migrating (advisory lock held)');
      await new Promise((r) => setTimeout(r, 250));
    }
    try {
      return await dataSource.runMigrations({ transaction: 'all' });
    } finally {
      await lockRunner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await lockRunner.release();
  }
}
