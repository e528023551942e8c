import { addLayerNorm, erf, geluInPlace, packedAttention } from './encoder-kernels';

/** erf by its Maclaurin series in double precision (converges fast for |x| <= 3). */
function erfSeries(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

describe('encoder kernels', () => {
  test('erf matches the series to float32 precision, and saturates at ±1', () => {
    let worst = 0;
    for (let x = -3; x <= 3; x += 0.01) worst = Math.max(worst, Math.abs(erf(x) - erfSeries(x)));
    expect(worst).toBeLessThan(1e-6);
    expect(erf(0)).toBe(0);
    expect(erf(10)).toBeCloseTo(1, 7);
    expect(erf(-10)).toBeCloseTo(-1, 7);
  });

  test('GELU is x·Φ(x)', () => {
    const x = Float32Array.from([-3, -1, 0, 0.5, 2]);
    const expected = Array.from(x, (v) => 0.5 * v * (1 + erfSeries(v / Math.SQRT2)));
    const got = Array.from(geluInPlace(x));
    got.forEach((g, i) => expect(g).toBeCloseTo(expected[i], 6));
  });

  test('layer norm of x + residual per row, in place allowed', () => {
    const x = Float32Array.from([1, 2, 3, 4, 10, 10, 10, 14]);
    const r = Float32Array.from([1, 0, 0, -1, 0, 0, 0, 0]);
    const gamma = Float32Array.from([1, 2, 1, 1]);
    const beta = Float32Array.from([0, 0, 1, 0]);
    const out = addLayerNorm(x, r, gamma, beta, 1e-12, x);
    // row 0: [2, 2, 3, 3], mean 2.5, sd 0.5 -> [-1, -1, 1, 1]
    expect(Array.from(out.subarray(0, 4))).toEqual([-1, -2, 2, 1].map((v) => expect.closeTo(v, 5)));
    // row 1: [10, 10, 10, 14], mean 11, sd sqrt(3)
    const sd = Math.sqrt(3);
    expect(Array.from(out.subarray(4))).toEqual([-1 / sd, (-1 / sd) * 2, -1 / sd + 1, 3 / sd].map((v) => expect.closeTo(v, 5)));
  });

  test('packed attention equals per-text softmax(QKᵀ/√d)·V, head by head, odd lengths too', () => {
    const width = 8;
    const heads = 2;
    const D = width / heads;
    const lengths = [3, 1, 4];
    const starts = [0, 3, 4];
    const tokens = 8;
    const random = seeded(11);
    const qkv = Float32Array.from({ length: tokens * 3 * width }, random);
    const got = packedAttention(qkv, starts, lengths, width, heads);
    const at = (token: number, part: number, h: number, d: number) => qkv[token * 3 * width + part * width + h * D + d];
    lengths.forEach((L, t) => {
      for (let h = 0; h < heads; h++) {
        for (let i = 0; i < L; i++) {
          const scores = Array.from({ length: L }, (_, j) => {
            let dot = 0;
            for (let d = 0; d < D; d++) dot += at(starts[t] + i, 0, h, d) * at(starts[t] + j, 1, h, d);
            return dot / Math.sqrt(D);
          });
          const max = Math.max(...scores);
          const e = scores.map((s) => Math.exp(s - max));
          const sum = e.reduce((a, b) => a + b, 0);
          for (let d = 0; d < D; d++) {
            const expected = e.reduce((acc, w, j) => acc + (w / sum) * at(starts[t] + j, 2, h, d), 0);
            expect(got[(starts[t] + i) * width + h * D + d]).toBeCloseTo(expected, 5);
          }
        }
      }
    });
  });

  test('attention refuses an odd head width', () => {
    expect(() => packedAttention(new Float32Array(9), [0], [1], 3, 1)).toThrow(/head width/);
  });
});
