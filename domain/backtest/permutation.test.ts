import { runBacktest } from './engine';
import { combinePermutationChunks, permutationTest, preparePermutationTest, runPermutationChunk } from './permutation';
import { SeededRandom } from './seeded-random';

const n = 600;
const rng = new SeededRandom(11);
const close = new Float64Array(n);
const open = new Float64Array(n);
close[0] = open[0] = 100;
for (let i = 1; i < n; i++) {
  open[i] = close[i - 1] * (1 + 0.002 * rng.gaussian());
  close[i] = open[i] * (1 + 0.01 * rng.gaussian());
}
const bars = { open, close };
const randomTargets = Float64Array.from({ length: n }, () => (rng.next() < 0.5 ? 1 : -1));
// Skill stand-in: positions that know the next bar (only to give the test something real to find).
const skilled = Float64Array.from({ length: n }, (_, t) => (t + 1 < n ? Math.sign(close[t + 1] - open[t + 1]) : 0));

describe('permutation test', () => {
  it('observed statistic equals the engine Sharpe / total return', () => {
    const opts = { costBps: 2, periodsPerYear: 252 };
    const r = runBacktest(bars, randomTargets, opts);
    expect(preparePermutationTest(bars, randomTargets, { ...opts, statistic: 'sharpe' }).observed).toBeCloseTo(r.sharpe!, 9);
    expect(preparePermutationTest(bars, randomTargets, { ...opts, statistic: 'totalReturn' }).observed).toBeCloseTo(r.totalReturn, 9);
  });

  it('is deterministic for a seed and chunking does not change the counts', () => {
    const test = preparePermutationTest(bars, randomTargets, { periodsPerYear: 252 });
    const whole = runPermutationChunk(test, 99, 0, 300);
    const parts = [runPermutationChunk(test, 99, 200, 300), runPermutationChunk(test, 99, 0, 120), runPermutationChunk(test, 99, 120, 200)];
    const combined = combinePermutationChunks(test, parts);
    expect(combined.permutations).toBe(300);
    expect(combined.atLeastAsGood).toBe(whole.atLeastAsGood);
    expect(runPermutationChunk(test, 99, 0, 300)).toEqual(whole);
    expect(runPermutationChunk(test, 100, 0, 300).atLeastAsGood).not.toBe(-1);
  });

  it('uses (count + 1) / (n + 1)', () => {
    const r = combinePermutationChunks({ observed: 1, statistic: 'sharpe' }, [
      { start: 0, end: 10, atLeastAsGood: 3, permutations: 10 },
      { start: 10, end: 19, atLeastAsGood: 0, permutations: 9 },
    ]);
    expect(r.pValue).toBeCloseTo(4 / 20, 15);
  });

  it('finds real timing skill (p = 1/(n+1)) and not fake skill (random positions)', () => {
    const good = permutationTest(bars, skilled, { permutations: 200, seed: 5, periodsPerYear: 252 });
    expect(good.atLeastAsGood).toBe(0);
    expect(good.pValue).toBeCloseTo(1 / 201, 15);
    const noise = permutationTest(bars, randomTargets, { permutations: 200, seed: 5, periodsPerYear: 252 });
    expect(noise.pValue).toBeGreaterThan(0.05);
  });

  it('a flat strategy never looks significant (p = 1)', () => {
    const flat = permutationTest(bars, new Float64Array(n), { permutations: 50, seed: 1 });
    expect(flat.observed).toBe(0);
    expect(flat.pValue).toBe(1);
  });
});
