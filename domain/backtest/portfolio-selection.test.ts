import { bookWeights, rebalanceBars, selectTickers, trailingVolatility } from './portfolio-selection';
import { signalConfidenceByBar } from './portfolio-contracts';

const day = (iso: string) => Date.parse(`${iso}T00:00:00Z`);

describe('rebalanceBars', () => {
  const times = ['2024-01-29', '2024-01-30', '2024-02-01', '2024-02-02', '2024-02-05', '2024-02-06', '2024-03-04'].map(day);
  it('daily: every bar; weekly: the first bar of each ISO week; monthly: the first bar of each month', () => {
    expect(rebalanceBars(times, 'daily')).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(rebalanceBars(times, 'weekly')).toEqual([0, 4, 6]); // Mon 29 Jan, Mon 5 Feb, Mon 4 Mar
    expect(rebalanceBars(times, 'monthly')).toEqual([0, 2, 6]);
    // Month boundaries agree with the calendar over centuries, leap years included.
    const firstDays: number[] = [];
    for (let t = Date.UTC(1899, 11, 30); t < Date.UTC(2101, 0, 3); t += 86_400_000) firstDays.push(t);
    const firsts = rebalanceBars(firstDays, 'monthly').slice(1).map((i) => new Date(firstDays[i]).getUTCDate());
    expect(firsts.length).toBe(201 * 12 + 1);
    expect(new Set(firsts)).toEqual(new Set([1]));
    // A week starting on a holiday Tuesday still rebalances once.
    expect(rebalanceBars(['2024-12-31', '2025-01-02', '2025-01-07', '2025-01-08'].map(day), 'weekly')).toEqual([0, 2]);
  });
});

describe('selectTickers', () => {
  const scores = [0.2, 0.9, -0.4, 0.9, 0.1];
  const all = [0, 1, 2, 3, 4];
  it('top / bottom N with ties to the ticker listed first, thresholds inclusive', () => {
    expect(selectTickers(all, scores, { top: 2 })).toEqual([1, 3]);
    expect(selectTickers(all, scores, { top: 1 })).toEqual([1]);
    expect(selectTickers(all, scores, { bottom: 2 })).toEqual([2, 4]);
    expect(selectTickers(all, scores, { above: 0.2 })).toEqual([0, 1, 3]);
    expect(selectTickers(all, scores, { below: 0.1 })).toEqual([2, 4]);
    expect(selectTickers([0, 2], scores, { top: 5 })).toEqual([0, 2]);
  });
});

describe('bookWeights', () => {
  it('equal, |score|-proportional or inverse-volatility, summing to the book exposure', () => {
    const scores = [0.5, -1.5, 1];
    const vol = [0.01, 0.02, 0.04];
    expect([...bookWeights([0, 1, 2], scores, vol, 'equal', 1).values()]).toEqual([1 / 3, 1 / 3, 1 / 3]);
    const c = bookWeights([0, 1], scores, vol, 'confidence', 0.8);
    expect(c.get(0)).toBeCloseTo(0.2, 15);
    expect(c.get(1)).toBeCloseTo(0.6, 15);
    const v = bookWeights([0, 1, 2], scores, vol, 'inverse-volatility', 1);
    expect(v.get(0)).toBeCloseTo(100 / 175, 12);
    expect(v.get(2)).toBeCloseTo(25 / 175, 12);
    expect([...bookWeights([0, 1], [0, 0], vol, 'confidence', 1).values()]).toEqual([0.5, 0.5]);
    expect(bookWeights([], scores, vol, 'equal', 1).size).toBe(0);
  });
});

describe('trailingVolatility', () => {
  it('sample stdev of the last N returns of the ticker\'s own bars, NaN without enough history', () => {
    const close = [100, 101, NaN, 99.99, 102, 100.98];
    const rets = [101 / 100 - 1, 99.99 / 101 - 1, 102 / 99.99 - 1, 100.98 / 102 - 1];
    const mean = rets.reduce((a, b) => a + b) / 4;
    const sd = Math.sqrt(rets.reduce((a, r) => a + (r - mean) ** 2, 0) / 3);
    expect(trailingVolatility(close, 5, 4)).toBeCloseTo(sd, 15);
    expect(trailingVolatility(close, 5, 5)).toBeNaN();
    expect(trailingVolatility(close, 2, 2)).toBeNaN();
  });
});

describe('signalConfidenceByBar', () => {
  it('signed confidence of the latest signal known at each bar, within its maximum age', () => {
    const bars = [10, 20, 30, 40, 50];
    const out = signalConfidenceByBar(bars, [{ time: 25, type: 'SELL', confidence: 0.4 }, { time: 10, type: 'BUY', confidence: 0.7 }, { time: 41, type: 'HOLD', confidence: 0.9 }], 12);
    expect([...out]).toEqual([0.7, 0.7, -0.4, NaN, 0]);
  });
});
