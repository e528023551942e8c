import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { DataSource } from 'typeorm';
import { MockActivityEnvironment } from '@temporalio/testing';
import { backtestActivities } from '../../activities/backtest.activities';
import { loadBars } from '../../store/signal-input-store';
import { barsToArrays, runBacktest, smaCrossoverPositions, type BacktestOutcome } from '../../domain/backtest';
import { loadConfig } from '../../config/config';
import { createLogger } from '../../config/logger';
import { sharedDataPath } from '../../config/paths';
import { BacktestStatus } from '../../entities';
import { EventHub } from '../../events/event-hub';
import { Topic, type EventEnvelope } from '../../events/topics';
import { ServiceError } from '../../services/errors';
import { cancelBacktest, compareBacktests, getBacktest, listBacktests, startBacktest, type StartBacktestInput } from '../../services/backtest.service';
import { importPrices } from '../../services/price-import.service';
import type { TemporalClientHandle } from '../../temporal/client';
import { startWorkerHarness, type WorkerHarness } from '../support/worker-harness';
import { workflowQueue } from '../../domain/task-queues';

/** Remembers every event the bridge delivers, so a test can look for a run's events after the fact. */
class RecordingHub extends EventHub {
  readonly events: EventEnvelope[] = [];
  override dispatch(event: EventEnvelope): number {
    this.events.push(event);
    return super.dispatch(event);
  }
}

type Progress = { id: string; done: number; total: number; status: string };

async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('backtests: service -> backtestWorkflow -> activities, on real PostgreSQL and Temporal', () => {
  const log = createLogger({ level: 'warn' });
  const config = { ...loadConfig({ NODE_ENV: 'test' }), taskQueue: `test-${randomUUID()}` };
  const hub = new RecordingHub();
  let db: DataSource;
  let temporal: TemporalClientHandle;
  let harness: WorkerHarness;
  const start = (input: StartBacktestInput) => startBacktest(db, temporal.client, config.taskQueue, input);
  const result = (workflowId: string) => temporal.client.workflow.getHandle(workflowId).result() as Promise<BacktestOutcome>;
  const progress = (id: string) => hub.events.filter((e) => e.topic === Topic.BACKTEST_PROGRESS && e.key === id).map((e) => e.payload as Progress);

  beforeAll(async () => {
    harness = await startWorkerHarness(config, log, hub);
    ({ db, temporal } = harness);
    await importPrices(db, { ticker: 'SPY', csv: fs.readFileSync(sharedDataPath('prices', 'SPY_daily.csv'), 'utf8') });
    // One SPY story an hour after every bar from 2010 to 2014, whose score tells the direction of
    // the bar after next (the one the resulting position is traded on): a strategy with real
    // timing skill, which the permutation test must recognise.
    const bars: Array<{ time: Date; open: number; close: number }> = await db.query(
      `SELECT time, open, close FROM price_bars WHERE ticker = 'SPY' AND interval = '1d' AND time >= '2010-01-01' AND time < '2015-01-01' ORDER BY time`,
    );
    const stories = bars.slice(0, -2).map((b, i) => ({ at: new Date(new Date(b.time).getTime() + 3_600_000), score: bars[i + 2].close >= bars[i + 2].open ? 0.9 : -0.9 }));
    const ids: Array<{ id: string }> = await db.query(
      `INSERT INTO articles (source, url_hash, title, published_at) SELECT 'import', h, 'SPY story', p FROM unnest($1::text[], $2::timestamptz[]) AS x(h, p) RETURNING id`,
      [stories.map(() => createHash('sha256').update(randomUUID()).digest('hex')), stories.map((s) => s.at.toISOString())],
    );
    await db.query(
      `INSERT INTO article_tickers (article_id, ticker, relevance, published_at) SELECT a, 'SPY', 0.9, p FROM unnest($1::uuid[], $2::timestamptz[]) AS x(a, p)`,
      [ids.map((r) => r.id), stories.map((s) => s.at.toISOString())],
    );
    await db.query(
      `INSERT INTO sentiment_scores (article_id, model_version, label, score) SELECT a, 'hl-test', 'x', s FROM unnest($1::uuid[], $2::real[]) AS x(a, s)`,
      [ids.map((r) => r.id), stories.map((s) => s.score)],
    );
  });
  afterAll(() => harness.stop());

  const threshold = { kind: 'sentimentThreshold' as const, enter: 0.5, exit: 0, windowHours: 24 };

  it('rejects bad input with clear errors before anything is stored', async () => {
    const base: StartBacktestInput = { ticker: 'SPY', from: '2010-01-01', to: '2015-01-01', strategy: threshold };
    const cases: Array<[Partial<StartBacktestInput> | Record<string, unknown>, RegExp]> = [
      [{ ticker: '$$' }, /ticker '\$\$' is not valid/],
      [{ from: '2015-01-01', to: '2010-01-01' }, /to: must be after from/],
      [{ from: 'yesterday' }, /from: must be an ISO date/],
      [{ strategy: { ...threshold, exit: 0.9 } }, /strategy.exit: must not be above enter/],
      [{ strategy: { kind: 'magic' } }, /strategy.kind: must be 'signals', 'sentimentThreshold' or 'smaCrossover'/],
      [{ strategy: { kind: 'smaCrossover', fastWindow: 200, slowWindow: 50 } }, /strategy.slowWindow: must be above fastWindow \(200\)/],
      [{ strategy: { kind: 'smaCrossover', fastWindow: 50, slowWindow: 200 }, sizing: { kind: 'suggested' } }, /'suggested' needs the signals strategy \(smaCrossover carries no suggested size\)/],
      [{ strategy: { kind: 'sentimentThreshold', enter: 0.5, exit: 0 } }, /strategy.windowHours: is required/],
      [{ permutations: 20_000 }, /permutations: must be between 0 and 10000/],
      [{ costBps: -1 }, /costBps: must be between 0 and 1000/],
      [{ sizing: { kind: 'suggested' } }, /'suggested' needs the signals strategy/],
      [{ ticker: 'NOPRICES' }, /only 0 1d price bars for NOPRICES.*import prices first/],
    ];
    const [{ before }] = await db.query('SELECT count(*)::int AS before FROM backtest_runs');
    for (const [patch, message] of cases) {
      const err = await start({ ...base, ...patch } as StartBacktestInput).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ServiceError);
      expect((err as ServiceError).code).toBe('BAD_USER_INPUT');
      expect((err as Error).message).toMatch(message);
    }
    const [{ after }] = await db.query('SELECT count(*)::int AS after FROM backtest_runs');
    expect(after).toBe(before);
  });

  it('runs a sentiment-threshold backtest on SPY end to end: metrics, equity curve, p-value, progress events', async () => {
    const run = await start({ name: 'spy informed', ticker: 'spy', from: '2010-01-01', to: '2015-01-01', strategy: threshold, costBps: 1, slippageBps: 1, permutations: 2000, seed: 42 });
    expect(run).toMatchObject({ status: BacktestStatus.PENDING, workflowId: `backtest-${run.id}`, permutationsTotal: 2000 });
    expect(run.params).toMatchObject({ ticker: 'SPY', seed: 42, execution: 'next-open', sizing: { kind: 'fixed', fraction: 1 } });
    const outcome = await result(run.workflowId!);
    expect(outcome).toMatchObject({ id: run.id, status: 'COMPLETED' });

    const done = (await getBacktest(db, run.id))!;
    expect(done.status).toBe(BacktestStatus.COMPLETED);
    expect(done.completedAt).toBeInstanceOf(Date);
    const m = done.metrics as Record<string, number> & { permutation: { pValue: number; permutations: number } };
    expect(m.bars).toBeGreaterThan(1200);
    expect(m.observations).toBeGreaterThan(1200);
    expect(m.totalReturn).toBeGreaterThan(1); // it knows tomorrow's direction, after costs
    expect(m.sharpe).toBeGreaterThan(2);
    expect(m.trades).toBeGreaterThan(100);
    expect(m.exposure).toBeGreaterThan(0.2);
    expect(m.exposure).toBeLessThan(0.8);
    expect(m.costsPaid).toBeGreaterThan(0);
    expect(done.pValue).toBeGreaterThan(0);
    expect(done.pValue).toBeLessThanOrEqual(1);
    expect(done.pValue).toBeCloseTo(1 / 2001, 8); // no shuffle of returns beats real timing skill
    expect(m.permutation).toMatchObject({ permutations: 2000, pValue: done.pValue });
    expect(done.permutationsDone).toBe(2000);
    const curve = done.equityCurve!;
    expect(curve.length).toBeGreaterThan(100);
    expect(curve.length).toBeLessThanOrEqual(502);
    expect(curve[0]).toEqual([new Date('2010-01-04T00:00:00Z').getTime(), 1]);
    expect(curve.every(([t], i) => i === 0 || t > curve[i - 1][0])).toBe(true);
    expect(curve[curve.length - 1][1]).toBeCloseTo(1 + m.totalReturn, 8);

    const events = await waitFor('the COMPLETED progress event', () => {
      const p = progress(run.id);
      return p.some((e) => e.status === 'COMPLETED') ? p : undefined;
    });
    expect(events[0]).toEqual({ id: run.id, done: 0, total: 2000, status: 'RUNNING' });
    expect(events.some((e) => e.status === 'RUNNING' && e.done > 0)).toBe(true);
    expect(events[events.length - 1]).toEqual({ id: run.id, done: 2000, total: 2000, status: 'COMPLETED' });
    expect(events.every((e, i) => i === 0 || e.done >= events[i - 1].done)).toBe(true);

    // Same data and strategy with heavy costs and no permutation test, then side by side.
    const costly = await start({ ticker: 'SPY', from: '2010-01-01', to: '2015-01-01', strategy: threshold, costBps: 50, slippageBps: 25, permutations: 0 });
    expect(await result(costly.workflowId!)).toEqual({ id: costly.id, status: 'COMPLETED', pValue: null });
    const rows = await compareBacktests(db, [run.id, costly.id]);
    expect(rows.map((r) => [r.id, r.strategy, r.costBps, r.status])).toEqual([
      [run.id, 'sentimentThreshold', 1, 'COMPLETED'],
      [costly.id, 'sentimentThreshold', 50, 'COMPLETED'],
    ]);
    expect(rows[1].totalReturn!).toBeLessThan(rows[0].totalReturn!);
    expect(rows[1].trades).toBe(rows[0].trades);
    expect(rows[1].pValue).toBeNull();
    await expect(compareBacktests(db, [run.id, randomUUID()])).rejects.toThrow(/no backtest with id/);
    const listed = await listBacktests(db, { ticker: 'SPY', status: BacktestStatus.COMPLETED });
    expect(listed.map((r) => r.id)).toEqual(expect.arrayContaining([run.id, costly.id]));
    expect(listed.findIndex((r) => r.id === costly.id)).toBeLessThan(listed.findIndex((r) => r.id === run.id));
  });

  it('runs the price-only SMA crossover baseline on real SPY bars: the engine over those bars, compared beside a news strategy', async () => {
    const period = { ticker: 'SPY', from: '2010-01-01', to: '2015-01-01' };
    const sma = await start({ ...period, name: 'spy sma 50/200', strategy: { kind: 'smaCrossover', fastWindow: 50, slowWindow: 200 }, costBps: 1, slippageBps: 1, permutations: 200, seed: 5 });
    expect(sma.params).toMatchObject({ strategy: { kind: 'smaCrossover', fastWindow: 50, slowWindow: 200, allowShort: false } });
    expect(await result(sma.workflowId!)).toMatchObject({ id: sma.id, status: 'COMPLETED' });
    const done = (await getBacktest(db, sma.id))!;
    const m = done.metrics as Record<string, unknown> & Record<'totalReturn' | 'trades' | 'exposure' | 'bars', number>;

    // The same run by hand: the stored bars, the crossover positions, the engine.
    const bars = barsToArrays(await loadBars(db, 'SPY', '1d', new Date(period.from), new Date(period.to)));
    const expected = runBacktest(bars, smaCrossoverPositions(bars.close, { fastWindow: 50, slowWindow: 200 }), { costBps: 1, slippageBps: 1, execution: 'next-open' });
    expect(m.bars).toBe(bars.close.length);
    expect(m.totalReturn).toBeCloseTo(expected.totalReturn, 10);
    expect(m.trades).toBe(expected.trades);
    expect(m.exposure).toBeCloseTo(expected.exposure, 10);
    expect(m).toMatchObject({ fastWindow: 50, slowWindow: 200, warnings: [] });
    // SPY 2010-2014: a few golden and death crosses, long most of the time once the 200-day average exists.
    expect(m.trades).toBeGreaterThanOrEqual(2);
    expect(m.trades).toBeLessThan(20);
    expect(m.exposure).toBeGreaterThan(0.5);
    expect(m.totalReturn).toBeGreaterThan(0);
    expect(done.pValue).toBeGreaterThan(0);

    // What the news strategy has to beat, side by side (its stories know the next bars, so it does).
    const news = await start({ ...period, strategy: threshold, costBps: 1, slippageBps: 1, permutations: 0 });
    expect((await result(news.workflowId!)).status).toBe('COMPLETED');
    const rows = await compareBacktests(db, [sma.id, news.id]);
    expect(rows.map((r) => [r.strategy, r.status])).toEqual([
      ['smaCrossover', 'COMPLETED'],
      ['sentimentThreshold', 'COMPLETED'],
    ]);
    expect(rows[1].totalReturn!).toBeGreaterThan(rows[0].totalReturn!);
  });

  it('trades stored signals point in time with the signals strategy', async () => {
    await db.query(`DELETE FROM signals WHERE ticker = 'SPY'`);
    await db.query(
      `INSERT INTO signals (ticker, as_of, type, confidence, risk_level, suggested_position_size) VALUES
         ('SPY', '2012-03-01T15:00:00Z', 'BUY', 0.6, 'LOW', 0.2), ('SPY', '2012-09-03T15:00:00Z', 'SELL', 0.5, 'LOW', 0.1)`,
    );
    const run = await start({ ticker: 'SPY', from: '2012-01-01', to: '2012-12-31', strategy: { kind: 'signals', source: 'live' }, sizing: { kind: 'suggested' }, permutations: 100, seed: 7 });
    expect((await result(run.workflowId!)).status).toBe('COMPLETED');
    const done = (await getBacktest(db, run.id))!;
    const m = done.metrics as Record<string, number>;
    expect(m.signals).toBe(2);
    expect(m.trades).toBe(1);
    expect(m.exposure).toBeGreaterThan(0.3);
    expect(m.exposure).toBeLessThan(0.6);
    expect(done.pValue).toBeGreaterThan(0);
  });

  it('a permutation chunk resumed from heartbeat details counts exactly what an uninterrupted one does', async () => {
    const run = await start({ ticker: 'SPY', from: '2010-01-01', to: '2015-01-01', strategy: threshold, permutations: 0, seed: 3 });
    await result(run.workflowId!);
    // The real activities against the real database, in the SDK's activity context (which is what carries heartbeat details).
    const acts = backtestActivities(db, log);
    type Chunk = { start: number; end: number; atLeastAsGood: number; permutations: number };
    const beats: unknown[] = [];
    const fresh = new MockActivityEnvironment();
    fresh.on('heartbeat', (d: unknown) => beats.push(d));
    const whole = (await fresh.run(acts.runBacktestPermutations, run.id, 99, 100, 700)) as Chunk;
    expect(whole).toMatchObject({ start: 100, end: 700, permutations: 600 });
    expect(beats[beats.length - 1]).toEqual({ done: 700, atLeastAsGood: whole.atLeastAsGood });
    const firstPart = (await new MockActivityEnvironment().run(acts.runBacktestPermutations, run.id, 99, 100, 350)) as Chunk;
    const resumed = await new MockActivityEnvironment({ heartbeatDetails: { done: 350, atLeastAsGood: firstPart.atLeastAsGood } }).run(acts.runBacktestPermutations, run.id, 99, 100, 700);
    expect(resumed).toEqual(whole);
  });

  it('the backtests feature flag turned off refuses new runs', async () => {
    await db.query(`UPDATE feature_flags SET enabled = false WHERE key = 'backtests'`);
    try {
      await expect(start({ ticker: 'SPY', from: '2010-01-01', to: '2015-01-01', strategy: threshold })).rejects.toMatchObject({ code: 'FEATURE_DISABLED' });
    } finally {
      await db.query(`UPDATE feature_flags SET enabled = true WHERE key = 'backtests'`);
    }
  });

  it('a backtest cancelled mid-permutation ends CANCELLED (via Temporal and via the service)', async () => {
    const long: StartBacktestInput = { ticker: 'SPY', from: '1999-01-01', to: '2021-01-01', strategy: { kind: 'sentimentThreshold', enter: 0.1, exit: 0, windowHours: 24 }, permutations: 10_000 };
    const run = await start(long);
    await waitFor('the first permutation progress', () => progress(run.id).find((e) => e.done > 0));
    await temporal.client.workflow.getHandle(run.workflowId!).cancel();
    await expect(result(run.workflowId!)).rejects.toThrow();
    const cancelled = (await getBacktest(db, run.id))!;
    expect(cancelled.status).toBe(BacktestStatus.CANCELLED);
    expect(cancelled.permutationsDone).toBeLessThan(10_000);
    expect(cancelled.completedAt).toBeInstanceOf(Date);
    await waitFor('the CANCELLED event', () => progress(run.id).find((e) => e.status === 'CANCELLED'));

    const viaService = await start(long);
    const response = await cancelBacktest(db, temporal.client, viaService.id);
    expect(response.status).toBe(BacktestStatus.CANCELLED);
    await expect(result(viaService.workflowId!)).rejects.toThrow();
    // Chunks still running when the cancellation reached them must not resurrect either run.
    await new Promise((r) => setTimeout(r, 500));
    for (const id of [run.id, viaService.id]) {
      const row = (await getBacktest(db, id))!;
      expect(row.status).toBe(BacktestStatus.CANCELLED);
      expect(row.pValue).toBeNull();
    }
    expect((await cancelBacktest(db, temporal.client, run.id)).status).toBe(BacktestStatus.CANCELLED);
    await expect(cancelBacktest(db, temporal.client, randomUUID())).rejects.toThrow(/does not exist/);
  });

  it('a run whose data is gone fails with the reason recorded', async () => {
    const id = randomUUID();
    const params = { ticker: 'GONE', interval: '1d', from: '2010-01-01T00:00:00.000Z', to: '2011-01-01T00:00:00.000Z', strategy: { kind: 'signals', allowShort: false, onHold: 'keep', holdingBars: null }, costBps: 0, slippageBps: 0, sizing: { kind: 'fixed', fraction: 1 }, execution: 'next-open', statistic: 'sharpe', permutations: 10, seed: 1 };
    await db.query(`INSERT INTO backtest_runs (id, name, status, params, workflow_id) VALUES ($1, 'gone', 'PENDING', $2::jsonb, $3)`, [id, JSON.stringify(params), `backtest-${id}`]);
    const handle = await temporal.client.workflow.start('backtestWorkflow', { taskQueue: workflowQueue(config.taskQueue, 'backtestWorkflow'), workflowId: `backtest-${id}`, args: [id] });
    await expect(handle.result()).rejects.toThrow();
    const row = (await getBacktest(db, id))!;
    expect(row.status).toBe(BacktestStatus.FAILED);
    expect(row.error).toMatch(/only 0 1d price bars for GONE.*import prices first/);
  });
});
