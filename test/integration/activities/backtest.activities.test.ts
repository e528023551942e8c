/**
 * The backtest activities (activities/backtest.activities.ts) against the real PostgreSQL, in
 * the SDK's activity harness: the core run is deterministic, so a retry writes the same result;
 * the run completes once with its p-value and a late cancel or a second finish leaves it as is;
 * a run that has ended or never existed fails without retries.
 */
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { DataSource } from 'typeorm';
import { backtestActivities } from '../../../activities/backtest.activities';
import { createLogger } from '../../../config/logger';
import type { BacktestOutcome, BacktestPlan, PermutationChunkResult } from '../../../domain/backtest';
import { createDataSource } from '../../../db/data-source';
import { validateBacktestInput } from '../../../services/backtest.service';
import { insertBacktestRun } from '../../../store/backtest-status-store';
import { writePriceFile } from '../../../store/price-bar-store';
import { uniqueTicker } from '../../support/signal-fixtures';
import { testEnv } from '../../support/stack';

/** 60 trading days of a wave, so a 3/8 SMA crossover trades several times. */
function waveCsv(): string {
  const rows = ['date,open,high,low,close,volume'];
  const start = Date.UTC(2024, 0, 1);
  for (let i = 0; i < 60; i++) {
    const close = (100 + 10 * Math.sin(i / 4) + i * 0.1).toFixed(2);
    rows.push(`${new Date(start + i * 86_400_000).toISOString().slice(0, 10)},${close},${close},${close},${close},1000`);
  }
  return rows.join('\n');
}

describe('backtest activities', () => {
  let db: DataSource;
  let activities: ReturnType<typeof backtestActivities>;
  let ticker: string;
  const env = () => new MockActivityEnvironment();
  const runRow = async (id: string) =>
    ((await db.query(`SELECT status, metrics, p_value, permutations_done FROM backtest_runs WHERE id = $1`, [id])) as Array<{ status: string; metrics: Record<string, unknown>; p_value: number | null; permutations_done: number }>)[0];
  const newRun = async (permutations: number) => {
    const { name, params } = validateBacktestInput({ ticker, from: '2024-01-01', to: '2024-03-01', strategy: { kind: 'smaCrossover', fastWindow: 3, slowWindow: 8 }, permutations, seed: 7 });
    const id = randomUUID();
    await insertBacktestRun(db, { id, name, params, permutationsTotal: permutations, workflowId: `backtest-${id}`, createdBy: null });
    return id;
  };

  beforeAll(async () => {
    db = createDataSource(testEnv().databaseUrl, { poolSize: 2 });
    await db.initialize();
    activities = backtestActivities(db, createLogger({ level: 'silent' }));
    ticker = uniqueTicker('K');
    await writePriceFile(db, { ticker, interval: '1d', csv: waveCsv() });
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('runs the core twice (a retry) to the same plan and stored metrics, then completes once', async () => {
    const id = await newRun(40);
    const plan = (await env().run(activities.runBacktestCore, id)) as BacktestPlan;
    expect(plan).toMatchObject({ total: 40, seed: 7 });
    expect(plan.chunks.reduce((n, c) => n + (c.end - c.start), 0)).toBe(40);
    const firstMetrics = (await runRow(id)).metrics;
    expect(firstMetrics.bars).toBeGreaterThan(10);
    const retried = (await env().run(activities.runBacktestCore, id)) as BacktestPlan;
    expect(retried).toEqual(plan);
    expect((await runRow(id)).metrics).toEqual(firstMetrics);

    const chunks: PermutationChunkResult[] = [];
    for (const c of plan.chunks) chunks.push((await env().run(activities.runBacktestPermutations, id, plan.seed, c.start, c.end)) as PermutationChunkResult);
    expect(chunks.reduce((n, c) => n + c.permutations, 0)).toBe(40);
    const outcome = (await env().run(activities.finishBacktest, id, chunks)) as BacktestOutcome;
    expect(outcome.status).toBe('COMPLETED');
    expect(outcome.pValue).toBeGreaterThan(0);
    expect(outcome.pValue).toBeLessThanOrEqual(1);

    // A late cancel and a second finish keep the result.
    await env().run(activities.markBacktestCancelled, id);
    const again = (await env().run(activities.finishBacktest, id, [])) as BacktestOutcome;
    expect(again).toEqual(outcome);
    expect(await runRow(id)).toMatchObject({ status: 'COMPLETED', p_value: outcome.pValue });
    // And the ended run is not run again.
    await expect(env().run(activities.runBacktestCore, id)).rejects.toMatchObject({ nonRetryable: true, type: 'BacktestStateError' });
  });

  it('a cancelled run stays cancelled: its core refuses to run and a finish does not complete it', async () => {
    const id = await newRun(0);
    await env().run(activities.markBacktestCancelled, id);
    await expect(env().run(activities.runBacktestCore, id)).rejects.toMatchObject({ nonRetryable: true, type: 'BacktestStateError' });
    const outcome = (await env().run(activities.finishBacktest, id, [])) as BacktestOutcome;
    expect(outcome.status).toBe('CANCELLED');
    await env().run(activities.markBacktestFailed, id, 'too late');
    expect((await runRow(id)).status).toBe('CANCELLED');
  });

  it('a run that does not exist fails without retries', async () => {
    await expect(env().run(activities.runBacktestCore, randomUUID())).rejects.toMatchObject({ nonRetryable: true, type: 'BacktestStateError' });
  });
});
