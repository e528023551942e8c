/** Equity curves as stored (an array of [time, equity]) into chart series. */
import type { BacktestStatus } from '../../gql/graphql';
import { toChartTime } from '../../components/Chart';

export const TERMINAL: BacktestStatus[] = ['COMPLETED', 'FAILED', 'CANCELLED'];
export const COLORS = ['#58a6ff', '#f0883e', '#a371f7', '#3fb950', '#f85149', '#d29922'];

export type Curve = Array<[number, number]>;
export function asCurve(value: unknown): Curve {
  return Array.isArray(value) ? (value as Curve).filter((p) => Array.isArray(p) && Number.isFinite(p[0]) && Number.isFinite(p[1])) : [];
}
/** Unique, ascending chart times (the chart refuses duplicates). */
export function points(curve: Curve, f: (equity: number, i: number) => number) {
  const out: Array<{ time: ReturnType<typeof toChartTime>; value: number }> = [];
  curve.forEach(([t, e], i) => {
    const time = toChartTime(t);
    if (out.length && out[out.length - 1].time >= time) return;
    out.push({ time, value: f(e, i) });
  });
  return out;
}
/** Equity of buying at the first fill (bar 1's open, or its close for next-close) and holding: 1 at bar 0. */
export function buyAndHold(bars: Array<{ time: string; open: number; close: number }>, execution: string): Curve {
  if (bars.length < 2) return [];
  const fill = execution === 'next-close' ? bars[1].close : bars[1].open;
  if (!(fill > 0)) return [];
  return bars.map((b, i): [number, number] => [Date.parse(b.time), i === 0 ? 1 : b.close / fill]);
}
export function drawdown(curve: Curve) {
  let peak = -Infinity;
  return points(curve, (e) => {
    peak = Math.max(peak, e);
    return peak > 0 ? e / peak - 1 : 0;
  });
}
