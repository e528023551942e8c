import { lengthBuckets } from './length-buckets';

const cost = (lengths: number[], buckets: number[][], overhead: number) =>
  buckets.reduce((sum, b) => sum + b.length * Math.max(...b.map((i) => lengths[i])) + overhead, 0);

describe('lengthBuckets', () => {
  test('every row lands in exactly one bucket, buckets are sorted by length', () => {
    const lengths = [30, 12, 55, 12, 27, 9, 41, 30];
    const buckets = lengthBuckets(lengths, 32);
    expect(buckets.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, i) => i));
    const maxima = buckets.map((b) => Math.max(...b.map((i) => lengths[i])));
    const minima = buckets.map((b) => Math.min(...b.map((i) => lengths[i])));
    for (let k = 1; k < buckets.length; k++) expect(minima[k]).toBeGreaterThanOrEqual(maxima[k - 1]);
  });

  test('equal lengths stay in one batch; a large overhead keeps one batch; no overhead pads nothing', () => {
    expect(lengthBuckets([20, 20, 20], 10)).toEqual([[0, 1, 2]]);
    expect(lengthBuckets([5, 60, 7], 1e9)).toHaveLength(1);
    const lengths = [5, 60, 7, 60];
    const buckets = lengthBuckets(lengths, 0);
    expect(cost(lengths, buckets, 0)).toBe(5 + 7 + 60 + 60);
  });

  test('its cut costs no more than any other contiguous cut of the sorted rows (brute force)', () => {
    const lengths = [14, 33, 9, 21, 58, 17, 26, 40, 11];
    const overhead = 24;
    const sorted = lengths.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b] || a - b);
    let bestBrute = Infinity;
    for (let mask = 0; mask < 1 << (sorted.length - 1); mask++) {
      const buckets: number[][] = [[sorted[0]]];
      for (let k = 1; k < sorted.length; k++) {
        if (mask & (1 << (k - 1))) buckets.push([sorted[k]]);
        else buckets[buckets.length - 1].push(sorted[k]);
      }
      bestBrute = Math.min(bestBrute, cost(lengths, buckets, overhead));
    }
    expect(cost(lengths, lengthBuckets(lengths, overhead), overhead)).toBe(bestBrute);
  });

  test('no rows, no buckets', () => {
    expect(lengthBuckets([], 32)).toEqual([]);
  });
});
