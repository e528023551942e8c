import { dequantiseInt8Blocks, quantiseInt8Blocks } from './int8-blocks';

describe('int8 block quantisation', () => {
  test('each value comes back within half a step of its own block scale', () => {
    const values = Float32Array.from({ length: 200 }, (_, i) => Math.sin(i) * (i < 64 ? 1e-3 : 0.5));
    const q = quantiseInt8Blocks(values, 64);
    expect(q.scales).toHaveLength(4);
    const back = dequantiseInt8Blocks(q, 64);
    values.forEach((v, i) => expect(Math.abs(back[i] - v)).toBeLessThanOrEqual(q.scales[Math.floor(i / 64)] / 2 + 1e-9));
    // the small first block keeps its own fine resolution
    expect(q.scales[0]).toBeLessThan(1e-5);
  });

  test('the largest magnitude of a block maps to +-127 and zeros stay zero', () => {
    const q = quantiseInt8Blocks(Float32Array.from([0.5, -1, 0, 0.25]), 4);
    expect(Array.from(q.values)).toEqual([64, -127, 0, 32]);
    const zero = quantiseInt8Blocks(new Float32Array(3), 4);
    expect(Array.from(dequantiseInt8Blocks(zero, 4))).toEqual([0, 0, 0]);
  });

  test('mismatched scales are refused', () => {
    expect(() => dequantiseInt8Blocks({ values: new Int8Array(10), scales: new Float32Array(1) }, 4)).toThrow(/1 scales for 10 values/);
  });
});
