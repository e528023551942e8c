import { downsampleEquity } from './downsample';
import { inferPeriodsPerYear } from './periods';
import { positionsFromSignals, rollingSentimentByBar, sentimentThresholdPositions } from './strategies';

const H = 3_600_000;

describe('positionsFromSignals', () => {
  const times = [0, 1, 2, 3, 4, 5, 6].map((h) => h * H);
  it('applies the latest signal at or before each bar, sized fixed or by suggestion', () => {
    const signals = [
      { time: 1 * H, type: 'BUY' as const, suggestedPositionSize: 0.4 },
      { time: 2.5 * H, type: 'HOLD' as const },
      { time: 4 * H, type: 'SELL' as const, suggestedPositionSize: 0.2 },
    ];
    expect(Array.from(positionsFromSignals(times, signals))).toEqual([0, 1, 1, 1, 0, 0, 0]);
    expect(Array.from(positionsFromSignals(times, signals, { sizing: 'suggested', allowShort: true }))).toEqual([0, 0.4, 0.4, 0.4, -0.2, -0.2, -0.2]);
    expect(Array.from(positionsFromSignals(times, signals, { onHold: 'flat' }))).toEqual([0, 1, 1, 0, 0, 0, 0]);
  });

  it('accepts product signals stamped with asOf', () => {
    const out = positionsFromSignals(times, [{ asOf: new Date(2 * H), type: 'SELL', suggestedPositionSize: 0.1 }], { sizing: 'suggested', allowShort: true });
    expect(Array.from(out)).toEqual([0, 0, -0.1, -0.1, -0.1, -0.1, -0.1]);
    expect(() => positionsFromSignals(times, [{ type: 'BUY' }])).toThrow(/neither time nor asOf/);
  });

  it('closes after the holding period unless a fresh signal renews it', () => {
    const signals = [{ time: new Date(0), type: 'BUY' as const }, { time: 5 * H, type: 'BUY' as const }];
    expect(Array.from(positionsFromSignals(times, signals, { holdingBars: 2 }))).toEqual([1, 1, 0, 0, 0, 1, 1]);
  });

  it('ignores signals later than the bar (a future signal changes nothing before it)', () => {
    const base = positionsFromSignals(times, [{ time: 1 * H, type: 'BUY' }]);
    const withFuture = positionsFromSignals(times, [{ time: 1 * H, type: 'BUY' }, { time: 5.5 * H, type: 'SELL' }]);
    expect(Array.from(withFuture.subarray(0, 6))).toEqual(Array.from(base.subarray(0, 6)));
    expect(withFuture[6]).toBe(0);
  });
});

describe('sentimentThresholdPositions', () => {
  it('enters at >= enter, exits below exit (hysteresis), keeps position through NaN', () => {
    const s = [0, 0.3, 0.2, NaN, 0.05, -0.1, 0.3];
    expect(Array.from(sentimentThresholdPositions(s, { enter: 0.25, exit: 0 }))).toEqual([0, 1, 1, 1, 1, 0, 1]);
  });

  it('optional short side with default mirrored thresholds, and flips directly', () => {
    const s = [-0.3, -0.1, 0.05, 0.3, -0.3];
    expect(Array.from(sentimentThresholdPositions(s, { enter: 0.25, exit: 0, allowShort: true, size: 0.5 }))).toEqual([-0.5, -0.5, 0, 0.5, -0.5]);
  });

  it('holding period exit needs a re-cross before re-entering', () => {
    const s = [0.3, 0.3, 0.3, 0.3, 0.1, 0.3];
    expect(Array.from(sentimentThresholdPositions(s, { enter: 0.25, exit: 0, holdingBars: 2 }))).toEqual([1, 1, 0, 0, 0, 1]);
  });

  it('refuses an exit threshold above the entry threshold', () => {
    expect(() => sentimentThresholdPositions([0], { enter: 0.1, exit: 0.2 })).toThrow(/must not be above/);
  });
});

describe('rollingSentimentByBar', () => {
  it('relevance-weighted mean over (t - window, t], NaN when empty', () => {
    const bars = [0, 1, 2, 3, 5].map((h) => h * H);
    const obs = [
      { time: 0.5 * H, score: 1, weight: 1 },
      { time: 1 * H, score: -1, weight: 3 },
      { time: 2.5 * H, score: 0.5 },
    ];
    const out = Array.from(rollingSentimentByBar(bars, obs, 2 * H));
    expect(out[0]).toBeNaN();
    expect(out[1]).toBeCloseTo((1 - 3) / 4, 12); // both stories in (-1h, 1h]
    expect(out[2]).toBeCloseTo((1 - 3) / 4, 12); // (0h, 2h]
    expect(out[3]).toBeCloseTo(0.5, 12); // (1h, 3h]: the window is open on the left, so the 1h story has left
    expect(out[4]).toBeNaN();
  });
});

describe('downsampleEquity', () => {
  it('keeps first, last and every bucket extreme, so the max drawdown survives', () => {
    const eq = Float64Array.from({ length: 10_000 }, (_, i) => 1 + 0.1 * Math.sin(i / 50) - (i === 7777 ? 0.5 : 0));
    const d = downsampleEquity(eq, 200);
    expect(d.index.length).toBeLessThanOrEqual(200);
    expect(d.index[0]).toBe(0);
    expect(d.index[d.index.length - 1]).toBe(9999);
    expect(d.index).toContain(7777);
    expect(d.equity[d.index.indexOf(7777)]).toBe(eq[7777]);
    for (let i = 1; i < d.index.length; i++) expect(d.index[i]).toBeGreaterThan(d.index[i - 1]);
    expect(downsampleEquity(Float64Array.of(1, 2, 3), 200, [10, 20, 30])).toEqual({ index: [0, 1, 2], equity: [1, 2, 3], time: [10, 20, 30] });
  });
});

describe('inferPeriodsPerYear', () => {
  it('daily trading days -> 252, hourly round-the-clock -> ~8766, too few points -> fallback', () => {
    const day = 86_400_000;
    const weekdays: number[] = [];
    for (let d = 0; weekdays.length < 40; d++) if (d % 7 < 5) weekdays.push(d * day);
    expect(inferPeriodsPerYear(weekdays)).toBe(252);
    expect(inferPeriodsPerYear(Array.from({ length: 500 }, (_, i) => i * H))).toBe(8766);
    expect(inferPeriodsPerYear([0, 1])).toBe(252);
  });
});
