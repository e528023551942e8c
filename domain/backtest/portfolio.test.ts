import { alignTickerBars, decideWeights, runPortfolioBacktest, type PortfolioAsset, type PortfolioConfig, type PortfolioInput } from './portfolio';
import { portfolioPermutationTest, preparePortfolioPermutationTest, runPortfolioPermutationChunk, portfolioPlanStatistic } from './portfolio-permutation';
import { combinePermutationChunks, shuffledBarOrder, shuffleReturns } from './permutation';
import { SeededRandom } from './seeded-random';

const DAY = 86_400_000;

/** m random-walk tickers on weekdays from 2015-01-05, scores random unless given. */
function market(n: number, m: number, seed: number): PortfolioInput {
  const rng = new SeededRandom(seed);
  const times = new Float64Array(n);
  let t = Date.UTC(2015, 0, 5);
  for (let i = 0; i < n; i++) {
    times[i] = t;
    t += new Date(t).getUTCDay() === 5 ? 3 * DAY : DAY;
  }
  const assets: PortfolioAsset[] = [];
  for (let j = 0; j < m; j++) {
    const open = new Float64Array(n);
    const close = new Float64Array(n);
    const score = new Float64Array(n);
    let p = 50 + 10 * j;
    for (let i = 0; i < n; i++) {
      open[i] = p * (1 + (rng.next() - 0.5) * 0.01);
      p = open[i] * (1 + (rng.next() - 0.5) * 0.04);
      close[i] = p;
      score[i] = rng.next() - 0.5;
    }
    assets.push({ ticker: `T${j}`, open, close, score });
  }
  return { times, assets, benchmark: { kind: 'universe' } };
}

const base: PortfolioConfig = { long: { top: 3 }, weighting: 'equal', rebalance: 'weekly', costBps: 10, slippageBps: 5 };

describe('runPortfolioBacktest', () => {
  const input = market(400, 8, 1);

  it.each(['next-open', 'next-close'] as const)('the per-bar plan reproduces the equity curve (%s), and contributions add up to the total return', (execution) => {
    const r = runPortfolioBacktest(input, { ...base, execution });
    let e = 1;
    for (let i = 1; i < r.plan.n; i++) {
      let g = 0;
      let b = 0;
      for (let j = 0; j < r.plan.m; j++) {
        g += r.plan.before[i * r.plan.m + j] * r.plan.gap[i * r.plan.m + j];
        b += r.plan.after[i * r.plan.m + j] * r.plan.body[i * r.plan.m + j];
      }
      e *= (1 + g) * (1 - r.plan.cost[i]) * (1 + b);
      expect(e).toBeCloseTo(r.equity[i], 10);
    }
    const contributions = r.perTicker.reduce((s, t) => s + t.contribution, 0);
    expect(contributions).toBeCloseTo(r.totalReturn, 12);
    expect(r.costsPaid).toBeGreaterThan(0);
    expect(r.turnover).toBeGreaterThan(0);
  });

  it('decides at the close of the first bar of each week and trades at the next bar', () => {
    const r = runPortfolioBacktest(input, base);
    for (const rb of r.rebalances) {
      expect(rb.bar).toBe(rb.decisionBar + 1);
      const day = new Date(input.times[rb.decisionBar]);
      if (rb.decisionBar > 0) expect(day.getUTCDay()).toBe(1); // weekdays only, no holidays: first bar of the week is a Monday
    }
    // Three equal weights after each rebalance (drift aside, they sum to ~1 minus the cash kept back by fees).
    const last = r.rebalances[r.rebalances.length - 1];
    expect([...last.weights].filter((w) => w > 0)).toHaveLength(3);
    for (const w of last.weights) if (w > 0) expect(w).toBeCloseTo(1 / 3, 2);
    // Monthly: one rebalance per calendar month.
    const monthly = runPortfolioBacktest(input, { ...base, rebalance: 'monthly' });
    const months = new Set(monthly.rebalances.map((rb) => new Date(input.times[rb.decisionBar]).toISOString().slice(0, 7)));
    expect(months.size).toBe(monthly.rebalances.length);
    expect(runPortfolioBacktest(input, { ...base, rebalance: 'daily' }).rebalances).toHaveLength(399);
  });

  it.each(['next-open', 'next-close'] as const)('point in time (%s): changing prices and scores after bar k never changes equity or decisions up to k', (execution) => {
    const r = runPortfolioBacktest(input, { ...base, execution, weighting: 'inverse-volatility', rebalance: 'daily' });
    for (const k of [50, 173, 300]) {
      const shocked: PortfolioInput = {
        ...input,
        assets: input.assets.map((a, j) => ({
          ...a,
          open: a.open.map((v, i) => (i > k ? v * (1 + 0.3 * ((i + j) % 3)) : v)),
          close: a.close.map((v, i) => (i > k ? v * (2 - 0.4 * ((i * j) % 4)) : v)),
          score: a.score.map((v, i) => (i > k ? -v * 7 : v)),
        })),
      };
      const s = runPortfolioBacktest(shocked, { ...base, execution, weighting: 'inverse-volatility', rebalance: 'daily' });
      for (let i = 0; i <= k; i++) expect(s.equity[i]).toBe(r.equity[i]);
      for (const rb of r.rebalances.filter((x) => x.bar <= k)) {
        const same = s.rebalances.find((x) => x.bar === rb.bar)!;
        expect([...same.weights]).toEqual([...rb.weights]);
      }
      expect(s.equity[k + 1]).not.toBe(r.equity[k + 1]);
    }
  });

  it('never uses cash it does not have: costs cut the last buy, cash stays >= 0', () => {
    const r = runPortfolioBacktest(input, { ...base, costBps: 100, slippageBps: 50, rebalance: 'daily' });
    for (const rb of r.rebalances) {
      const invested = rb.weights.reduce((s, w) => s + w, 0);
      expect(invested).toBeLessThanOrEqual(1 + 1e-12);
    }
  });

  it('an asset with no bar neither trades nor re-prices, and is valued at its last close', () => {
    const gappy = market(60, 3, 5);
    gappy.assets[1].open.fill(NaN, 20, 30);
    gappy.assets[1].close.fill(NaN, 20, 30);
    const r = runPortfolioBacktest(gappy, { long: { top: 3 }, weighting: 'equal', rebalance: 'daily' });
    // Still held through the gap (it cannot be sold without a bar), valued at its last close.
    for (const rb of r.rebalances.filter((x) => x.bar >= 20 && x.bar < 30)) expect(rb.weights[1]).toBeGreaterThan(0);
    for (let i = 20; i < 30; i++) expect(Number.isFinite(r.equity[i])).toBe(true);
    // Without a close on bar 20 the ticker is not eligible in that decision.
    expect(decideWeights(gappy, { long: { top: 3 }, weighting: 'equal', rebalance: 'daily' }, 20)[1]).toBe(0);
  });

  it('long/short books: top-N long and bottom-N short at their exposures', () => {
    const w = decideWeights(input, { long: { top: 2 }, short: { bottom: 2 }, longExposure: 0.5, shortExposure: 0.5, weighting: 'equal', rebalance: 'daily' }, 10);
    const scores = input.assets.map((a) => a.score[10]);
    const order = scores.map((s, j) => j).sort((a, b) => scores[b] - scores[a]);
    expect(w[order[0]]).toBeCloseTo(0.25, 15);
    expect(w[order[1]]).toBeCloseTo(0.25, 15);
    expect(w[order[6]]).toBeCloseTo(-0.25, 15);
    expect(w[order[7]]).toBeCloseTo(-0.25, 15);
    const r = runPortfolioBacktest(input, { long: { top: 2 }, short: { bottom: 2 }, longExposure: 0.5, shortExposure: 0.5, weighting: 'confidence', rebalance: 'weekly', costBps: 5 });
    expect(r.rebalances.some((rb) => rb.weights.some((x) => x < 0))).toBe(true);
    expect(r.perTicker.reduce((s, t) => s + t.contribution, 0)).toBeCloseTo(r.totalReturn, 12);
  });

  it('benchmarks: a chosen ticker bought at the first fill and held, or the equal-weight universe', () => {
    const spy = market(400, 1, 9).assets[0];
    const r = runPortfolioBacktest({ ...input, benchmark: { kind: 'ticker', ticker: 'SPY', open: spy.open, close: spy.close } }, base);
    expect(r.benchmark.name).toBe('SPY');
    expect(r.benchmarkEquity[0]).toBe(1);
    expect(r.benchmarkEquity[399]).toBeCloseTo(spy.close[399] / spy.open[1], 12);
    const u = runPortfolioBacktest(input, base);
    const expected = input.assets.reduce((s, a) => s + a.close[399] / a.open[1], 0) / input.assets.length;
    expect(u.benchmarkEquity[399]).toBeCloseTo(expected, 12);
    expect(u.benchmark.totalReturn).toBeCloseTo(expected - 1, 12);
  });

  it('rejects malformed inputs', () => {
    expect(() => runPortfolioBacktest({ ...input, assets: [] }, base)).toThrow(/at least one ticker/);
    expect(() => runPortfolioBacktest(input, { ...base, long: undefined })).toThrow(/long or a short/);
    expect(() => runPortfolioBacktest({ ...input, assets: [{ ...input.assets[0], score: new Float64Array(3) }] }, base)).toThrow(/one entry per bar/);
  });
});

describe('alignTickerBars', () => {
  it('unions or intersects the calendars, NaN where a ticker has no bar', () => {
    const a = { ticker: 'A', times: [1, 2, 3], open: [10, 11, 12], close: [10.5, 11.5, 12.5] };
    const b = { ticker: 'B', times: [2, 3, 4], open: [20, 21, 22], close: [20.5, 21.5, 22.5] };
    const u = alignTickerBars([a, b]);
    expect([...u.times]).toEqual([1, 2, 3, 4]);
    expect([...u.bars[0].close]).toEqual([10.5, 11.5, 12.5, NaN]);
    expect([...u.bars[1].open]).toEqual([NaN, 20, 21, 22]);
    const x = alignTickerBars([a, b], 'intersection');
    expect([...x.times]).toEqual([2, 3]);
  });
});

describe('portfolio permutation test', () => {
  it('shuffles whole bars in the same order as the single-ticker test', () => {
    const gap = Float64Array.from({ length: 50 }, (_, i) => i * 0.01);
    const body = Float64Array.from({ length: 50 }, (_, i) => -i * 0.01);
    const g = new Float64Array(50);
    const b = new Float64Array(50);
    shuffleReturns({ gap, body, n: 50 }, g, b, 42, 7);
    const order = new Int32Array(50);
    shuffledBarOrder(50, 42, 7, order);
    expect([...g]).toEqual([...order].map((k) => gap[k]));
    expect([...b]).toEqual([...order].map((k) => body[k]));
  });

  it('the unshuffled statistic is the run\'s own Sharpe; chunking does not change counts', () => {
    const input = market(300, 6, 2);
    const r = runPortfolioBacktest(input, { ...base, periodsPerYear: 252 });
    const test = preparePortfolioPermutationTest(r.plan, 'sharpe', 252);
    expect(test.observed).toBeCloseTo(r.sharpe!, 8);
    const whole = combinePermutationChunks(test, [runPortfolioPermutationChunk(test, 3, 0, 120)]);
    const parts = combinePermutationChunks(test, [runPortfolioPermutationChunk(test, 3, 0, 50), runPortfolioPermutationChunk(test, 3, 50, 120)]);
    expect(parts).toEqual(whole);
    const order = new Int32Array(r.plan.n).map((_, i) => i);
    expect(portfolioPlanStatistic(r.plan, order, 'totalReturn', 252)).toBeCloseTo(r.totalReturn, 10);
  });

  it('finds planted skill (scores that know tomorrow) and not random scores', () => {
    const input = market(500, 10, 3);
    const foresight: PortfolioInput = {
      ...input,
      assets: input.assets.map((a) => ({ ...a, score: a.close.map((c, i) => (i + 1 < a.close.length ? a.close[i + 1] / a.open[i + 1] : NaN)) })),
    };
    const cfg: PortfolioConfig = { long: { top: 3 }, weighting: 'equal', rebalance: 'daily', costBps: 1, periodsPerYear: 252 };
    const skilled = runPortfolioBacktest(foresight, cfg);
    expect(portfolioPermutationTest(skilled.plan, { periodsPerYear: 252, permutations: 200, seed: 1 }).pValue).toBeLessThan(0.01);
    const random = runPortfolioBacktest(input, cfg);
    expect(portfolioPermutationTest(random.plan, { periodsPerYear: 252, permutations: 200, seed: 1 }).pValue).toBeGreaterThan(0.05);
  });
});
