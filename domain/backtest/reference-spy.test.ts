/**
 * The engine against an independent, deliberately naive re-implementation on real SPY data:
 * share/cash bookkeeping (trade at the next open, pay fees in cash),
 * metrics from plain arrays. Different formulation, same economics.
 */
import fs from 'node:fs';
import { sharedDataPath } from '../../config/paths';
import { parsePriceCsv } from '../prices';
import { barsToArrays } from './bars';
import { runBacktest } from './engine';
import { inferPeriodsPerYear } from './periods';

const bars = parsePriceCsv(fs.readFileSync(sharedDataPath('prices', 'SPY_daily.csv'), 'utf8')).bars;
const { open, close, times } = barsToArrays(bars);

/** 20/50-day SMA crossover, long above / half-short below: decided at each close. */
function crossoverTargets(): Float64Array {
  const t = new Float64Array(close.length);
  for (let i = 0; i < close.length; i++) {
    if (i < 49) continue;
    let fast = 0;
    let slow = 0;
    for (let k = i - 19; k <= i; k++) fast += close[k];
    for (let k = i - 49; k <= i; k++) slow += close[k];
    t[i] = fast / 20 > slow / 50 ? 1 : -0.5;
  }
  return t;
}

function referenceBacktest(targets: Float64Array, rate: number) {
  // Shares and cash. Conventions shared with the engine (see types.ts): the position is a
  // fraction of equity, re-set for free at each close (no drift), and a change of target costs
  // rate x |change in fraction| x equity at the open where it is traded.
  let cash = 1;
  let shares = 0;
  let previousTarget = 0;
  const equity: number[] = [1];
  let costs = 0;
  for (let i = 1; i < close.length; i++) {
    const equityAtOpen = cash + shares * open[i];
    const target = targets[i - 1];
    const fee = Math.abs(target - previousTarget) * equityAtOpen * rate;
    costs += fee;
    const afterFee = equityAtOpen - fee;
    shares = (target * afterFee) / open[i];
    cash = afterFee - shares * open[i];
    const equityAtClose = cash + shares * close[i];
    equity.push(equityAtClose);
    shares = (target * equityAtClose) / close[i];
    cash = equityAtClose - shares * close[i];
    previousTarget = target;
  }
  const rets = equity.slice(1).map((e, i) => e / equity[i] - 1);
  const mean = rets.reduce((a, b) => a + b, 0) / rets.length;
  const sd = Math.sqrt(rets.reduce((a, b) => a + (b - mean) ** 2, 0) / (rets.length - 1));
  let peak = equity[0];
  let mdd = 0;
  for (const e of equity) {
    peak = Math.max(peak, e);
    mdd = Math.max(mdd, (peak - e) / peak);
  }
  let changes = 0;
  for (let i = 1; i < targets.length; i++) if (targets[i] !== targets[i - 1]) changes++;
  if (targets[0] !== 0) changes++;
  return { equity, mean, sd, mdd, costs, changes };
}

describe('engine vs. independent reference on SPY daily (1999-2020)', () => {
  const targets = crossoverTargets();
  targets[targets.length - 1] = 0; // decision on the last bar is never executed; keep it flat for fill counts

  it('infers ~252 periods per year from the dates', () => {
    expect(inferPeriodsPerYear(times)).toBeGreaterThanOrEqual(250);
    expect(inferPeriodsPerYear(times)).toBeLessThanOrEqual(253);
  });

  it.each([0, 5])('matches equity, Sharpe, drawdown and costs at %i bps', (bps) => {
    const ref = referenceBacktest(targets, bps / 10_000);
    const r = runBacktest({ open, close, times }, targets, { costBps: bps, periodsPerYear: 252 });
    expect(r.equity).toHaveLength(ref.equity.length);
    for (const i of [100, 1000, 2500, 4000, ref.equity.length - 1]) expect(r.equity[i]).toBeCloseTo(ref.equity[i], 9);
    expect(r.totalReturn).toBeCloseTo(ref.equity[ref.equity.length - 1] - 1, 9);
    expect(r.sharpe!).toBeCloseTo((ref.mean / ref.sd) * Math.sqrt(252), 8);
    expect(r.maxDrawdown).toBeCloseTo(ref.mdd, 9);
    expect(r.costsPaid).toBeCloseTo(ref.costs, 9);
    expect(r.fills).toBe(ref.changes - (targets[targets.length - 2] !== targets[targets.length - 1] ? 1 : 0));
    // CAGR over the real calendar span (1999-11-01 .. 2020-08-28).
    const years = (times[times.length - 1] - times[0]) / (365.25 * 86_400_000);
    expect(r.cagr).toBeCloseTo((1 + r.totalReturn) ** (1 / years) - 1, 12);
  });
});
