/**
 * lightweight-charts (v5) wrappers: a chart that lives as long as its element, with series
 * added by the caller. Time is UTC seconds on one axis for every series and marker.
 */
import { useEffect, useState } from 'react';
import { ColorType, createChart, type DeepPartial, type IChartApi, type ChartOptions } from 'lightweight-charts';

export function useChart(build: (chart: IChartApi) => void | (() => void), deps: unknown[], options: DeepPartial<ChartOptions> = {}) {
  // A callback ref: the chart's element may appear after the data (behind a loading state),
  // and the chart must be built whenever either arrives.
  const [el, ref] = useState<HTMLDivElement | null>(null);
  useEffect(() => {
    if (!el) return;
    const chart = createChart(el, {
      autoSize: true,
      layout: { background: { type: ColorType.Solid, color: 'transparent' }, textColor: '#c9d1d9', fontSize: 11, panes: { separatorColor: '#30363d' } },
      grid: { vertLines: { color: '#21262d' }, horzLines: { color: '#21262d' } },
      rightPriceScale: { borderColor: '#30363d' },
      timeScale: { borderColor: '#30363d', timeVisible: false },
      ...options,
    });
    const cleanup = build(chart);
    chart.timeScale().fitContent();
    return () => {
      cleanup?.();
      chart.remove();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [el, ...deps]);
  return ref;
}

/** ISO or epoch-ms to the chart's UTC seconds. */
export const toChartTime = (t: string | number) => Math.floor((typeof t === 'number' ? t : Date.parse(t)) / 1000) as import('lightweight-charts').UTCTimestamp;
