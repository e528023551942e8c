import { SeededRandom } from '../backtest/seeded-random';
import { expectedRescaledRange, hurstExponent, hurstOfPrices, rescaledRange } from './hurst';

/** Fractional Gaussian noise with Hurst exponent h by Hosking's (Durbin-Levinson) method: exact, O(n^2). */
function fractionalGaussianNoise(n: number, h: number, rng: SeededRandom): Float64Array {
  const gamma = new Float64Array(n);
  for (let k = 0; k < n; k++) gamma[k] = 0.5 * ((k + 1) ** (2 * h) - 2 * k ** (2 * h) + Math.abs(k - 1) ** (2 * h));
  const x = new Float64Array(n);
  const phi = new Float64Array(n);
  const prev = new Float64Array(n);
  let v = 1;
  x[0] = rng.gaussian();
  for (let t = 1; t < n; t++) {
    let num = gamma[t];
    for (let j = 1; j < t; j++) num -= prev[j] * gamma[t - j];
    const k = num / v;
    phi[t] = k;
    for (let j = 1; j < t; j++) phi[j] = prev[j] - k * prev[t - j];
    v *= 1 - k * k;
    let mean = 0;
    for (let j = 1; j <= t; j++) mean += phi[j] * x[t - j];
    x[t] = mean + Math.sqrt(v) * rng.gaussian();
    prev.set(phi.subarray(0, t + 1));
  }
  return x;
}
function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

describe('Hurst exponent (rescaled range)', () => {
  it('R/S of a tiny block by hand: [1,-1,1,-1] has cumulative deviations 1,0,1,0 -> R=1, S=1', () => {
    expect(rescaledRange([1, -1, 1, -1], 4)).toBeCloseTo(1, 12);
  });

  it('expected R/S of white noise increases with n and approaches sqrt(n*pi/2)', () => {
    let previous = 0;
    for (const n of [8, 50, 340, 341, 1000]) {
      expect(expectedRescaledRange(n)).toBeGreaterThan(previous);
      previous = expectedRescaledRange(n);
    }
    expect(Math.abs(expectedRescaledRange(20000) / Math.sqrt((20000 * Math.PI) / 2) - 1)).toBeLessThan(0.01);
  });

  it('random walk increments (white noise) score ~0.5', () => {
    const rng = new SeededRandom(1);
    const hs = [0, 1, 2, 3, 4].map(() => hurstExponent(Float64Array.from({ length: 4096 }, () => rng.gaussian())));
    expect(Math.abs(mean(hs) - 0.5)).toBeLessThan(0.05);
    for (const h of hs) expect(Math.abs(h - 0.5)).toBeLessThan(0.1);
  });

  it('persistent (trending) increments score > 0.5: fGn with H=0.8', () => {
    const rng = new SeededRandom(2);
    const hs = [0, 1, 2].map(() => hurstExponent(fractionalGaussianNoise(2048, 0.8, rng)));
    expect(mean(hs)).toBeGreaterThan(0.68);
    expect(mean(hs)).toBeLessThan(0.92);
  });

  it('anti-persistent (mean-reverting) increments score < 0.5: fGn with H=0.25', () => {
    const rng = new SeededRandom(3);
    const hs = [0, 1, 2].map(() => hurstExponent(fractionalGaussianNoise(2048, 0.25, rng)));
    expect(mean(hs)).toBeLessThan(0.37);
    expect(mean(hs)).toBeGreaterThan(0.13);
  });

  it('a mean-reverting price (Ornstein-Uhlenbeck) scores well below a random-walk price', () => {
    const rng = new SeededRandom(4);
    const n = 4096;
    const walk = new Float64Array(n);
    const ou = new Float64Array(n);
    walk[0] = ou[0] = 100;
    for (let i = 1; i < n; i++) {
      walk[i] = walk[i - 1] * Math.exp(0.01 * rng.gaussian());
      ou[i] = Math.exp(Math.log(ou[i - 1]) + 0.3 * (Math.log(100) - Math.log(ou[i - 1])) + 0.01 * rng.gaussian());
    }
    expect(Math.abs(hurstOfPrices(walk) - 0.5)).toBeLessThan(0.1);
    expect(hurstOfPrices(ou)).toBeLessThan(0.35);
  });

  it('is NaN for too-short or constant input', () => {
    expect(hurstExponent([1, 2, 3])).toBeNaN();
    expect(hurstExponent(new Float64Array(100).fill(0.01))).toBeNaN();
  });
});
