import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import type { DataSource } from 'typeorm';
import { sharedDataPath } from '../../config/paths';
import { createDataSource } from '../../db/data-source';
import { SeededRandom } from '../../domain/backtest';
import { ServiceError } from '../../services/errors';
import { UserService } from '../../services/user.service';
import { Role } from '../../entities';
import { importPrices } from '../../services/price-import.service';
import { SweepService, type StartSweepInput } from '../../services/sweep.service';
import { connectTemporalClient, type TemporalClientHandle } from '../../temporal/client';
import { testEnv } from '../support/stack';
import { kill, startWorkerChild } from '../support/worker-child-process';

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('parameter sweeps and walk-forward: parent workflow, child backtests, best-of-N test, worker killed mid-sweep', () => {
  const taskQueue = `test-${randomUUID()}`;
  const workers: ChildProcess[] = [];
  let db: DataSource;
  let temporal: TemporalClientHandle;
  let sweeps: SweepService;

  /** Daily stories an hour after each bar 2010-2014; `informative` ones tell the direction of the bar the position trades. */
  async function stories(ticker: string, informative: boolean): Promise<void> {
    await importPrices(db, { ticker, csv: fs.readFileSync(sharedDataPath('prices', 'SPY_daily.csv'), 'utf8') });
    const bars: Array<{ time: Date; open: number; close: number }> = await db.query(
      `SELECT time, open, close FROM price_bars WHERE ticker = $1 AND interval = '1d' AND time >= '2010-01-01' AND time < '2015-01-01' ORDER BY time`,
      [ticker],
    );
    const rng = new SeededRandom(11);
    const items = bars.slice(0, -2).map((b, i) => ({
      at: new Date(new Date(b.time).getTime() + 3_600_000),
      score: informative ? (bars[i + 2].close >= bars[i + 2].open ? 0.9 : -0.9) : rng.next() * 2 - 1,
    }));
    const ids: Array<{ id: string }> = await db.query(
      `INSERT INTO articles (source, url_hash, title, published_at) SELECT 'import', h, 'story', p FROM unnest($1::text[], $2::timestamptz[]) AS x(h, p) RETURNING id`,
      [items.map(() => createHash('sha256').update(randomUUID()).digest('hex')), items.map((s) => s.at.toISOString())],
    );
    await db.query(`INSERT INTO article_tickers (article_id, ticker, relevance, published_at) SELECT a, $3, 0.9, p FROM unnest($1::uuid[], $2::timestamptz[]) AS x(a, p)`, [ids.map((r) => r.id), items.map((s) => s.at.toISOString()), ticker]);
    await db.query(`INSERT INTO sentiment_scores (article_id, model_version, label, score) SELECT a, 'hl-test', 'x', s FROM unnest($1::uuid[], $2::real[]) AS x(a, s)`, [ids.map((r) => r.id), items.map((s) => s.score)]);
  }

  beforeAll(async () => {
    db = createDataSource(testEnv().databaseUrl, { poolSize: 4 });
    await db.initialize();
    temporal = await connectTemporalClient(testEnv().temporalAddress, 'default');
    sweeps = new SweepService(db, temporal.client, taskQueue);
    await stories('SWPI', true);
    await stories('SWPN', false);
    workers.push(await startWorkerChild(taskQueue));
  }, 120_000);
  afterAll(async () => {
    await Promise.all(workers.map(kill));
    await temporal.close();
    await db.destroy();
  });

  const base = (ticker: string): StartSweepInput['base'] => ({ ticker, from: '2010-01-01', to: '2015-01-01', strategy: { kind: 'sentimentThreshold', enter: 0.5, exit: 0, windowHours: 24 } });
  const grid: StartSweepInput['ranges'] = { enter: [0.1, 0.3, 0.5, 0.7], exit: [0, -0.2], windowHours: [24, 48], costBps: [0, 5] };

  it('rejects bad sweeps clearly', async () => {
    const cases: Array<[Partial<StartSweepInput>, RegExp]> = [
      [{ ranges: { nope: [1] } as never }, /ranges.nope: cannot be swept/],
      [{ ranges: { enter: [] } }, /ranges.enter: give 1 to 100 values/],
      [{ ranges: { enter: Array.from({ length: 40 }, (_, i) => i / 40), exit: Array.from({ length: 30 }, (_, i) => -i / 30) } }, /1200 configurations; at most 1000/],
      [{ ranges: { exit: [0.9] } }, /no valid configuration \(first problem: strategy.exit: must not be above enter/],
      [{ permutations: 6000, ranges: { enter: [0.3] } }, /permutations: must be a whole number from 0 to 5000/],
    ];
    for (const [patch, message] of cases) {
      const err = await sweeps.startSweep({ base: base('SWPI'), ranges: {}, ...patch }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ServiceError);
      expect((err as Error).message).toMatch(message);
    }
  });

  it('a sweep belongs to its creator: another user cannot read or cancel it, an admin can (issue 11 D15)', async () => {
    const users = new UserService(db);
    const stamp = randomUUID();
    const owner = await users.create(`sweep-owner-${stamp}@example.test`, `owner-password-${stamp}`, Role.USER);
    const other = await users.create(`sweep-other-${stamp}@example.test`, `other-password-${stamp}`, Role.USER);
    const asOwner = { userId: owner.id, role: 'USER' as const };
    const asOther = { userId: other.id, role: 'USER' as const };
    const sweep = await sweeps.startSweep({ base: base('SWPI'), ranges: { enter: [0.3, 0.5] }, permutations: 0, seed: 2 }, owner.id);
    expect((await sweeps.get(sweep.id, asOwner))?.id).toBe(sweep.id);
    expect(await sweeps.get(sweep.id, asOther)).toBeNull();
    await expect(sweeps.cancel(sweep.id, asOther)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await sweeps.get(sweep.id, { userId: other.id, role: 'ADMIN' }))?.id).toBe(sweep.id);
    await temporal.client.workflow.getHandle(sweep.workflowId!).result();
  });

  it('sweeps 32 configurations as child backtests, ranks them, and tests the best against the whole search', async () => {
    const sweep = await sweeps.startSweep({ base: base('SWPI'), ranges: grid, permutations: 300, seed: 9, concurrency: 4 });
    expect(sweep).toMatchObject({ status: 'PENDING', configsTotal: 32, workflowId: `sweep-${sweep.id}` });
    const outcome = (await temporal.client.workflow.getHandle(sweep.workflowId!).result()) as { status: string; bestIndex: number };
    expect(outcome.status).toBe('COMPLETED');
    const done = (await sweeps.get(sweep.id))!;
    expect(done.status).toBe('COMPLETED');
    expect(await sweeps.configsDone(sweep.id)).toBe(32);
    const ranked = await sweeps.ranked(done, 100);
    expect(ranked).toHaveLength(32);
    expect(ranked.map((r) => r.rank)).toEqual(Array.from({ length: 32 }, (_, i) => i + 1));
    expect(ranked.every((r, i) => i === 0 || r.statistic <= ranked[i - 1].statistic)).toBe(true);
    expect(ranked[0].configIndex).toBe(done.bestIndex);
    expect(ranked[0].metrics.sharpe).toBeCloseTo(ranked[0].statistic, 6);
    // Costs only ever lower a configuration's result.
    const byKey = new Map(ranked.map((r) => [JSON.stringify({ ...r.overrides, costBps: 0 }), r]));
    for (const r of ranked.filter((x) => x.overrides.costBps === 5)) expect(r.statistic).toBeLessThanOrEqual(byKey.get(JSON.stringify({ ...r.overrides, costBps: 0 }))!.statistic + 1e-9);
    // Real timing skill survives the correction for 32 tries; the corrected p is never below the naive one.
    expect(done.pValue).toBeCloseTo(1 / 301, 10);
    expect(done.pValueBestAlone).toBeCloseTo(1 / 301, 10);
    expect(done.permutationsDone).toBe(300);
    // Each configuration ran exactly once.
    const children = await db.query(`SELECT count(*)::int AS n FROM parameter_sweep_results WHERE sweep_id = $1`, [sweep.id]);
    expect(children[0].n).toBe(32);
  }, 180_000);

  it('on noise the best of 32 looks better alone than against the search', async () => {
    const sweep = await sweeps.startSweep({ base: base('SWPN'), ranges: grid, permutations: 300, seed: 9 });
    await temporal.client.workflow.getHandle(sweep.workflowId!).result();
    const done = (await sweeps.get(sweep.id))!;
    expect(done.status).toBe('COMPLETED');
    expect(done.pValue!).toBeGreaterThanOrEqual(done.pValueBestAlone!);
    expect(done.pValue!).toBeGreaterThan(0.05);
  }, 180_000);

  it('survives its worker being killed mid-sweep, computing each configuration once', async () => {
    const sweep = await sweeps.startSweep({ base: base('SWPN'), ranges: { ...grid, holdingBars: [null, 5, 20] }, permutations: 100, seed: 4, concurrency: 2 });
    await waitFor('a few finished configurations', async () => ((await sweeps.configsDone(sweep.id)) >= 5 ? true : undefined));
    await kill(workers.shift()!);
    const before = await sweeps.configsDone(sweep.id);
    expect(before).toBeLessThan(96);
    workers.push(await startWorkerChild(taskQueue));
    const outcome = (await temporal.client.workflow.getHandle(sweep.workflowId!).result()) as { status: string };
    expect(outcome.status).toBe('COMPLETED');
    expect(await sweeps.configsDone(sweep.id)).toBe(96);
    const done = (await sweeps.get(sweep.id))!;
    expect(done.permutationsDone).toBe(100);
  }, 240_000);

  it('can be cancelled', async () => {
    const sweep = await sweeps.startSweep({ base: base('SWPN'), ranges: { enter: Array.from({ length: 50 }, (_, i) => 0.01 + i / 60), holdingBars: [null, 3, 10, 30] }, permutations: 5000, seed: 1, concurrency: 1 });
    await waitFor('the first configuration', async () => ((await sweeps.configsDone(sweep.id)) >= 1 ? true : undefined));
    const cancelled = await sweeps.cancel(sweep.id);
    expect(cancelled.status).toBe('CANCELLED');
    await expect(temporal.client.workflow.getHandle(sweep.workflowId!).result()).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 500));
    const row = (await sweeps.get(sweep.id))!;
    expect(row.status).toBe('CANCELLED');
    expect(row.pValue).toBeNull();
    expect(await sweeps.configsDone(sweep.id)).toBeLessThan(200);
  }, 120_000);

  it('walks forward: optimises in sample, trades out of sample, stitches the out-of-sample equity', async () => {
    const run = await sweeps.startWalkForward({ base: base('SWPI'), ranges: { enter: [0.1, 0.5, 0.95], exit: [0, -0.5] }, inSampleBars: 250, outOfSampleBars: 125 });
    const outcome = (await temporal.client.workflow.getHandle(run.workflowId!).result()) as { status: string };
    expect(outcome.status).toBe('COMPLETED');
    const done = (await sweeps.get(run.id))!;
    const result = done.result as { metrics: Record<string, number>; outOfSampleBars: number; windows: Array<Record<string, unknown> & { outOfSampleFrom: string; outOfSampleTo: string; inSampleTo: string; outOfSample: Record<string, number> }>; equityCurve: Array<[number, number]> };
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM price_bars WHERE ticker = 'SWPI' AND interval = '1d' AND time >= '2010-01-01' AND time <= '2015-01-01'`);
    expect(result.windows.length).toBe(Math.ceil((n - 250) / 125));
    expect(result.outOfSampleBars).toBe(n - 250 + 1);
    for (const [i, w] of result.windows.entries()) {
      expect(w.outOfSampleFrom).toBe(w.inSampleTo); // decided at the in-sample's last close, traded after it
      if (i > 0) expect(w.outOfSampleFrom).toBe(result.windows[i - 1].outOfSampleTo);
    }
    // Stitched equity compounds the windows' out-of-sample returns.
    const compounded = result.windows.reduce((acc, w) => acc * (1 + w.outOfSample.totalReturn), 1) - 1;
    expect(result.metrics.totalReturn).toBeCloseTo(compounded, 8);
    expect(result.equityCurve[result.equityCurve.length - 1][1]).toBeCloseTo(1 + compounded, 8);
    expect(result.metrics.sharpe).toBeGreaterThan(1); // the informative news keeps working out of sample
  }, 120_000);

  it('purged and embargoed walk-forward: the gaps sit between in-sample and out-of-sample, and the stitched result gets a permutation p-value', async () => {
    const run = await sweeps.startWalkForward({ base: base('SWPI'), ranges: { enter: [0.1, 0.5, 0.95], exit: [0, -0.5] }, inSampleBars: 250, outOfSampleBars: 125, purgeBars: 5, embargoBars: 3, permutations: 400, seed: 3 });
    const outcome = (await temporal.client.workflow.getHandle(run.workflowId!).result()) as { status: string };
    expect(outcome.status).toBe('COMPLETED');
    const done = (await sweeps.get(run.id))!;
    const result = done.result as { metrics: Record<string, number>; outOfSampleBars: number; purgeBars: number; embargoBars: number; permutation: { statistic: string; observed: number; permutations: number; pValue: number; permuted: string }; windows: Array<{ inSampleFrom: string; inSampleTo: string; outOfSampleFrom: string; outOfSampleTo: string }> };
    const times: Array<{ time: Date }> = await db.query(`SELECT time FROM price_bars WHERE ticker = 'SWPI' AND interval = '1d' AND time >= '2010-01-01' AND time <= '2015-01-01' ORDER BY time`);
    const index = new Map(times.map((t, i) => [new Date(t.time).toISOString(), i]));
    expect(result).toMatchObject({ purgeBars: 5, embargoBars: 3 });
    for (const [i, w] of result.windows.entries()) {
      // In-sample choice ends 5 bars early (purge); trading starts 3 bars after the in-sample span (embargo).
      expect(index.get(w.outOfSampleFrom)! - index.get(w.inSampleTo)!).toBe(8);
      expect(index.get(w.inSampleTo)! - index.get(w.inSampleFrom)!).toBe(250 - 1 - 5);
      if (i > 0) expect(w.outOfSampleFrom).toBe(result.windows[i - 1].outOfSampleTo);
    }
    expect(result.outOfSampleBars).toBe(times.length - 250 - 3 + 1);
    expect(result.permutation).toMatchObject({ statistic: 'sharpe', permutations: 400 });
    expect(result.permutation.observed).toBeCloseTo(result.metrics.sharpe, 8);
    // The news is informative out of sample: the stitched result beats its shuffles.
    expect(result.permutation.pValue).toBeLessThan(0.01);
    expect(done.pValue).toBe(result.permutation.pValue);
    expect(done.permutationsDone).toBe(400);
    const bad = await sweeps.startWalkForward({ base: base('SWPI'), ranges: { enter: [0.3] }, inSampleBars: 30, outOfSampleBars: 20, purgeBars: 15 }).catch((e: unknown) => e);
    expect((bad as Error).message).toMatch(/purgeBars: leaves 15 in-sample bars to choose on; keep at least 20/);
  }, 120_000);
});
