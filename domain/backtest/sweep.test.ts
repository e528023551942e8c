import { permutationTest, preparePermutationTest } from './permutation';
import { SeededRandom } from './seeded-random';
import { backtestSlice, combineBestOfN, expandGrid, prepareWalkForwardPermutationTest, runBestOfNChunk, stitchEquity, walkForwardStep, walkForwardWindows } from './sweep';
import { combinePermutationChunks, runPermutationChunk } from './permutation';
import { runBacktest } from './engine';

function randomWalk(n: number, seed: number) {
  const rng = new SeededRandom(seed);
  const close = new Float64Array(n);
  const open = new Float64Array(n);
  const times = new Float64Array(n);
  let p = 100;
  for (let i = 0; i < n; i++) {
    open[i] = p * (1 + (rng.next() - 0.5) * 0.004);
    p = open[i] * (1 + (rng.next() - 0.5) * 0.03);
    close[i] = p;
    times[i] = Date.UTC(2010, 0, 4) + i * 86_400_000 * (7 / 5);
  }
  return { close, open, times };
}

function randomTargets(n: number, seed: number): Float64Array {
  const rng = new SeededRandom(seed);
  const t = new Float64Array(n);
  let pos = 0;
  for (let i = 0; i < n; i++) {
    if (rng.next() < 0.1) pos = rng.next() < 0.5 ? 0 : 1;
    t[i] = pos;
  }
  return t;
}

describe('expandGrid', () => {
  it('is the cartesian product, last key fastest, empty ranges ignored', () => {
    expect(expandGrid({ a: [1, 2], b: [null, true], c: [] })).toEqual([
      { a: 1, b: null }, { a: 1, b: true }, { a: 2, b: null }, { a: 2, b: true },
    ]);
    expect(expandGrid({})).toEqual([{}]);
  });
});

describe('best-of-N permutation test', () => {
  const bars = randomWalk(600, 3);
  const tests = Array.from({ length: 40 }, (_, c) => preparePermutationTest(bars, randomTargets(600, 100 + c), { costBps: 1, statistic: 'sharpe' }));
  const best = tests.reduce((b, t, i) => (t.observed > tests[b].observed ? i : b), 0);

  it('with one configuration it is exactly the single-run test (same permutation streams)', () => {
    const targets = randomTargets(600, 7);
    const single = permutationTest(bars, targets, { costBps: 1, statistic: 'sharpe', permutations: 300, seed: 5 });
    const one = combineBestOfN([runBestOfNChunk([preparePermutationTest(bars, targets, { costBps: 1, statistic: 'sharpe' })], 0, 5, 0, 300)]);
    expect(one.pValue).toBe(single.pValue);
    expect(one.pValueBestAlone).toBe(single.pValue);
  });

  it('any chunking gives the same counts', () => {
    const whole = runBestOfNChunk(tests, best, 9, 0, 200);
    const parts = [runBestOfNChunk(tests, best, 9, 0, 77), runBestOfNChunk(tests, best, 9, 77, 150), runBestOfNChunk(tests, best, 9, 150, 200)];
    expect(combineBestOfN(parts)).toEqual(combineBestOfN([whole]));
  });

  it('corrects for the search: the best of 40 random strategies looks significant alone, not against the search', () => {
    const r = combineBestOfN([runBestOfNChunk(tests, best, 9, 0, 500)]);
    expect(r.pValue).toBeGreaterThanOrEqual(r.pValueBestAlone);
    // Selection bias at work: the naive p of the luckiest of 40 is far smaller than the corrected one.
    expect(r.pValue).toBeGreaterThan(0.05);
    expect(r.pValueBestAlone).toBeLessThan(r.pValue / 2);
  });
});

describe('walk-forward', () => {
  it('windows roll by the out-of-sample length and tile the period after the first in-sample span', () => {
    const w = walkForwardWindows(1000, 250, 100);
    expect(w[0]).toEqual({ index: 0, isStart: 0, isEnd: 249, oosStart: 249, oosEnd: 349 });
    expect(w[1]).toEqual({ index: 1, isStart: 100, isEnd: 349, oosStart: 349, oosEnd: 449 });
    expect(w[w.length - 1].oosEnd).toBe(999);
    for (let i = 1; i < w.length; i++) expect(w[i].isEnd).toBe(w[i - 1].oosEnd);
    expect(() => walkForwardWindows(100, 2, 10)).toThrow();
    expect(walkForwardWindows(100, 200, 10)).toEqual([]);
  });

  it('chooses in sample only, and the stitched equity compounds the out-of-sample slices', () => {
    const bars = randomWalk(800, 4);
    const configs = [randomTargets(800, 1), randomTargets(800, 2), randomTargets(800, 3)];
    const windows = walkForwardWindows(800, 300, 100);
    const steps = windows.map((w) => walkForwardStep(bars, configs, () => ({ costBps: 2 }), w, (r) => r.sharpe));
    for (const s of steps) {
      const inSample = configs.map((c) => backtestSlice(bars, c, s.window.isStart, s.window.isEnd, { costBps: 2 }).sharpe ?? -Infinity);
      expect(s.chosen).toBe(inSample.indexOf(Math.max(...inSample)));
      // Changing prices after the in-sample span never changes the choice.
      const shocked = { ...bars, close: bars.close.slice(), open: bars.open.slice() };
      for (let i = s.window.isEnd + 1; i < 800; i++) {
        shocked.close[i] *= 3;
        shocked.open[i] *= 0.5;
      }
      expect(walkForwardStep(shocked, configs, () => ({ costBps: 2 }), s.window, (r) => r.sharpe).chosen).toBe(s.chosen);
    }
    const stitched = stitchEquity(bars.times, steps.map((s) => ({ startBar: s.window.isEnd, equity: s.outOfSample.equity })), 252);
    expect(stitched.equity.length).toBe(800 - 300 + 1);
    const compounded = steps.reduce((acc, s) => acc * (1 + s.outOfSample.totalReturn), 1);
    expect(stitched.equity[stitched.equity.length - 1]).toBeCloseTo(compounded, 10);
    expect(stitched.metrics.totalReturn).toBeCloseTo(compounded - 1, 10);
    // A single window's slice is the engine on that slice.
    const s0 = steps[0];
    expect(s0.outOfSample.totalReturn).toBeCloseTo(runBacktest({ close: bars.close.subarray(299, 400), open: bars.open.subarray(299, 400), times: bars.times.subarray(299, 400) }, configs[s0.chosen].subarray(299, 400), { costBps: 2 }).totalReturn, 12);
  });
});

describe('purged and embargoed walk-forward', () => {
  it('purge ends the in-sample span early, embargo starts the out-of-sample span late; out-of-sample spans still tile', () => {
    const w = walkForwardWindows(1000, 250, 100, { purgeBars: 5, embargoBars: 10 });
    expect(w[0]).toEqual({ index: 0, isStart: 0, isEnd: 244, oosStart: 259, oosEnd: 359 });
    expect(w[1]).toEqual({ index: 1, isStart: 100, isEnd: 344, oosStart: 359, oosEnd: 459 });
    for (const x of w) expect(x.oosStart - x.isEnd).toBe(15);
    for (let i = 1; i < w.length; i++) expect(w[i].oosStart).toBe(w[i - 1].oosEnd);
    expect(w[w.length - 1].oosEnd).toBe(999);
    expect(walkForwardWindows(1000, 250, 100, { purgeBars: 0, embargoBars: 0 })).toEqual(walkForwardWindows(1000, 250, 100));
    expect(() => walkForwardWindows(1000, 10, 100, { purgeBars: 8 })).toThrow(/purgeBars/);
    expect(() => walkForwardWindows(1000, 250, 100, { embargoBars: -1 })).toThrow(/whole numbers/);
    expect(() => walkForwardWindows(1000, 250, 100, { purgeBars: 1.5 })).toThrow(/whole numbers/);
    // The embargo can push the only window past the data.
    expect(walkForwardWindows(300, 250, 100, { embargoBars: 60 })).toEqual([]);
  });

  it('the choice never sees the purged or embargoed bars, and trading starts after the gap', () => {
    const bars = randomWalk(900, 6);
    const configs = [randomTargets(900, 11), randomTargets(900, 12), randomTargets(900, 13)];
    const windows = walkForwardWindows(900, 300, 100, { purgeBars: 7, embargoBars: 5 });
    for (const w of windows) {
      const step = walkForwardStep(bars, configs, () => ({ costBps: 2 }), w, (r) => r.sharpe);
      // Shocking every price after the purged in-sample end leaves the choice alone...
      const shocked = { ...bars, close: bars.close.slice(), open: bars.open.slice() };
      for (let i = w.isEnd + 1; i < 900; i++) {
        shocked.close[i] *= 1 + ((i % 7) - 3) * 0.05;
        shocked.open[i] *= 1 + ((i % 5) - 2) * 0.05;
      }
      expect(walkForwardStep(shocked, configs, () => ({ costBps: 2 }), w, (r) => r.sharpe).chosen).toBe(step.chosen);
      // ...and the out-of-sample run is the engine from oosStart.
      expect(step.outOfSample.equity).toHaveLength(w.oosEnd - w.oosStart + 1);
      expect(step.outOfSample.totalReturn).toBe(backtestSlice(bars, configs[step.chosen], w.oosStart, w.oosEnd, { costBps: 2 }).totalReturn);
    }
  });

  it('permutation test on the stitched out-of-sample result: the observed statistic is the stitched curve\'s, chunking is exact', () => {
    const bars = randomWalk(900, 8);
    const configs = [randomTargets(900, 21), randomTargets(900, 22)];
    const windows = walkForwardWindows(900, 300, 100, { purgeBars: 3, embargoBars: 2 });
    const steps = windows.map((w) => walkForwardStep(bars, configs, () => ({ costBps: 2 }), w, (r) => r.sharpe));
    const stitched = stitchEquity(bars.times, steps.map((s) => ({ startBar: s.window.oosStart, equity: s.outOfSample.equity })), 252);
    const segments = steps.map((s) => ({ targets: configs[s.chosen], options: { costBps: 2 }, from: s.window.oosStart, to: s.window.oosEnd }));
    const total = prepareWalkForwardPermutationTest(bars, segments, 'totalReturn', 252);
    expect(total.plan.n).toBe(stitched.equity.length);
    expect(total.observed).toBeCloseTo(stitched.metrics.totalReturn, 10);
    const sharpe = prepareWalkForwardPermutationTest(bars, segments, 'sharpe', 252);
    expect(sharpe.observed).toBeCloseTo(stitched.metrics.sharpe!, 8);
    const whole = combinePermutationChunks(sharpe, [runPermutationChunk(sharpe, 4, 0, 200)]);
    const parts = combinePermutationChunks(sharpe, [runPermutationChunk(sharpe, 4, 0, 90), runPermutationChunk(sharpe, 4, 90, 200)]);
    expect(parts).toEqual(whole);
    // Random positions have no skill to find.
    expect(whole.pValue).toBeGreaterThan(0.05);
  });

  it('finds planted skill out of sample: positions that know the next bar', () => {
    const bars = randomWalk(700, 9);
    const foresight = new Float64Array(700);
    for (let i = 0; i + 1 < 700; i++) foresight[i] = bars.close[i + 1] > bars.open[i + 1] ? 1 : 0;
    const configs = [foresight, randomTargets(700, 31)];
    const windows = walkForwardWindows(700, 200, 100, { purgeBars: 2, embargoBars: 2 });
    const steps = windows.map((w) => walkForwardStep(bars, configs, () => ({ costBps: 1 }), w, (r) => r.sharpe));
    for (const s of steps) expect(s.chosen).toBe(0);
    const test = prepareWalkForwardPermutationTest(bars, steps.map((s) => ({ targets: configs[s.chosen], options: { costBps: 1 }, from: s.window.oosStart, to: s.window.oosEnd })), 'sharpe', 252);
    expect(combinePermutationChunks(test, [runPermutationChunk(test, 1, 0, 200)]).pValue).toBeLessThan(0.01);
  });
});
