import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { Client } from '@temporalio/client';
import { loadBars } from '../../store/signal-input-store';
import { alignTickerBars, barsToArrays, runPortfolioBacktest, smaCrossoverPositions } from '../../domain/backtest';
import { sharedDataPath } from '../../config/paths';
import { Role } from '../../entities';
import { importPrices } from '../../services/price-import.service';
import { createIdentity, type TestIdentity } from '../support/access';
import { startTestStack, type TestStack } from '../support/stack';

interface Run {
  id: string;
  status: string;
  stage: string;
  tickers: string[];
  tickersDone: number;
  tickersTotal: number;
  permutationsDone: number;
  permutationsTotal: number;
  pValue: number | null;
  error: string | null;
  workflowId: string;
  metrics: { totalReturn: number; sharpe: number; turnover: number; costsPaid: number; fills: number; maxDrawdown: number } | null;
  benchmark: { name: string; totalReturn: number } | null;
  equity: Array<{ time: number; equity: number; benchmark: number }>;
  holdings: Array<{ time: number; weights: Array<{ ticker: string; weight: number }> }>;
  perTicker: Array<{ ticker: string; contribution: number; exposure: number; fills: number }>;
  permutation: { statistic: string; observed: number; permutations: number | null; permuted: string | null; pValueBestAlone: number | null } | null;
  search: {
    kind: string;
    bestIndex: number | null;
    configs: Array<{ index: number; overrides: Record<string, unknown>; statistic: number; totalReturn: number | null; sharpe: number | null }>;
    windows: Array<{ index: number; inSampleFrom: string; inSampleTo: string; outOfSampleFrom: string; outOfSampleTo: string; chosen: number; inSampleStatistic: number }> | null;
  } | null;
  warnings: string[];
  rebalances: number | null;
}
const FIELDS = `id status stage tickers tickersDone tickersTotal permutationsDone permutationsTotal pValue error workflowId
  metrics { totalReturn sharpe turnover costsPaid fills maxDrawdown } benchmark { name totalReturn }
  equity { time equity benchmark } holdings { time weights { ticker weight } } perTicker { ticker contribution exposure fills }
  permutation { statistic observed permutations permuted pValueBestAlone } warnings rebalances
  search { kind bestIndex configs { index overrides statistic totalReturn sharpe } windows { index inSampleFrom inSampleTo outOfSampleFrom outOfSampleTo chosen inSampleStatistic } }`;

describe('portfolio backtests over GraphQL: service -> portfolioBacktestWorkflow -> activities, real PostgreSQL and Temporal', () => {
  let stack: TestStack;
  let admin: TestIdentity;
  let user: TestIdentity;

  beforeAll(async () => {
    stack = await startTestStack({ worker: true });
    admin = await createIdentity(stack.api.db, Role.ADMIN);
    user = await createIdentity(stack.api.db, Role.USER);
    for (const [ticker, file] of [['AAPL', 'AAPL_daily.tsv'], ['MSFT', 'MSFT_daily.tsv'], ['SPY', 'SPY_daily.csv']]) {
      await importPrices(stack.api.db, { ticker, csv: fs.readFileSync(sharedDataPath('prices', file), 'utf8') });
    }
  });
  afterAll(() => stack.stop());

  const run = (input: Record<string, unknown>, who = admin) =>
    stack.gql<{ runPortfolioBacktest: Run }>(`mutation($input: RunPortfolioBacktestInput!) { runPortfolioBacktest(input: $input) { ${FIELDS} } }`, { input }, who.headers);
  const get = async (id: string, who = admin) => (await stack.gql<{ portfolioBacktest: Run | null }>(`query($id: ID!) { portfolioBacktest(id: $id) { ${FIELDS} } }`, { id }, who.headers)).data!.portfolioBacktest;
  async function until(id: string, done: (r: Run) => boolean, timeoutMs = 90_000): Promise<Run> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const r = (await get(id))!;
      if (done(r)) return r;
      if (Date.now() > end) throw new Error(`portfolio backtest ${id} still ${r.status}/${r.stage}: ${r.error ?? ''}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  const base = {
    tickers: ['aapl', 'MSFT', 'SPY'], from: '2005-01-01T00:00:00Z', to: '2015-01-01T00:00:00Z',
    ranking: 'STRATEGY', strategy: { kind: 'smaCrossover', fastWindow: 20, slowWindow: 100 },
  };

  it('rejects bad input with clear errors before anything is stored', async () => {
    const [{ before }] = await stack.api.db.query('SELECT count(*)::int AS before FROM portfolio_backtests');
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ tickers: undefined }, /give either tickers or a sector/],
      [{ sector: 'Energy' }, /give either tickers or a sector/],
      [{ tickers: ['AAPL', 'NOPRICES'] }, /no 1d price bars .* for NOPRICES; import their prices first/],
      [{ from: '2015-01-01T00:00:00Z', to: '2005-01-01T00:00:00Z' }, /to: must be after from/],
      [{ strategy: { kind: 'smaCrossover', fastWindow: 100, slowWindow: 20 } }, /strategy.slowWindow: must be above fastWindow/],
      [{ strategy: undefined }, /strategy is required with ranking STRATEGY/],
      [{ long: { top: 2, bottom: 1 } }, /long: give exactly one of top, bottom, above, below/],
      [{ benchmark: 'NOPRICES' }, /benchmark: no 1d price bars for NOPRICES/],
      [{ sector: 'No Such Sector', tickers: undefined }, /no instrument in sector "No Such Sector"/],
      [{ ranking: 'EMOTION', strategy: undefined, emotion: 'joyful' }, /ranking.emotion: is required with ranking emotion: one of neutral, happy, sad, anger, disgust, surprise, fear/],
      [{ ranking: 'EMOTION', strategy: undefined }, /ranking.emotion: is required/],
    ];
    for (const [patch, message] of cases) {
      const r = await run({ ...base, ...patch });
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0]?.message).toMatch(message);
    }
    const [{ after }] = await stack.api.db.query('SELECT count(*)::int AS after FROM portfolio_backtests');
    expect(after).toBe(before);
  });

  it('runs AAPL+MSFT+SPY ranked by an SMA crossover, top 2, inverse volatility, monthly, against SPY: typed results equal the engine, p-value, progress', async () => {
    const started = await run({ ...base, long: { top: 2 }, weighting: 'INVERSE_VOLATILITY', rebalance: 'MONTHLY', costBps: 5, slippageBps: 2, benchmark: 'spy', permutations: 300, seed: 7 });
    expect(started.errors).toBeUndefined();
    const s = started.data!.runPortfolioBacktest;
    expect(s).toMatchObject({ status: 'PENDING', tickers: ['AAPL', 'MSFT', 'SPY'], tickersTotal: 3, permutationsTotal: 300, workflowId: `portfolio-backtest-${s.id}` });
    const done = await until(s.id, (r) => r.status !== 'PENDING' && r.status !== 'RUNNING');
    expect(done).toMatchObject({ status: 'COMPLETED', stage: 'DONE', tickersDone: 3, permutationsDone: 300 });
    expect(done.pValue).toBeGreaterThan(0);
    expect(done.pValue).toBeLessThanOrEqual(1);
    expect(done.permutation).toMatchObject({ statistic: 'sharpe', permutations: 300 });
    expect(done.permutation!.permuted).toMatch(/whole bars/);

    // The same run through the engine directly, on the same bars: the stored result is the engine's.
    const db = stack.api.db;
    const series = [];
    for (const t of ['AAPL', 'MSFT', 'SPY']) series.push({ ticker: t, ...barsToArrays(await loadBars(db, t, '1d', new Date(base.from), new Date(base.to))) });
    const { times, bars } = alignTickerBars(series);
    const spy = bars[2];
    const direct = runPortfolioBacktest(
      { times, assets: bars.map((b) => ({ ...b, score: smaCrossoverPositions(b.close, { fastWindow: 20, slowWindow: 100 }) })), benchmark: { kind: 'ticker', ticker: 'SPY', open: spy.open, close: spy.close } },
      { long: { top: 2 }, weighting: 'inverse-volatility', volatilityLookback: 20, rebalance: 'monthly', execution: 'next-open', costBps: 5, slippageBps: 2, longExposure: 1, shortExposure: 0 },
    );
    expect(done.metrics!.totalReturn).toBeCloseTo(direct.totalReturn, 10);
    expect(done.metrics!.sharpe).toBeCloseTo(direct.sharpe!, 10);
    expect(done.metrics!.fills).toBe(direct.fills);
    expect(done.metrics!.costsPaid).toBeGreaterThan(0);
    expect(done.benchmark).toMatchObject({ name: 'SPY' });
    expect(done.benchmark!.totalReturn).toBeCloseTo(spy.close[spy.close.length - 1] / spy.open[1] - 1, 10);
    // Curves: both start at 1, end at their total returns, share the time axis.
    expect(done.equity[0]).toMatchObject({ equity: 1, benchmark: 1, time: times[0] });
    const last = done.equity[done.equity.length - 1];
    expect(last.equity).toBeCloseTo(1 + direct.totalReturn, 10);
    expect(last.benchmark).toBeCloseTo(1 + done.benchmark!.totalReturn, 10);
    // Holdings: one entry per rebalance, at most two tickers each, weights within the cash.
    expect(done.rebalances).toBe(direct.rebalances.length);
    expect(done.holdings).toHaveLength(direct.rebalances.length);
    for (const h of done.holdings) {
      expect(h.weights.length).toBeLessThanOrEqual(2);
      expect(h.weights.reduce((a, w) => a + w.weight, 0)).toBeLessThanOrEqual(1 + 1e-9);
    }
    expect(done.perTicker.map((t) => t.ticker)).toEqual(['AAPL', 'MSFT', 'SPY']);
    expect(done.perTicker.reduce((a, t) => a + t.contribution, 0)).toBeCloseTo(direct.totalReturn, 10);

    // Someone else's run is not found, like a missing one.
    expect(await get(s.id, user)).toBeNull();
  });

  it('cancels a running portfolio backtest: the row says CANCELLED and the workflow stops', async () => {
    const started = await run({ ...base, long: { top: 1 }, rebalance: 'DAILY', from: '2000-01-01T00:00:00Z', permutations: 10000, seed: 1 });
    expect(started.errors).toBeUndefined();
    const id = started.data!.runPortfolioBacktest.id;
    await until(id, (r) => r.stage === 'PERMUTATIONS' || r.status !== 'RUNNING' && r.status !== 'PENDING');
    const cancelled = await stack.gql<{ cancelPortfolioBacktest: { status: string } }>('mutation($id: ID!) { cancelPortfolioBacktest(id: $id) { status } }', { id }, admin.headers);
    expect(cancelled.data!.cancelPortfolioBacktest.status).toBe('CANCELLED');
    const temporal = new Client({ connection: stack.api.temporalConnection });
    const handle = temporal.workflow.getHandle(`portfolio-backtest-${id}`);
    await expect(handle.result()).rejects.toThrow();
    expect((await handle.describe()).status.name).toBe('CANCELLED');
    const after = (await get(id))!;
    expect(after.status).toBe('CANCELLED');
    expect(after.permutationsDone).toBeLessThan(10000);
  });

  it('a sweep over portfolio configurations: every configuration ranked, the best one shown, best-of-N p-value against the whole search', async () => {
    const started = await run({ ...base, search: { top: [1, 2, 3], rebalance: ['WEEKLY', 'MONTHLY'] }, costBps: 5, permutations: 200, seed: 3 });
    expect(started.errors).toBeUndefined();
    const done = await until(started.data!.runPortfolioBacktest.id, (r) => r.status !== 'PENDING' && r.status !== 'RUNNING');
    expect(done.status).toBe('COMPLETED');
    const search = done.search!;
    expect(search.kind).toBe('sweep');
    expect(search.configs).toHaveLength(6);
    expect(search.configs.map((c) => c.overrides)).toContainEqual({ top: 3, rebalance: 'weekly' });
    const best = search.configs.reduce((b, c) => (c.statistic > b.statistic ? c : b));
    expect(search.bestIndex).toBe(best.index);
    expect(done.metrics!.totalReturn).toBeCloseTo(best.totalReturn!, 10);
    expect(done.permutation!.observed).toBeCloseTo(best.statistic, 10);
    expect(done.pValue).toBeGreaterThanOrEqual(done.permutation!.pValueBestAlone!);
    expect(done.permutation!.permuted).toMatch(/best-of-N/);
  });

  it('a purged and embargoed walk-forward over portfolio configurations: choices per window, stitched out-of-sample equity against the benchmark, its permutation p-value', async () => {
    const started = await run({ ...base, benchmark: 'SPY', search: { top: [1, 2], weighting: ['EQUAL', 'INVERSE_VOLATILITY'], walkForward: { inSampleBars: 500, outOfSampleBars: 250, purgeBars: 5, embargoBars: 3 } }, permutations: 200, seed: 4 });
    expect(started.errors).toBeUndefined();
    const done = await until(started.data!.runPortfolioBacktest.id, (r) => r.status !== 'PENDING' && r.status !== 'RUNNING');
    expect(done.status).toBe('COMPLETED');
    const search = done.search!;
    expect(search.kind).toBe('walkForward');
    expect(search.configs).toHaveLength(4);
    const times: Array<{ time: Date }> = await stack.api.db.query(`SELECT DISTINCT time FROM price_bars WHERE ticker IN ('AAPL', 'MSFT', 'SPY') AND interval = '1d' AND time >= $1 AND time <= $2 ORDER BY time`, [base.from, base.to]);
    const index = new Map(times.map((t, i) => [new Date(t.time).toISOString(), i]));
    expect(search.windows!.length).toBeGreaterThan(5);
    for (const [k, w] of search.windows!.entries()) {
      expect(index.get(w.outOfSampleFrom)! - index.get(w.inSampleTo)!).toBe(8);
      expect(w.chosen).toBeGreaterThanOrEqual(0);
      expect(w.chosen).toBeLessThan(4);
      if (k > 0) expect(w.outOfSampleFrom).toBe(search.windows![k - 1].outOfSampleTo);
    }
    expect(done.equity[0]).toMatchObject({ equity: 1, benchmark: 1, time: Date.parse(search.windows![0].outOfSampleFrom) });
    const last = done.equity[done.equity.length - 1];
    expect(last.equity).toBeCloseTo(1 + done.metrics!.totalReturn, 10);
    expect(last.benchmark).toBeCloseTo(1 + done.benchmark!.totalReturn, 10);
    expect(done.permutation!.observed).toBeCloseTo(done.metrics!.sharpe, 8);
    expect(done.permutationsDone).toBe(200);
    expect(done.pValue).toBeGreaterThan(0);
    expect(done.holdings.length).toBeGreaterThan(10);
    expect(done.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/switching holdings between configurations at a window boundary is not charged/)]));
  });

  it('a sector universe resolves to the priced members of the sector; tickers without scores are never selected, and say so', async () => {
    const started = await run({ sector: 'Information Technology', from: base.from, to: base.to, ranking: 'SENTIMENT', windowHours: 24, permutations: 0 });
    expect(started.errors).toBeUndefined();
    const s = started.data!.runPortfolioBacktest;
    expect(s.tickers).toEqual(expect.arrayContaining(['AAPL', 'MSFT']));
    expect(s.tickers).not.toContain('SPY');
    const done = await until(s.id, (r) => r.status !== 'PENDING' && r.status !== 'RUNNING');
    expect(done.status).toBe('COMPLETED');
    expect(done.pValue).toBeNull();
    // The test files share one database, and others may store scored articles for some members of
    // the sector in this period: the rule is checked per ticker, on those the run says had none.
    const unscored = done.warnings.map((w) => /^(\S+): no scored stories/.exec(w)?.[1]).filter((t): t is string => !!t);
    // (Which members have scored stories depends on what the other tests stored, this file's emotion test included.)
    expect(unscored.every((t) => s.tickers.includes(t))).toBe(true);
    for (const t of done.perTicker.filter((p) => unscored.includes(p.ticker))) expect(t).toMatchObject({ fills: 0, exposure: 0, contribution: 0 });
    for (const h of done.holdings) for (const w of h.weights) if (unscored.includes(w.ticker)) expect(w.weight).toBe(0);
    if (unscored.length === s.tickers.length) {
      expect(done.metrics!.fills).toBe(0);
      expect(done.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/no trades in the period/)]));
    }
    expect(done.benchmark!.name).toBe('equal-weight universe');
  });
  it('ranks by emotion share: the ticker whose stored articles carry the emotion more often is the one held', async () => {
    const db = stack.api.db;
    // 2008: AAPL's articles are 3 fear : 1 happy, MSFT's 1 fear : 3 happy; SPY has none. Each article's latest emotion row counts.
    async function story(ticker: string, publishedAt: string, label: string) {
      const [{ id }] = await db.query(`INSERT INTO articles (source, url_hash, title, published_at) VALUES ('import', $1, $2, $3) RETURNING id`, [
        createHash('sha256').update(randomUUID()).digest('hex'), `${ticker} emotion story`, publishedAt]);
      await db.query(`INSERT INTO article_tickers (article_id, ticker, relevance, matched_by, published_at) VALUES ($1, $2, 1, '{cashtag}', $3)`, [id, ticker, publishedAt]);
      await db.query(
        `INSERT INTO article_emotions (article_id, model_version, label, prob_neutral, prob_happy, prob_sad, prob_anger, prob_disgust, prob_surprise, prob_fear)
         VALUES ($1, 'pb-emotion-test', $2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.4)`, [id, label]);
    }
    for (const [day, a, m] of [['02', 'fear', 'happy'], ['09', 'fear', 'happy'], ['16', 'fear', 'fear'], ['23', 'happy', 'happy']]) {
      await story('AAPL', `2008-01-${day}T15:00:00Z`, a);
      await story('MSFT', `2008-01-${day}T15:00:00Z`, m);
    }
    const range = { tickers: ['AAPL', 'MSFT', 'SPY'], from: '2008-02-01T00:00:00Z', to: '2008-10-01T00:00:00Z', windowHours: 24 * 365, long: { top: 1 }, rebalance: 'MONTHLY', permutations: 0 };
    for (const [emotion, held, other] of [['fear', 'AAPL', 'MSFT'], ['happy', 'MSFT', 'AAPL']]) {
      const started = await run({ ...range, ranking: 'EMOTION', emotion });
      expect(started.errors).toBeUndefined();
      const done = await until(started.data!.runPortfolioBacktest.id, (r) => r.status !== 'PENDING' && r.status !== 'RUNNING');
      expect(done.status).toBe('COMPLETED');
      expect(done.holdings.length).toBeGreaterThan(3);
      for (const h of done.holdings) {
        expect(h.weights.find((w) => w.ticker === held)?.weight).toBeCloseTo(1, 9);
        for (const w of h.weights) if (w.ticker !== held) expect(w.weight).toBe(0);
      }
      expect(done.perTicker.find((t) => t.ticker === held)!.exposure).toBeGreaterThan(0);
      expect(done.perTicker.find((t) => t.ticker === other)).toMatchObject({ exposure: 0, fills: 0 });
      expect(done.warnings).toEqual(expect.arrayContaining([expect.stringMatching(/^SPY: no emotion-scored stories/)]));
    }
  });
});
