import { runBacktest } from './engine';
import { BacktestDataError, STRATEGIES, replayTargetOf, smaCrossoverPositions, strategyEntry, strategyKindList, type StrategyChecks } from './index';

class Bad extends Error {}
const checks: StrategyChecks = {
  bad: (field, message) => new Bad(`${field}: ${message}`),
  num: (field, value, lo, hi, fallback) => {
    if (value === undefined || value === null) {
      if (fallback === undefined) throw new Bad(`${field}: is required`);
      return fallback;
    }
    if (typeof value !== 'number' || value < lo || value > hi) throw new Bad(`${field}: must be between ${lo} and ${hi}`);
    return value;
  },
  int: (field, value, lo, hi, fallback) => {
    const n = checks.num(field, value, lo, hi, fallback);
    if (!Number.isInteger(n)) throw new Bad(`${field}: must be a whole number`);
    return n;
  },
  optionalInt: (field, value, lo, hi) => (value === undefined || value === null ? null : checks.int(field, value, lo, hi)),
};

describe('smaCrossoverPositions', () => {
  // fast = SMA(2), slow = SMA(3), by hand:
  //   t      0   1     2     3     4       5     6     7    8      9     10
  //   close  10  11    12    13    12      11    10    9    10     11    12
  //   fast   -   10.5  11.5  12.5  12.5    11.5  10.5  9.5  9.5    10.5  11.5
  //   slow   -   -     11    12    12.333  12    11    10   9.667  10    11
  //   fast>slow?    >     >     >       <     <     <    <      >     >
  const close = [10, 11, 12, 13, 12, 11, 10, 9, 10, 11, 12];

  it('is long while the fast average is above the slow one and flat below (long only)', () => {
    expect(Array.from(smaCrossoverPositions(close, { fastWindow: 2, slowWindow: 3 }))).toEqual([0, 0, 1, 1, 1, 0, 0, 0, 0, 1, 1]);
  });

  it('goes short below with allowShort, and sizes every position', () => {
    expect(Array.from(smaCrossoverPositions(close, { fastWindow: 2, slowWindow: 3, allowShort: true, size: 0.5 }))).toEqual([0, 0, 0.5, 0.5, 0.5, -0.5, -0.5, -0.5, -0.5, 0.5, 0.5]);
  });

  it('keeps its position on a tie and stays flat until the slow average exists', () => {
    // fast = close, slow = SMA(2): 1.5 at t1 (long), then 2 = 2 twice (kept)
    expect(Array.from(smaCrossoverPositions([1, 2, 2, 2], { fastWindow: 1, slowWindow: 2 }))).toEqual([0, 1, 1, 1]);
    expect(Array.from(smaCrossoverPositions([3, 2], { fastWindow: 1, slowWindow: 5 }))).toEqual([0, 0]);
  });

  it('never looks ahead: changing a later close never changes an earlier target', () => {
    const base = smaCrossoverPositions(close, { fastWindow: 2, slowWindow: 3, allowShort: true });
    for (let k = 0; k < close.length; k++) {
      const shocked = close.map((c, i) => (i === k ? c * 3 : c));
      const after = smaCrossoverPositions(shocked, { fastWindow: 2, slowWindow: 3, allowShort: true });
      expect(Array.from(after.slice(0, k))).toEqual(Array.from(base.slice(0, k)));
    }
  });

  it('trades through the engine one bar late: long from the t3 close to the t6 close', () => {
    const bars = { close: Float64Array.from(close), open: Float64Array.from(close) };
    const r = runBacktest(bars, smaCrossoverPositions(close, { fastWindow: 2, slowWindow: 3 }), { execution: 'next-close' });
    // Decided long at t2, filled at t3's close (13); decided flat at t5, filled at t6's close (10).
    // Decided long again at t9, filled at t10's close: the last bar, so no return from it.
    expect(r.totalReturn).toBeCloseTo(10 / 13 - 1, 12);
    expect(Array.from(r.equity).map((e) => +e.toFixed(6))).toEqual([1, 1, 1, 1, +(12 / 13).toFixed(6), +(11 / 13).toFixed(6), +(10 / 13).toFixed(6), +(10 / 13).toFixed(6), +(10 / 13).toFixed(6), +(10 / 13).toFixed(6), +(10 / 13).toFixed(6)]);
  });
});

describe('the strategy registry', () => {
  it('has one entry per kind and per GraphQL name, and a field name means the same type everywhere', () => {
    expect(new Set(STRATEGIES.map((s) => s.kind)).size).toBe(STRATEGIES.length);
    expect(new Set(STRATEGIES.map((s) => s.graphqlName)).size).toBe(STRATEGIES.length);
    const types = new Map<string, string>();
    for (const s of STRATEGIES) {
      for (const [name, f] of Object.entries(s.fields as Record<string, { type: string }>)) {
        expect([name, types.get(name) ?? f.type]).toEqual([name, f.type]);
        types.set(name, f.type);
      }
    }
    expect(strategyKindList()).toBe("'signals', 'sentimentThreshold' or 'smaCrossover'");
    expect(strategyEntry('magic')).toBeUndefined();
  });

  it('smaCrossover: GraphQL defaults 50/200, validation, no inputs to load beyond bars', () => {
    const entry = strategyEntry('smaCrossover')!;
    const raw = entry.fromFlatInput({ strategy: 'smaCrossover' });
    expect(raw).toEqual({ kind: 'smaCrossover', fastWindow: 50, slowWindow: 200, allowShort: undefined });
    expect(entry.validate(raw, checks)).toEqual({ kind: 'smaCrossover', fastWindow: 50, slowWindow: 200, allowShort: false });
    expect(() => entry.validate({ kind: 'smaCrossover', fastWindow: 20, slowWindow: 20 } as never, checks)).toThrow(/strategy.slowWindow: must be above fastWindow \(20\)/);
    expect(() => entry.validate({ kind: 'smaCrossover', fastWindow: 2.5, slowWindow: 20 } as never, checks)).toThrow(/strategy.fastWindow: must be a whole number/);
    expect(() => entry.validate({ kind: 'smaCrossover', slowWindow: 20 } as never, checks)).toThrow(/strategy.fastWindow: is required/);
    expect(entry.suggestedSizing).toBe(false);
    expect(entry.needs(raw, { ticker: 'SPY', from: new Date(0), to: new Date(1) })).toEqual({});
    expect(replayTargetOf({ ticker: 'SPY', from: '2020-01-01', to: '2020-02-01', strategy: { kind: 'smaCrossover', fastWindow: 5, slowWindow: 20, allowShort: false } })).toBeNull();
  });

  it('signals: replayed signals need a pinned series and say what they lacked', () => {
    const entry = strategyEntry('signals')!;
    const s = entry.validate({ kind: 'signals' }, checks);
    expect(s).toMatchObject({ source: 'replay', rulesVersion: null, modelVersion: null });
    expect(() => entry.needs(s, { ticker: 'SPY', from: new Date(0), to: new Date(1) })).toThrow(BacktestDataError);
    const pinned = { ...s, rulesVersion: 'r1', modelVersion: 'm1' };
    expect(entry.needs(pinned, { ticker: 'SPY', from: new Date('2020-03-01'), to: new Date('2020-04-01') }).signals).toMatchObject({ source: 'replay', since: new Date('2020-01-31') });
    const run = { ticker: 'SPY', from: '2020-03-01', to: '2020-04-01', sizing: { kind: 'fixed' as const, fraction: 1 } };
    const bars = { close: new Float64Array(3), open: new Float64Array(3), times: new Float64Array(3) };
    expect(() => entry.positions(bars, pinned, { signals: [] }, run)).toThrow(/no replayed signals \(rules r1, model m1\) for SPY/);
  });
});
