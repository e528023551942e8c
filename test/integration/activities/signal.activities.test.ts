/**
 * computeSignals (activities/signal.activities.ts) against the real PostgreSQL, run in the
 * SDK's own activity harness: computing the same signals twice (a retry, a re-run of the
 * workflow with the same asOf) stores one row per ticker and says the second was not created;
 * tickers without news are skipped with a reason, not failed.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import type { DataSource } from 'typeorm';
import { signalActivities } from '../../../activities/signal.activities';
import { createLogger } from '../../../config/logger';
import type { ComputeSignalsResult } from '../../../contracts';
import { createDataSource } from '../../../db/data-source';
import { connectTemporalClient, type TemporalClientHandle } from '../../../temporal/client';
import { scoredNews, uniqueTicker } from '../../support/signal-fixtures';
import { testEnv } from '../../support/stack';

describe('computeSignals activity', () => {
  let db: DataSource;
  let activities: ReturnType<typeof signalActivities>;
  let temporal: TemporalClientHandle;
  // Webhook fan-out starts deliveries through the activity's client: the real dev server's (no endpoint matches, so none start).
  const env = () => new MockActivityEnvironment({ taskQueue: 'svc-signal-activities' }, { client: temporal.client });
  const signalRows = async (ticker: string) => ((await db.query(`SELECT count(*)::int AS n FROM signals WHERE ticker = $1`, [ticker])) as Array<{ n: number }>)[0].n;

  beforeAll(async () => {
    db = createDataSource(testEnv().databaseUrl, { poolSize: 2 });
    await db.initialize();
    temporal = await connectTemporalClient(testEnv().temporalAddress, 'default');
    activities = signalActivities(db, createLogger({ level: 'silent' }));
  });
  afterAll(async () => {
    await temporal.close();
    await db.destroy();
  });

  it('computes a signal once: the same tickers and asOf again return the same signal, created false, and store no second row', async () => {
    const [bullish, bearish] = [uniqueTicker('S'), uniqueTicker('S')];
    const asOf = new Date();
    await scoredNews(db, bullish, 0.9, asOf);
    await scoredNews(db, bearish, -0.9, asOf);
    const input = { tickers: [bullish, bearish], asOf: asOf.toISOString() };
    const first = (await env().run(activities.computeSignals, input)) as ComputeSignalsResult;
    expect(first.skipped).toEqual([]);
    expect(first.signals.map((s) => [s.ticker, s.type, s.created]).sort()).toEqual([
      [bearish, 'SELL', true],
      [bullish, 'BUY', true],
    ].sort());

    const again = (await env().run(activities.computeSignals, input)) as ComputeSignalsResult;
    expect(again.signals.map((s) => s.created)).toEqual([false, false]);
    expect(again.signals.map((s) => s.id).sort()).toEqual(first.signals.map((s) => s.id).sort());
    expect(await signalRows(bullish)).toBe(1);
    expect(await signalRows(bearish)).toBe(1);
  });

  it('skips a ticker without news with a reason and stores nothing for it', async () => {
    const quiet = uniqueTicker('S');
    const result = (await env().run(activities.computeSignals, { tickers: [quiet], asOf: new Date().toISOString() })) as ComputeSignalsResult;
    expect(result.signals).toEqual([]);
    expect(result.skipped).toEqual([{ ticker: quiet, reason: expect.any(String) as string }]);
    expect(await signalRows(quiet)).toBe(0);
  });

  it('finds the tickers of the articles it is given', async () => {
    const ticker = uniqueTicker('S');
    const asOf = new Date();
    await scoredNews(db, ticker, 0.9, asOf, 3);
    const ids = ((await db.query(`SELECT article_id FROM article_tickers WHERE ticker = $1`, [ticker])) as Array<{ article_id: string }>).map((r) => r.article_id);
    const result = (await env().run(activities.computeSignals, { articleIds: ids, asOf: asOf.toISOString() })) as ComputeSignalsResult;
    expect(result.signals.map((s) => s.ticker)).toEqual([ticker]);
  });
});
