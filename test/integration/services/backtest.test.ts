/**
 * BacktestService's rules against the real PostgreSQL (store/backtest-status-store, price bars)
 * and the real Temporal dev server: input and strategy validation through the registry and
 * the price-bar check before anything is stored (the "backtests" flag is covered by
 * test/integration/backtests.test.ts; switching it off here would race other files), ownership (someone
 * else's run is NOT_FOUND), cancel as a one-way transition, and compare/list bounds.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../db/data-source';
import { BacktestStatus } from '../../../entities';
import { BacktestService, type BacktestActor, type StartBacktestInput } from '../../../services/backtest.service';
import { changeFlag } from '../../../store/feature-flag-store';
import { writePriceFile } from '../../../store/price-bar-store';
import { connectTemporalClient, type TemporalClientHandle } from '../../../temporal/client';
import { testEnv } from '../../support/stack';

const uniqueTicker = () => `B${randomUUID().replace(/[^a-f]/g, '').slice(0, 5).toUpperCase()}`;
const csv = (n: number) => ['date,open,high,low,close,volume', ...Array.from({ length: n }, (_, i) => `2024-02-${String(i + 1).padStart(2, '0')},${10 + i},${11 + i},${9 + i},${10 + i},1000`)].join('\n');

describe('BacktestService', () => {
  let db: DataSource;
  let temporal: TemporalClientHandle;
  let backtests: BacktestService;
  let ticker: string;
  const owner: BacktestActor = { userId: randomUUID(), role: 'USER' };
  const stranger: BacktestActor = { userId: randomUUID(), role: 'USER' };
  const admin: BacktestActor = { userId: randomUUID(), role: 'ADMIN' };
  const input = (patch: Partial<StartBacktestInput> = {}): StartBacktestInput => ({
    ticker,
    from: '2024-02-01',
    to: '2024-02-28',
    strategy: { kind: 'smaCrossover', fastWindow: 2, slowWindow: 5 },
    permutations: 0,
    ...patch,
  });
  const runsOf = async (t: string) => ((await db.query(`SELECT count(*)::int AS n FROM backtest_runs WHERE params->>'ticker' = $1`, [t])) as Array<{ n: number }>)[0].n;

  beforeAll(async () => {
    db = createDataSource(testEnv().databaseUrl, { poolSize: 2 });
    await db.initialize();
    temporal = await connectTemporalClient(testEnv().temporalAddress, 'default');
    // A queue no worker serves: started runs stay PENDING until cancelled.
    backtests = new BacktestService(db, temporal.client, `svc-backtests-${randomUUID()}`);
    ticker = uniqueTicker();
    await writePriceFile(db, { ticker, interval: '1d', csv: csv(20) });
    await changeFlag(db, 'backtests', randomUUID(), (old) => ({ enabled: true, description: old?.description ?? '' }));
  });
  afterAll(async () => {
    await temporal.close();
    await db.destroy();
  });

  const refusals: Array<[string, Partial<StartBacktestInput>]> = [
    ['to', { from: '2024-02-10', to: '2024-02-01' }],
    ['from', { from: 'yesterday-ish' }],
    ['strategy', { strategy: undefined }],
    ['strategy.kind', { strategy: { kind: 'astrology' } as never }],
    ['strategy.slowWindow', { strategy: { kind: 'smaCrossover', fastWindow: 5, slowWindow: 5 } }],
    ['strategy.fastWindow', { strategy: { kind: 'smaCrossover', fastWindow: 2.5, slowWindow: 5 } }],
    ['strategy.exit', { strategy: { kind: 'sentimentThreshold', enter: 0.1, exit: 0.3 } as never }],
    ['sizing', { sizing: { kind: 'suggested' } }],
    ['sizing.fraction', { sizing: { kind: 'fixed', fraction: 2 } }],
    ['costBps', { costBps: -1 }],
    ['permutations', { permutations: 10_001 }],
    ['execution', { execution: 'whenever' as never }],
    ['statistic', { statistic: 'vibes' as never }],
    ['name', { name: 'n'.repeat(201) }],
  ];
  it.each(refusals)('refuses a bad %s through the registry and stores no run', async (field, patch) => {
    await expect(backtests.start(input(patch), owner.userId)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await runsOf(ticker)).toBe(0);
  });

  it('refuses a ticker without enough price bars, naming the ticker', async () => {
    const bare = uniqueTicker();
    await expect(backtests.start(input({ ticker: bare }), owner.userId)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'ticker' });
    expect(await runsOf(bare)).toBe(0);
  });

  it('starts a PENDING run owned by its creator; others see NOT_FOUND; cancel is one-way', async () => {
    const run = await backtests.start(input({ name: '  sma 2/5  ' }), owner.userId);
    expect(run).toMatchObject({ status: BacktestStatus.PENDING, name: 'sma 2/5', createdBy: owner.userId, workflowId: `backtest-${run.id}` });
    expect(run.params).toMatchObject({ ticker, strategy: { kind: 'smaCrossover', fastWindow: 2, slowWindow: 5, allowShort: false }, sizing: { kind: 'fixed', fraction: 1 }, execution: 'next-open' });

    expect(await backtests.get(run.id, stranger)).toBeNull();
    expect((await backtests.get(run.id, admin))?.id).toBe(run.id);
    expect(await backtests.get('not-a-uuid', owner)).toBeNull();
    await expect(backtests.cancel(run.id, stranger)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await backtests.get(run.id, owner))?.status).toBe(BacktestStatus.PENDING);
    await expect(backtests.compare([run.id], stranger)).rejects.toMatchObject({ code: 'NOT_FOUND', field: 'ids' });
    expect((await backtests.list({}, stranger)).some((r) => r.id === run.id)).toBe(false);
    expect((await backtests.list({ ticker: ticker.toLowerCase() }, owner)).map((r) => r.id)).toEqual([run.id]);

    const cancelled = await backtests.cancel(run.id, owner);
    expect(cancelled.status).toBe(BacktestStatus.CANCELLED);
    const again = await backtests.cancel(run.id, admin);
    expect(again).toMatchObject({ status: BacktestStatus.CANCELLED, completedAt: cancelled.completedAt });
    expect(await backtests.compare([run.id, run.id], owner)).toEqual([expect.objectContaining({ id: run.id, status: BacktestStatus.CANCELLED, strategy: 'smaCrossover', permutations: 0 })]);
  });

  it('bounds compare to 1..20 ids and list paging to its limits', async () => {
    await expect(backtests.compare([], owner)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'ids' });
    await expect(backtests.compare(Array.from({ length: 21 }, () => randomUUID()), owner)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'ids' });
    await expect(backtests.compare(['nope'], owner)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(backtests.list({ limit: 0 }, owner)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'limit' });
    await expect(backtests.list({ offset: -1 }, owner)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'offset' });
  });

  it('describes every registry strategy with its parameters', () => {
    const described = backtests.strategies();
    expect(described.map((s) => s.kind)).toEqual(expect.arrayContaining(['signals', 'sentimentThreshold', 'smaCrossover']));
    const sma = described.find((s) => s.kind === 'smaCrossover')!;
    expect(sma.parameters.map((p) => p.name)).toEqual(expect.arrayContaining(['fastWindow', 'slowWindow']));
  });
});
