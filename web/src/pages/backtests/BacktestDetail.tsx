/** One run: its live progress over backtestProgress, equity curve and drawdown, metrics and parameters. */
import { useEffect, useState } from 'react';
import { AreaSeries, LineSeries, type AutoscaleInfo, type IChartApi } from 'lightweight-charts';
import { subscribe } from '../../lib/graphql';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { useMutation, useQuery } from '../../lib/use-query';
import { dateTime, num } from '../../lib/format';
import { useChart } from '../../components/Chart';
import { Status } from '../../components/Status';
import { TemporalLink } from '../../components/TemporalLink';
import { BacktestDoc, BenchmarkBarsDoc, CancelDoc, ProgressDoc } from './documents';
import { asCurve, buyAndHold, drawdown, points, TERMINAL } from './curves';
import { MetricsTable } from './MetricsTable';

export function BacktestDetail({ id }: { id: string }) {
  const { socket } = useSession();
  const q = useQuery(BacktestDoc, { id });
  const cancel = useMutation(CancelDoc);
  const [progress, setProgress] = useState<{ done: number; total: number; status?: string | null } | null>(null);
  const run = q.data?.backtest;
  const reload = q.reload;

  useEffect(
    () =>
      subscribe(socket, ProgressDoc, { id }, {
        next: ({ backtestProgress: p }) => {
          setProgress({ done: p.done, total: p.total, status: p.status });
          if (p.status && TERMINAL.includes(p.status)) reload();
        },
      }),
    [socket, id, reload],
  );
  // The metrics and curve are stored once the base run is done (status RUNNING): fetch them then.
  const needsCurve = run && !run.equityCurve && !TERMINAL.includes(run.status);
  useEffect(() => {
    if (!needsCurve) return;
    const t = setTimeout(reload, 500);
    return () => clearTimeout(t);
  }, [needsCurve, reload, q.data]);

  // Once the stored run is final it is the truth; until then the live events are the newest word.
  const final = run && TERMINAL.includes(run.status);
  const done = (final ? run.permutationsDone : progress?.done) ?? run?.permutationsDone ?? 0;
  const total = (final ? run.permutationsTotal : progress?.total) ?? run?.permutationsTotal ?? 0;
  const status = run && TERMINAL.includes(run.status) ? run.status : (progress?.status ?? run?.status);
  const curve = asCurve(run?.equityCurve);
  const params = (run?.params ?? {}) as { ticker?: string; from?: string; to?: string; execution?: string };
  const bars = useQuery(BenchmarkBarsDoc, { ticker: params.ticker ?? '', from: params.from ?? '', to: params.to ?? '' }, { skip: !params.ticker || !params.from || !params.to });
  const benchmark = buyAndHold(bars.data?.priceBars ?? [], params.execution ?? 'next-open');

  const chartRef = useChart(
    (chart: IChartApi) => {
      if (curve.length === 0) return;
      const eq = chart.addSeries(LineSeries, { color: '#58a6ff', lineWidth: 2, title: 'equity' }, 0);
      eq.setData(points(curve, (e) => e));
      // Buy-and-hold of the same ticker, bought at the first fill like the strategy, on the same axis.
      if (benchmark.length) chart.addSeries(LineSeries, { color: '#8b949e', lineWidth: 1, lineStyle: 2, title: `buy & hold ${params.ticker}` }, 0).setData(points(benchmark, (e) => e));
      // Drawdown hangs from 0: fill between the line and the top of its pane.
      const dd = chart.addSeries(AreaSeries, { lineColor: '#f85149', topColor: '#f8514966', bottomColor: '#f8514911', invertFilledArea: true, lineWidth: 1,
        title: 'drawdown',
        priceFormat: { type: 'percent' },
        // The pane's top is always 0 % and its bottom at least -1 %, so a flat run reads as flat.
        autoscaleInfoProvider: (original: () => AutoscaleInfo | null) => {
          const r = original();
          return { priceRange: { minValue: Math.min(r?.priceRange?.minValue ?? 0, -1), maxValue: 0 } };
        },
      }, 1);
      dd.setData(drawdown(curve).map((p) => ({ ...p, value: p.value * 100 })));
      chart.panes()[1]?.setHeight(100);
    },
    [run?.equityCurve, bars.data],
  );

  return (
    <section className="page">
      <header className="page-head">
        <Link to="/backtests">← Backtests</Link>
        <h2>{run?.name ?? 'Backtest'}</h2>
        {status && (
          <span className={`status ${status.toLowerCase()}`} data-testid="backtest-status">
            {status}
          </span>
        )}
        <span className="spacer" />
        {run?.workflowId && <TemporalLink workflowId={run.workflowId}>Temporal UI</TemporalLink>}
        {run && !TERMINAL.includes(run.status) && (
          <button type="button" onClick={() => cancel.run({ id }).then(reload)} disabled={cancel.pending}>
            Cancel
          </button>
        )}
      </header>
      <Status loading={q.loading} error={q.error ?? cancel.error} empty={!run} emptyText="No such backtest.">
        {run && (
          <>
            <div className="panel">
              <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={total || 1} aria-valuenow={done} data-testid="backtest-progress" data-done={done} data-total={total}>
                <span style={{ width: `${total ? Math.round((done / total) * 100) : TERMINAL.includes(run.status) ? 100 : 0}%` }} />
              </div>
              <p className="muted small">
                permutation test: {done} / {total} · p-value {num(run.pValue, 4)} · started {dateTime(run.createdAt)}
                {run.completedAt && <> · finished {dateTime(run.completedAt)}</>}
              </p>
              {run.error && <div className="state error">{run.error}</div>}
            </div>
            <div className="panel">
              <h3>Equity and drawdown</h3>
              {curve.length ? <div className="chart tall" ref={chartRef} data-testid="equity-chart" data-points={curve.length} data-benchmark-points={benchmark.length} /> : <div className="state loading">The equity curve appears when the base run is done…</div>}
            </div>
            <div className="two-col">
              <div className="panel">
                <h3>Metrics</h3>
                <MetricsTable metrics={run.metrics} />
              </div>
              <div className="panel">
                <h3>Parameters</h3>
                <MetricsTable metrics={run.params} />
              </div>
            </div>
          </>
        )}
      </Status>
    </section>
  );
}

