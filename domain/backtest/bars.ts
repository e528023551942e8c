import type { PriceBar } from '../prices';
import { BacktestBars } from './types';

/** PriceBar[] (oldest-first) -> the typed arrays the engine runs on. */
export function barsToArrays(bars: PriceBar[]): Required<BacktestBars> {
  const n = bars.length;
  const close = new Float64Array(n);
  const open = new Float64Array(n);
  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    close[i] = bars[i].close;
    open[i] = bars[i].open;
    times[i] = bars[i].time.getTime();
  }
  return { close, open, times };
}
