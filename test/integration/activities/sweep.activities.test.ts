/**
 * The sweep activities (activities/sweep.activities.ts) against the real PostgreSQL, in the
 * SDK's activity harness: each configuration's backtest is stored once however often it is
 * retried, the sweep completes once and keeps its result, and an ended or missing sweep is not
 * run again (non-retryable).
 */
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { DataSource } from 'typeorm';
import { sweepActivities } from '../../../activities/sweep.activities';
import { createLogger } from '../../../config/logger';
import type { SweepPlan } from '../../../contracts';
import { createDataSource } from '../../../db/data-source';
import { SweepKind } from '../../../entities';
import { buildSweepParams } from '../../../services/sweep.service';
import { insertSweep } from '../../../store/sweep-store';
import { writePriceFile } from '../../../store/price-bar-store';
import { uniqueTicker } from '../../support/signal-fixtures';
import { testEnv } from '../../support/stack';

function waveCsv(): string {
  const rows = ['date,open,high,low,close,volume'];
  const start = Date.UTC(2024, 0, 1);
  for (let i = 0; i < 60; i++) {
    const close = (100 + 10 * Math.sin(i / 4) + i * 0.1).toFixed(2);
    rows.push(`${new Date(start + i * 86_400_000).toISOString().slice(0, 10)},${close},${close},${close},${close},1000`);
  }
  return rows.join('\n');
}

describe('sweep activities', () => {
  let db: DataSource;
  let activities: ReturnType<typeof sweepActivities>;
  let ticker: string;
  const env = () => new MockActivityEnvironment();
  const resultRows = async (id: string) => (await db.query(`SELECT config_index, count(*)::int AS n FROM parameter_sweep_results WHERE sweep_id = $1 GROUP BY 1 ORDER BY 1`, [id])) as Array<{ config_index: number; n: number }>;
  const newSweep = async () => {
    const { name, params } = buildSweepParams(
      { base: { ticker, from: '2024-01-01', to: '2024-03-01', strategy: { kind: 'smaCrossover', fastWindow: 3, slowWindow: 8 } }, ranges: { fastWindow: [2, 3], slowWindow: [8] }, permutations: 0, seed: 3 },
      SweepKind.SWEEP,
    );
    return (await insertSweep(db, { kind: SweepKind.SWEEP, name, params, createdBy: null }, (id) => `sweep-${id}`)).id;
  };

  beforeAll(async () => {
    db = createDataSource(testEnv().databaseUrl, { poolSize: 2 });
    await db.initialize();
    activities = sweepActivities(db, createLogger({ level: 'silent' }));
    ticker = uniqueTicker('W');
    await writePriceFile(db, { ticker, interval: '1d', csv: waveCsv() });
  });
  afterAll(async () => {
    await db.destroy();
  });

  it('stores each configuration once across retries, completes once, and does not run an ended sweep', async () => {
    const id = await newSweep();
    const plan = (await env().run(activities.planSweep, id)) as SweepPlan;
    expect(plan).toMatchObject({ kind: 'SWEEP', configs: 2, permutations: 0, seed: 3 });
    const first = [];
    for (let i = 0; i < plan.configs; i++) first.push(await env().run(activities.runSweepConfig, id, i));
    const retried = [];
    for (let i = 0; i < plan.configs; i++) retried.push(await env().run(activities.runSweepConfig, id, i));
    expect(retried).toEqual(first);
    expect(await resultRows(id)).toEqual([
      { config_index: 0, n: 1 },
      { config_index: 1, n: 1 },
    ]);

    const done = await env().run(activities.finishSweep, id, 1, []);
    expect(done).toMatchObject({ id, status: 'COMPLETED', bestIndex: 1 });
    // A second finish (a retry) names the same winner: the first completion stands.
    expect(await env().run(activities.finishSweep, id, 0, [])).toMatchObject({ status: 'COMPLETED' });
    const [row] = (await db.query(`SELECT best_index FROM parameter_sweeps WHERE id = $1`, [id])) as Array<{ best_index: number }>;
    expect(row.best_index).toBe(1);
    await expect(env().run(activities.planSweep, id)).rejects.toMatchObject({ nonRetryable: true, type: 'SweepStateError' });
    // A stored configuration still answers (a retry after completion); nothing new is computed.
    expect(await env().run(activities.runSweepConfig, id, 0)).toEqual(first[0]);
  });

  it('a missing sweep is not runnable', async () => {
    await expect(env().run(activities.planSweep, randomUUID())).rejects.toMatchObject({ nonRetryable: true, type: 'SweepStateError' });
    await expect(env().run(activities.runSweepConfig, randomUUID(), 0)).rejects.toMatchObject({ nonRetryable: true, type: 'SweepStateError' });
  });
});
