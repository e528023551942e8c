import { decodeFloat16, encodeFloat16, fromFloat16Bits, toFloat16Bits } from './float16';

describe('float16', () => {
  test('known bit patterns', () => {
    expect(toFloat16Bits(1)).toBe(0x3c00);
    expect(toFloat16Bits(-2)).toBe(0xc000);
    expect(toFloat16Bits(65504)).toBe(0x7bff);
    expect(toFloat16Bits(1e6)).toBe(0x7c00);
    expect(toFloat16Bits(2 ** -24)).toBe(0x0001);
    expect(toFloat16Bits(1e-9)).toBe(0);
    expect(toFloat16Bits(Number.NaN) & 0x7c00).toBe(0x7c00);
    expect(fromFloat16Bits(0x3555)).toBeCloseTo(0.33325, 5);
    expect(fromFloat16Bits(0x0400)).toBe(2 ** -14);
    expect(fromFloat16Bits(0xfc00)).toBe(-Infinity);
  });

  test('rounds to nearest even: 1 + 2^-11 is a tie and goes to 1, 1 + 3*2^-11 goes up', () => {
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00);
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02);
  });

  test('round trip keeps small weights within half-precision relative error', () => {
    const values = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 10 ** ((i % 7) - 5));
    const back = decodeFloat16(encodeFloat16(values));
    values.forEach((v, i) => {
      if (Math.abs(v) > 6.2e-5) expect(Math.abs(back[i] - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11);
      else expect(Math.abs(back[i] - v)).toBeLessThanOrEqual(2 ** -25);
    });
  });
});
