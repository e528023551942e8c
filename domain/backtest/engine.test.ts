import { runBacktest } from './engine';
import { performanceMetrics, sharpeRatio, sortinoRatio } from './metrics';

const f64 = (xs: number[]): Float64Array => Float64Array.from(xs);

describe('runBacktest: hand-computed cases', () => {
  /*
   * next-close, no costs, periodsPerYear 6 so that 6 return periods are exactly one year.
   * close   100  100  110   99   99  108.9  119.79
   * target    1    1    0    1    1    0      0      (decided at close t, traded at close t+1)
   * held      -    0    1    1    0    1      1      (held[i] = target[i-2])
   * return    -    0  +10% -10%   0  +10%   +10%
   * equity    1    1  1.1  0.99 0.99 1.089  1.1979
   * mean r = 0.2/6 = 1/30; sample var = (0.0333...)/5 = 1/150; sd = 0.0816497
   * Sharpe = (1/30)/0.0816497*sqrt(6) = 1.0; downside dev = sqrt(0.01/6) = 0.0408248 -> Sortino 2.0
   * max DD = 1 - 0.99/1.1 = 10%, below the 1.1 peak for bars 3..5 -> 3 bars; CAGR over 1 year = 19.79%, Calmar 1.979
   * trades: 1 -> 0.99 (-1%), 0.99 -> 1.1979 (+21%): win rate 0.5, PF = 0.2079/0.01 = 20.79; exposure 4/6
   */
  const close = f64([100, 100, 110, 99, 99, 108.9, 119.79]);
  const targets = f64([1, 1, 0, 1, 1, 0, 0]);
  const r = runBacktest({ close }, targets, { periodsPerYear: 6 });

  it('equity curve and return metrics', () => {
    const expected = [1, 1, 1.1, 0.99, 0.99, 1.089, 1.1979];
    expected.forEach((v, i) => expect(r.equity[i]).toBeCloseTo(v, 12));
    expect(r.execution).toBe('next-close');
    expect(r.totalReturn).toBeCloseTo(0.1979, 12);
    expect(r.cagr).toBeCloseTo(0.1979, 12);
    expect(r.sharpe).toBeCloseTo(1.0, 10);
    expect(r.sortino).toBeCloseTo(2.0, 10);
    expect(r.maxDrawdown).toBeCloseTo(0.1, 12);
    expect(r.maxDrawdownDurationBars).toBe(3);
    expect(r.calmar).toBeCloseTo(1.979, 10);
  });

  it('trade statistics, exposure and costs', () => {
    expect(r.trades).toBe(2);
    expect(r.fills).toBe(4);
    expect(r.winRate).toBeCloseTo(0.5, 12);
    expect(r.avgWin).toBeCloseTo(0.21, 12);
    expect(r.avgLoss).toBeCloseTo(-0.01, 12);
    expect(r.profitFactor).toBeCloseTo(20.79, 9);
    expect(r.exposure).toBeCloseTo(4 / 6, 12);
    expect(r.costsPaid).toBe(0);
  });

  it('the engine agrees with the standalone metric functions on its own equity curve', () => {
    const m = performanceMetrics(r.equity, 6);
    expect(m.sharpe).toBeCloseTo(r.sharpe!, 10);
    expect(m.sortino).toBeCloseTo(r.sortino!, 10);
    expect(m.maxDrawdown).toBeCloseTo(r.maxDrawdown, 12);
    expect(m.maxDrawdownDurationBars).toBe(r.maxDrawdownDurationBars);
    expect(m.calmar).toBeCloseTo(r.calmar!, 10);
  });

  it('next-open with 10 bps costs + 10 bps slippage charges both legs of the round trip', () => {
    /*
     * open 10 10 11 12, close 10 11 12 12, targets 1 1 0 0, rate 0.2%
     * bar1: buy at open 10 paying 0.2% -> 0.998, then +10% intraday -> 1.0978
     * bar2: flat gap, +12/11 intraday -> 1.1976
     * bar3: sell at open paying 0.2% of 1.1976 -> 1.1952048; costs = 0.002 + 0.0023952
     */
    const res = runBacktest({ open: f64([10, 10, 11, 12]), close: f64([10, 11, 12, 12]) }, f64([1, 1, 0, 0]), {
      costBps: 10,
      slippageBps: 10,
      periodsPerYear: 252,
    });
    expect(res.execution).toBe('next-open');
    expect(Array.from(res.equity)).toEqual([1, expect.closeTo(1.0978, 12), expect.closeTo(1.1976, 12), expect.closeTo(1.1952048, 12)]);
    expect(res.costsPaid).toBeCloseTo(0.0043952, 12);
    expect(res.trades).toBe(1);
    expect(res.avgWin).toBeCloseTo(0.1952048, 12);
    expect(res.profitFactor).toBeNull();
    expect(res.exposure).toBe(1);
  });

  it('shorts and flips: a flip closes one trade and opens the next in the same fill', () => {
    // close 100 90 99 99, targets -1 1 1: the short is held over bar 2 (90 -> 99, +10% against it), then flips long
    const res = runBacktest({ close: f64([100, 90, 99, 99]) }, f64([-1, 1, 1, 1]), { periodsPerYear: 252 });
    expect(Array.from(res.equity)).toEqual([1, 1, expect.closeTo(0.9, 12), expect.closeTo(0.9, 12)]);
    expect(res.fills).toBe(2);
    expect(res.trades).toBe(2); // the short (-10%) and the still-open long (0%)
    expect(res.winRate).toBe(0);
    expect(res.avgLoss).toBeCloseTo(-0.1, 12);
    expect(res.avgWin).toBeNull();
    expect(res.profitFactor).toBe(0);
  });
});

describe('runBacktest: edge cases', () => {
  it('no bars and one bar', () => {
    const none = runBacktest({ close: f64([]) }, f64([]));
    expect(none.equity).toHaveLength(0);
    expect(none.totalReturn).toBe(0);
    const one = runBacktest({ close: f64([100]) }, f64([1]));
    expect(Array.from(one.equity)).toEqual([1]);
    expect(one.totalReturn).toBe(0);
    expect(one.cagr).toBe(0);
    expect(one.sharpe).toBeNull();
    expect(one.trades).toBe(0);
    expect(one.exposure).toBe(0);
  });

  it('all flat: nothing happens and ratios are null, not NaN or Infinity', () => {
    const r = runBacktest({ close: f64([100, 101, 99, 102]) }, f64([0, 0, 0, 0]), { costBps: 5 });
    expect(Array.from(r.equity)).toEqual([1, 1, 1, 1]);
    expect([r.sharpe, r.sortino, r.calmar, r.winRate, r.avgWin, r.avgLoss, r.profitFactor]).toEqual([null, null, null, null, null, null, null]);
    expect([r.trades, r.fills, r.maxDrawdown, r.exposure, r.costsPaid]).toEqual([0, 0, 0, 0, 0]);
  });

  it('zero variance: a long position in an unchanging price has no Sharpe and no Sortino', () => {
    const r = runBacktest({ close: new Float64Array(10).fill(100) }, new Float64Array(10).fill(1), { periodsPerYear: 252 });
    expect(r.totalReturn).toBe(0);
    expect(r.sharpe).toBeNull();
    expect(r.sortino).toBeNull();
    expect(r.calmar).toBeNull();
    expect(r.maxDrawdown).toBe(0);
    expect(r.trades).toBe(1);
    expect(r.winRate).toBe(0);
    expect(r.exposure).toBeCloseTo(8 / 9, 12);
  });

  it('constant non-zero returns: Sharpe is null (undefined), not a rounding-noise giant', () => {
    expect(sharpeRatio([0.01, 0.01, 0.01, 0.01], 252)).toBeNull();
    expect(sortinoRatio([0.01, 0.01, 0.01, 0.01], 252)).toBeNull();
  });

  it('NaN targets keep the current position; mismatched lengths are refused', () => {
    const r = runBacktest({ close: f64([100, 100, 110, 121]) }, f64([1, NaN, NaN, NaN]), { periodsPerYear: 252 });
    expect(r.totalReturn).toBeCloseTo(0.21, 12);
    expect(r.fills).toBe(1);
    expect(() => runBacktest({ close: f64([1, 2]) }, f64([1]))).toThrow(/1 entries for 2 bars/);
    expect(() => runBacktest({ close: f64([1, 2]) }, f64([1, 1]), { execution: 'next-open' })).toThrow(/needs bars.open/);
  });
});

describe('no look-ahead', () => {
  const n = 200;
  const close = new Float64Array(n);
  const open = new Float64Array(n);
  close[0] = open[0] = 100;
  for (let i = 1; i < n; i++) {
    open[i] = close[i - 1] * (1 + 0.003 * Math.sin(i * 1.7));
    close[i] = open[i] * (1 + 0.01 * Math.cos(i * 0.9));
  }
  const targets = Float64Array.from({ length: n }, (_, i) => (Math.sin(i * 0.31) > 0 ? 1 : -0.5));

  it.each(['next-open', 'next-close'] as const)('%s: changing the decision at t leaves equity up to bar t untouched', (execution) => {
    const base = runBacktest({ close, open }, targets, { execution, costBps: 5 });
    for (const k of [10, 57, 150]) {
      const changed = Float64Array.from(targets);
      changed[k] = changed[k] === 1 ? -1 : 1;
      const r = runBacktest({ close, open }, changed, { execution, costBps: 5 });
      expect(Array.from(r.equity.subarray(0, k + 1))).toEqual(Array.from(base.equity.subarray(0, k + 1)));
      expect(r.equity[k + 1]).not.toBe(base.equity[k + 1]);
    }
  });

  it('future prices do not change past equity', () => {
    const base = runBacktest({ close, open }, targets, { execution: 'next-open' });
    const shocked = Float64Array.from(close);
    for (let i = 120; i < n; i++) shocked[i] *= 0.5;
    const r = runBacktest({ close: shocked, open }, targets, { execution: 'next-open' });
    expect(Array.from(r.equity.subarray(0, 120))).toEqual(Array.from(base.equity.subarray(0, 120)));
  });

  it('knowing the sign of bar t at close t is too late to earn bar t', () => {
    // With a look-ahead bug every bar would be a gain: equity would be prod(1 + |r_i|).
    const m = 300;
    const c = new Float64Array(m);
    c[0] = 100;
    for (let i = 1; i < m; i++) c[i] = c[i - 1] * (1 + 0.01 * Math.sin(i * i * 0.7));
    const own = Float64Array.from({ length: m }, (_, t) => (t === 0 ? 0 : Math.sign(c[t] - c[t - 1])));
    const r = runBacktest({ close: c }, own, { periodsPerYear: 252 });
    let cheat = 1;
    let honest = 1;
    for (let i = 1; i < m; i++) {
      cheat *= 1 + Math.abs(c[i] / c[i - 1] - 1);
      if (i >= 2) honest *= 1 + own[i - 2] * (c[i] / c[i - 1] - 1);
    }
    expect(r.totalReturn + 1).toBeCloseTo(honest, 10);
    expect(r.totalReturn + 1).toBeLessThan(Math.sqrt(cheat));
  });
});
