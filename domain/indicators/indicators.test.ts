import fs from 'node:fs';
import { sharedDataPath } from '../../config/paths';
import { parsePriceCsv } from '../prices';
import { ema, macd, rsi, sma } from './moving-averages';
import { logReturns, rollingVolatility } from './volatility';

const nan = NaN;

describe('moving averages aligned to the input', () => {
  it('SMA: [2,4,6,8,12] period 3 -> mean of the last three', () => {
    const out = Array.from(sma([2, 4, 6, 8, 12], 3));
    expect(out.slice(0, 2)).toEqual([nan, nan]);
    expect(out[2]).toBeCloseTo(4, 12);
    expect(out[3]).toBeCloseTo(6, 12);
    expect(out[4]).toBeCloseTo(26 / 3, 12);
  });

  it('EMA: seeded by SMA(3)=4, then k=0.5: 0.5*8+0.5*4=6, 0.5*12+0.5*6=9', () => {
    expect(Array.from(ema([2, 4, 6, 8, 12], 3))).toEqual([nan, nan, 4, 6, 9]);
  });

  it('returns all-NaN when the input is shorter than the period, and rejects bad periods', () => {
    expect(Array.from(sma([1, 2], 5))).toEqual([nan, nan]);
    expect(() => sma([1, 2, 3], 0)).toThrow(/positive integer/);
  });
});

describe('RSI (Wilder)', () => {
  it('period 2 on [1,2,1,3,2]: avg gain/loss 0.5/0.5 -> 50, then (1.25/0.25) -> 83.33, then 50', () => {
    const out = Array.from(rsi([1, 2, 1, 3, 2], 2));
    expect(out.slice(0, 2)).toEqual([nan, nan]);
    expect(out[2]).toBeCloseTo(50, 2);
    expect(out[3]).toBeCloseTo(100 - 100 / 6, 2);
    expect(out[4]).toBeCloseTo(50, 2);
  });
});

describe('MACD', () => {
  it('fast 2 / slow 3 / signal 2 on a doubling series matches a hand EMA computation', () => {
    const m = macd([1, 2, 4, 8, 16, 32], { fastPeriod: 2, slowPeriod: 3, signalPeriod: 2 });
    // EMA2 (k=2/3, seed 1.5): 1.5, 3.16667, 6.38889, 12.79630, 25.59877
    // EMA3 (k=1/2, seed 7/3): 2.33333, 5.16667, 10.58333, 21.29167
    const expectedMacd = [nan, nan, 0.833333, 1.222222, 2.212963, 4.307099];
    const expectedSignal = [nan, nan, nan, 1.027778, 1.817901, 3.477366];
    for (let i = 0; i < 6; i++) {
      if (Number.isNaN(expectedMacd[i])) expect(m.macd[i]).toBeNaN();
      else expect(m.macd[i]).toBeCloseTo(expectedMacd[i], 5);
      if (Number.isNaN(expectedSignal[i])) {
        expect(m.signal[i]).toBeNaN();
        expect(m.histogram[i]).toBeNaN();
      } else {
        expect(m.signal[i]).toBeCloseTo(expectedSignal[i], 5);
        expect(m.histogram[i]).toBeCloseTo(expectedMacd[i] - expectedSignal[i], 5);
      }
    }
  });
});

describe('rolling volatility', () => {
  it('window 2: sample stdev of (ln 1.1, ln 0.9) = 0.2006707/sqrt(2), annualised by sqrt(252)', () => {
    const out = rollingVolatility([100, 110, 99, 108.9], 2, 252);
    expect(out[0]).toBeNaN();
    expect(out[1]).toBeNaN();
    const daily = (Math.log(1.1) - Math.log(0.9)) / Math.SQRT2;
    expect(out[2]).toBeCloseTo(daily * Math.sqrt(252), 10);
    expect(out[3]).toBeCloseTo(daily * Math.sqrt(252), 10);
  });

  it('is exactly 0 for a constant-growth series (zero variance)', () => {
    const closes = Array.from({ length: 30 }, (_, i) => 100 * 1.01 ** i);
    const out = rollingVolatility(closes, 10);
    for (let i = 10; i < 30; i++) expect(out[i]).toBeCloseTo(0, 12);
  });

  it('on SPY matches a straightforward re-computation and lands in a plausible range', () => {
    const bars = parsePriceCsv(fs.readFileSync(sharedDataPath('prices', 'SPY_daily.csv'), 'utf8')).bars;
    const closes = bars.map((b) => b.close);
    const out = rollingVolatility(closes, 21);
    const r = logReturns(closes);
    const i = 2000;
    const window = r.slice(i - 21, i); // returns ending at close i
    const mean = window.reduce((a, b) => a + b, 0) / 21;
    const sd = Math.sqrt(window.reduce((a, b) => a + (b - mean) ** 2, 0) / 20);
    expect(out[i]).toBeCloseTo(sd * Math.sqrt(252), 12);
    const defined = Array.from(out).filter((v) => !Number.isNaN(v));
    const median = defined.sort((a, b) => a - b)[Math.floor(defined.length / 2)];
    expect(median).toBeGreaterThan(0.08);
    expect(median).toBeLessThan(0.25);
  });
});
