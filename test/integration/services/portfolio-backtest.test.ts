/**
 * PortfolioBacktestService's rules against the real PostgreSQL (store/portfolio-backtest-store,
 * price bars) and the real Temporal dev server: input validation naming each field, tickers
 * without prices refused before anything is stored, ownership (someone else's run is
 * NOT_FOUND) and cancel as a one-way transition.
 */
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../db/data-source';
import { BacktestStatus } from '../../../entities';
import type { BacktestActor } from '../../../services/backtest.service';
import { MAX_PORTFOLIO_TICKERS, PortfolioBacktestService, type StartPortfolioBacktestInput } from '../../../services/portfolio-backtest.service';
import { changeFlag } from '../../../store/feature-flag-store';
import { writePriceFile } from '../../../store/price-bar-store';
import { connectTemporalClient, type TemporalClientHandle } from '../../../temporal/client';
import { uniqueTicker } from '../../support/signal-fixtures';
import { testEnv } from '../../support/stack';

const csv = (n: number, base: number) => ['date,open,high,low,close,volume', ...Array.from({ length: n }, (_, i) => `2024-05-${String(i + 1).padStart(2, '0')},${base + i},${base + i},${base + i},${base + i},1000`)].join('\n');

describe('PortfolioBacktestService', () => {
  let db: DataSource;
  let temporal: TemporalClientHandle;
  let portfolios: PortfolioBacktestService;
  let tickers: string[];
  const owner: BacktestActor = { userId: randomUUID(), role: 'USER' };
  const stranger: BacktestActor = { userId: randomUUID(), role: 'USER' };
  const input = (patch: Partial<StartPortfolioBacktestInput> = {}): StartPortfolioBacktestInput => ({
    tickers,
    from: '2024-05-01',
    to: '2024-05-28',
    ranking: { kind: 'strategy', strategy: { kind: 'smaCrossover', fastWindow: 2, slowWindow: 4 } },
    long: { top: 1 },
    permutations: 0,
    ...patch,
  });
  const runsNamed = async (name: string) => ((await db.query(`SELECT count(*)::int AS n FROM portfolio_backtests WHERE name = $1`, [name])) as Array<{ n: number }>)[0].n;

  beforeAll(async () => {
    db = createDataSource(testEnv().databaseUrl, { poolSize: 2 });
    await db.initialize();
    temporal = await connectTemporalClient(testEnv().temporalAddress, 'default');
    portfolios = new PortfolioBacktestService(db, temporal.client, `svc-portfolio-${randomUUID()}`);
    tickers = [uniqueTicker('F'), uniqueTicker('F')];
    await writePriceFile(db, { ticker: tickers[0], interval: '1d', csv: csv(20, 10) });
    await writePriceFile(db, { ticker: tickers[1], interval: '1d', csv: csv(20, 50) });
    await changeFlag(db, 'backtests', randomUUID(), (old) => ({ enabled: true, description: old?.description ?? '' }));
  });
  afterAll(async () => {
    await temporal.close();
    await db.destroy();
  });

  const refusals: Array<[string, Partial<StartPortfolioBacktestInput>]> = [
    ['tickers', { tickers: [] }],
    ['tickers', { sector: 'Utilities' }],
    ['tickers', { tickers: Array.from({ length: MAX_PORTFOLIO_TICKERS + 1 }, (_, i) => `T${i}`) }],
    ['sector', { tickers: undefined, sector: 's'.repeat(101) }],
    ['to', { from: '2024-05-28', to: '2024-05-01' }],
    ['long', { long: null, short: null }],
    ['long', { long: { top: 1, bottom: 1 } as never }],
    ['ranking', { ranking: undefined as never }],
    ['ranking.kind', { ranking: { kind: 'astrology' } as never }],
    ['ranking.emotion', { ranking: { kind: 'emotion', emotion: 'joyful' } }],
    ['ranking.emotion', { ranking: { kind: 'emotion' } }],
    ['weighting', { weighting: 'vibes' as never }],
    ['rebalance', { rebalance: 'hourly' as never }],
    ['longExposure', { longExposure: 3 }],
    ['volatilityLookback', { volatilityLookback: 1 }],
    ['permutations', { permutations: -1 }],
    ['search', { search: { ranges: {} } }],
    ['search.top', { search: { ranges: { top: [] } } }],
    ['name', { name: '  ' }],
  ];
  it.each(refusals)('refuses a bad %s and stores no run', async (field, patch) => {
    const name = `refused ${randomUUID()}`;
    await expect(portfolios.start({ ...input(patch), name: patch.name ?? name }, owner.userId)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await runsNamed(name)).toBe(0);
  });

  it('refuses tickers without price bars in the period, naming them, and stores no run', async () => {
    const bare = uniqueTicker('F');
    const name = `unpriced ${randomUUID()}`;
    const err = await portfolios.start(input({ name, tickers: [...tickers, bare] }), owner.userId).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'BAD_USER_INPUT', field: 'tickers' });
    expect((err as Error).message).toContain(bare);
    expect(await runsNamed(name)).toBe(0);
  });

  it('starts a PENDING run for its owner only; others see NOT_FOUND; cancel is one-way', async () => {
    const run = await portfolios.start(input({ name: `mine ${randomUUID()}` }), owner.userId);
    expect(run).toMatchObject({ status: BacktestStatus.PENDING, createdBy: owner.userId });
    expect(await portfolios.get(run.id, stranger)).toBeNull();
    expect(await portfolios.get('not-a-uuid', owner)).toBeNull();
    expect((await portfolios.list(stranger)).some((r) => r.id === run.id)).toBe(false);
    expect((await portfolios.list(owner)).map((r) => r.id)).toContain(run.id);
    await expect(portfolios.cancel(run.id, stranger)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await portfolios.get(run.id, owner))?.status).toBe(BacktestStatus.PENDING);
    const cancelled = await portfolios.cancel(run.id, owner);
    expect(cancelled.status).toBe(BacktestStatus.CANCELLED);
    expect((await portfolios.cancel(run.id, owner)).status).toBe(BacktestStatus.CANCELLED);
    await expect(portfolios.list(owner, 0)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });
});
