import { combineBestOfN, walkForwardWindows } from './sweep';
import { combinePermutationChunks } from './permutation';
import { runPortfolioBacktest, type PortfolioConfig, type PortfolioInput } from './portfolio';
import { portfolioPermutationTest, preparePortfolioPermutationTest, runPortfolioPermutationChunk } from './portfolio-permutation';
import { planEquity, portfolioWalkForward, runPortfolioBestOfNChunk } from './portfolio-search';
import { SeededRandom } from './seeded-random';

function market(n: number, m: number, seed: number): PortfolioInput {
  const rng = new SeededRandom(seed);
  const times = Float64Array.from({ length: n }, (_, i) => Date.UTC(2012, 0, 2) + Math.floor(i / 5) * 7 * 86_400_000 + (i % 5) * 86_400_000);
  const assets = Array.from({ length: m }, (_, j) => {
    const open = new Float64Array(n);
    const close = new Float64Array(n);
    const score = new Float64Array(n);
    let p = 30 + j;
    for (let i = 0; i < n; i++) {
      open[i] = p * (1 + (rng.next() - 0.5) * 0.01);
      p = open[i] * (1 + (rng.next() - 0.5) * 0.04);
      close[i] = p;
      score[i] = rng.next();
    }
    return { ticker: `T${j}`, open, close, score };
  });
  return { times, assets, benchmark: { kind: 'universe' } };
}

const configs: PortfolioConfig[] = [
  { long: { top: 1 }, weighting: 'equal', rebalance: 'daily', costBps: 2 },
  { long: { top: 3 }, weighting: 'inverse-volatility', rebalance: 'weekly', costBps: 2 },
  { long: { top: 5 }, weighting: 'equal', rebalance: 'monthly', costBps: 2 },
];

describe('portfolio walk-forward', () => {
  const input = market(700, 6, 1);
  const runs = configs.map((c) => runPortfolioBacktest(input, c));
  const windows = walkForwardWindows(700, 200, 100, { purgeBars: 3, embargoBars: 2 });

  it('with one configuration the stitched curve is that run\'s own, from the first out-of-sample bar', () => {
    const wf = portfolioWalkForward([runs[1].plan], windows, 'sharpe', 252, input.times);
    const first = windows[0].oosStart;
    const last = windows[windows.length - 1].oosEnd;
    expect(wf.equity).toHaveLength(last - first + 1);
    expect(wf.times[0]).toBe(input.times[first]);
    expect(wf.equity[wf.equity.length - 1]).toBeCloseTo(runs[1].equity[last] / runs[1].equity[first], 10);
    expect(planEquity(runs[1].plan)[400]).toBeCloseTo(runs[1].equity[400], 10);
  });

  it('chooses on in-sample bars only: shocking everything after a window\'s in-sample end leaves its choice', () => {
    const wf = portfolioWalkForward(runs.map((r) => r.plan), windows, 'sharpe', 252, input.times);
    for (const step of wf.steps) {
      const k = step.window.isEnd;
      const shocked: PortfolioInput = { ...input, assets: input.assets.map((a) => ({ ...a, close: a.close.map((v, i) => (i > k ? v * (1 + (i % 3) * 0.2) : v)), open: a.open.map((v, i) => (i > k ? v * 0.9 : v)), score: a.score.map((v, i) => (i > k ? 1 - v : v)) })) };
      const again = portfolioWalkForward(configs.map((c) => runPortfolioBacktest(shocked, c).plan), [step.window], 'sharpe', 252, input.times);
      expect(again.steps[0].chosen).toBe(step.chosen);
      expect(again.steps[0].inSampleStatistic).toBe(step.inSampleStatistic);
    }
  });

  it('the stitched plan carries the permutation test; a configuration that knows tomorrow is chosen and significant', () => {
    const foresight: PortfolioInput = { ...input, assets: input.assets.map((a) => ({ ...a, score: a.close.map((_, i) => (i + 1 < 700 ? a.close[i + 1] / a.open[i + 1] : NaN)) })) };
    const plans = [runPortfolioBacktest(input, configs[0]).plan, runPortfolioBacktest(foresight, configs[0]).plan];
    const wf = portfolioWalkForward(plans, windows, 'sharpe', 252, input.times);
    for (const s of wf.steps) expect(s.chosen).toBe(1);
    const test = preparePortfolioPermutationTest(wf.plan, 'sharpe', 252);
    expect(test.observed).toBeCloseTo(wf.metrics.sharpe!, 8);
    expect(combinePermutationChunks(test, [runPortfolioPermutationChunk(test, 2, 0, 200)]).pValue).toBeLessThan(0.01);
  });
});

describe('portfolio best-of-N', () => {
  const input = market(400, 6, 2);
  const tests = configs.map((c) => preparePortfolioPermutationTest(runPortfolioBacktest(input, c).plan, 'sharpe', 252));
  const best = tests.reduce((b, t, i) => (t.observed > tests[b].observed ? i : b), 0);

  it('with one configuration it is the single-run test; chunking is exact; the search-corrected p is never below the naive one', () => {
    const single = portfolioPermutationTest(tests[0].plan, { periodsPerYear: 252, permutations: 150, seed: 5 });
    const one = combineBestOfN([runPortfolioBestOfNChunk([tests[0]], 0, 5, 0, 150)]);
    expect(one.pValue).toBe(single.pValue);
    expect(one.pValueBestAlone).toBe(single.pValue);
    const whole = combineBestOfN([runPortfolioBestOfNChunk(tests, best, 9, 0, 120)]);
    expect(combineBestOfN([runPortfolioBestOfNChunk(tests, best, 9, 0, 50), runPortfolioBestOfNChunk(tests, best, 9, 50, 120)])).toEqual(whole);
    expect(whole.pValue).toBeGreaterThanOrEqual(whole.pValueBestAlone);
  });
});
