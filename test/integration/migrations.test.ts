import type { MigrationInterface, QueryRunner } from 'typeorm';
import { DataSource } from 'typeorm';
import { ALL_ENTITIES } from '../../entities';
import { ALL_MIGRATIONS } from '../../migrations';
import { createDataSource } from '../../db/data-source';
import { runMigrations } from '../../db/migrate';
import { SnakeNamingStrategy } from '../../db/snake-naming.strategy';
import { openDatabase } from '../../runtime/database';
import { StartupError } from '../../runtime/startup-errors';
import { createScratchDatabase } from '../support/databases';

async function tableNames(db: DataSource): Promise<string[]> {
  const rows: Array<{ table_name: string }> = await db.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
  );
  return rows.map((r) => r.table_name);
}

describe('migrations', () => {
  it('the entities and the migrations describe the same schema (no drift)', async () => {
    const scratch = await createScratchDatabase();
    const db = createDataSource(scratch.url);
    try {
      await db.initialize();
      await runMigrations(db);
      const pending = await db.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
      expect(await tableNames(db)).toEqual(
        expect.arrayContaining(['users', 'api_keys', 'feature_flags', 'feature_flag_audit', 'feeds', 'articles', 'article_tickers', 'sentiment_scores', 'signals', 'signal_articles', 'price_bars', 'backtest_runs']),
      );
      const flags: Array<{ key: string }> = await db.query('SELECT key FROM feature_flags ORDER BY key');
      expect(flags.map((f) => f.key)).toEqual(['backtests', 'model_sentiment', 'rss_polling', 'signal_subscriptions']);
      const indexes: Array<{ indexname: string }> = await db.query(`SELECT indexname FROM pg_indexes WHERE schemaname = 'public'`);
      const names = indexes.map((i) => i.indexname);
      expect(names).toEqual(expect.arrayContaining(['article_tickers_ticker_published_idx', 'signals_ticker_as_of_idx', 'articles_feed_guid_uq', 'sentiment_scores_article_model_uq']));
    } finally {
      await db.destroy();
      await scratch.drop();
    }
  });

  it('a failing migration leaves the database exactly as it was', async () => {
    class Broken1999999999999 implements MigrationInterface {
      name = 'Broken1999999999999';
      async up(q: QueryRunner) {
        await q.query('CREATE TABLE should_not_survive (id int)');
        await q.query('SELECT * FROM a_table_that_does_not_exist');
      }
      async down() {}
    }
    const scratch = await createScratchDatabase();
    const db = new DataSource({
      type: 'postgres',
      url: scratch.url,
      entities: ALL_ENTITIES,
      migrations: [...ALL_MIGRATIONS, Broken1999999999999],
      migrationsTransactionMode: 'all',
      namingStrategy: new SnakeNamingStrategy(),
      uuidExtension: 'pgcrypto',
    });
    try {
      await db.initialize();
      await expect(runMigrations(db)).rejects.toThrow(/a_table_that_does_not_exist/);
      const tables = await tableNames(db);
      expect(tables).not.toContain('should_not_survive');
      expect(tables).not.toContain('users');
      expect(tables.filter((t) => t !== 'migrations')).toEqual([]);
    } finally {
      await db.destroy();
      await scratch.drop();
    }
  });

  it('replicas starting together migrate once under the advisory lock', async () => {
    const scratch = await createScratchDatabase();
    const sources = [0, 1, 2].map(() => createDataSource(scratch.url, { poolSize: 2 }));
    try {
      await Promise.all(sources.map((s) => s.initialize()));
      const results = await Promise.all(sources.map((s) => runMigrations(s)));
      expect(results.map((r) => r.length).sort()).toEqual([0, 0, ALL_MIGRATIONS.length]);
      const applied: Array<{ name: string }> = await sources[0].query('SELECT name FROM migrations');
      expect(applied.length).toBe(ALL_MIGRATIONS.length);
    } finally {
      await Promise.all(sources.map((s) => s.destroy()));
      await scratch.drop();
    }
  });

  it('an unreachable PostgreSQL is one clear line naming the address (password hidden) and the fix', async () => {
    const error = await openDatabase('postgres://tidings:hunter2@127.0.0.1:1/tidings', { fromEnv: true, migrate: true }).catch((e) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect(error.message).toMatch(/^PostgreSQL is not reachable at postgres:\/\/tidings:\*\*\*@127\.0\.0\.1:1\/tidings \(ECONNREFUSED/);
    expect(error.message).toContain('DATABASE_URL');
    expect(error.message).not.toContain('hunter2');
    expect(error.message.split('\n')).toHaveLength(1);
  });
});
