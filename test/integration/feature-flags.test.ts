/**
 * Feature flags have one reader (issue 12): typed keys, one default for a flag without a row,
 * and a fresh read for checks that must follow a change at once. On a scratch database, so
 * switching flags off and deleting their rows cannot disturb the tests running beside it.
 */
import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { ingestionActivities } from '../../activities/ingestion.activities';
import { featureFlagActivities } from '../../activities/feature-flag.activities';
import { createLogger } from '../../config/logger';
import { createDataSource } from '../../db/data-source';
import { runMigrations } from '../../db/migrate';
import { startBacktest } from '../../services/backtest.service';
import { ServiceError } from '../../services/errors';
import { FLAG_KEYS, isFeatureEnabled, MISSING_FLAG_ENABLED } from '../../store/feature-flag-store';
import { createScratchDatabase } from '../support/databases';

describe('feature flags: one reader', () => {
  let scratch: Awaited<ReturnType<typeof createScratchDatabase>>;
  let db: DataSource;
  const setFlag = (key: string, enabled: boolean) => db.query('UPDATE feature_flags SET enabled = $2 WHERE key = $1', [key, enabled]);

  beforeAll(async () => {
    scratch = await createScratchDatabase();
    db = createDataSource(scratch.url, { poolSize: 2 });
    await db.initialize();
    await runMigrations(db);
  });
  afterAll(async () => {
    await db?.destroy();
    await scratch?.drop();
  });

  it('the migrations seed a row, switched on, for every key the code reads', async () => {
    const rows: Array<{ key: string; enabled: boolean }> = await db.query('SELECT key, enabled FROM feature_flags');
    const stored = new Map(rows.map((r) => [r.key, r.enabled]));
    for (const key of FLAG_KEYS) expect([key, stored.get(key)]).toEqual([key, true]);
  });

  it('a cached read may lag a change; a fresh read sees it at once and refreshes the cache', async () => {
    expect(await isFeatureEnabled(db, 'model_sentiment', { fresh: true })).toBe(true);
    await setFlag('model_sentiment', false);
    try {
      // Within FLAG_CACHE_MS of the last read, the cache still answers.
      expect(await isFeatureEnabled(db, 'model_sentiment')).toBe(true);
      expect(await isFeatureEnabled(db, 'model_sentiment', { fresh: true })).toBe(false);
      expect(await isFeatureEnabled(db, 'model_sentiment')).toBe(false);
    } finally {
      await setFlag('model_sentiment', true);
    }
  });

  it('a flag without a row reads as the one documented default (off), for every reader', async () => {
    expect(MISSING_FLAG_ENABLED).toBe(false);
    await db.query(`DELETE FROM feature_flags WHERE key IN ('backtests', 'rss_polling')`);
    try {
      expect(await isFeatureEnabled(db, 'backtests', { fresh: true })).toBe(false);
      expect(await featureFlagActivities(db).readFeatureFlags(['backtests', 'rss_polling', 'model_sentiment'])).toEqual({
        backtests: false,
        rss_polling: false,
        model_sentiment: true,
      });
      // The backtest service asks the reader (it used to treat a missing row as on).
      const refused = await startBacktest(db, {} as Client, 'unused', { ticker: 'SPY', from: '2020-01-01', to: '2021-01-01', strategy: { kind: 'signals' } }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(ServiceError);
      expect(refused).toMatchObject({ code: 'FEATURE_DISABLED', message: 'backtests are turned off (feature flag "backtests")' });
      // So does the poll, with a fresh read.
      const [{ id: feedId }] = await db.query(`INSERT INTO feeds (url, name, poll_interval_seconds) VALUES ('https://example.com/flags.rss', 'flags', 900) RETURNING id`);
      const poll = ingestionActivities(db, createLogger({ level: 'silent' })).pollFeed;
      expect(await poll({ feedId })).toMatchObject({ status: 'skipped', reason: 'rss_polling is off', newArticleIds: [] });
    } finally {
      await db.query(`INSERT INTO feature_flags (key, enabled) VALUES ('backtests', true), ('rss_polling', true) ON CONFLICT (key) DO NOTHING`);
    }
  });

  it('the poll reads rss_polling fresh: switched off, the very next poll skips', async () => {
    const [{ id: feedId }] = await db.query(`INSERT INTO feeds (url, name, poll_interval_seconds) VALUES ('https://example.com/fresh.rss', 'fresh', 900) RETURNING id`);
    expect(await isFeatureEnabled(db, 'rss_polling', { fresh: true })).toBe(true); // the cache now says on
    await setFlag('rss_polling', false);
    try {
      const poll = ingestionActivities(db, createLogger({ level: 'silent' })).pollFeed;
      expect(await poll({ feedId })).toMatchObject({ status: 'skipped', reason: 'rss_polling is off' });
    } finally {
      await setFlag('rss_polling', true);
    }
  });
});
