/** Two or more runs side by side: their equity curves on one chart and their metrics in columns. */
import { useEffect, useState } from 'react';
import { LineSeries } from 'lightweight-charts';
import { request } from '../../lib/graphql';
import { Link } from '../../lib/router';
import { useSession } from '../../lib/session';
import { useQuery } from '../../lib/use-query';
import { num, pct } from '../../lib/format';
import { useChart } from '../../components/Chart';
import { Status } from '../../components/Status';
import { CompareDoc, CurvesDoc } from './documents';
import { asCurve, COLORS, points, type Curve } from './curves';

const ROWS: Array<[string, (r: CompareRow) => React.ReactNode]> = [
  ['status', (r) => r.status],
  ['ticker', (r) => r.ticker],
  ['strategy', (r) => r.strategy],
  ['period', (r) => `${r.from.slice(0, 10)} → ${r.to.slice(0, 10)}`],
  ['costs / slippage (bps)', (r) => `${r.costBps} / ${r.slippageBps}`],
  ['total return', (r) => pct(r.totalReturn, 2)],
  ['CAGR', (r) => pct(r.cagr, 2)],
  ['Sharpe', (r) => num(r.sharpe)],
  ['Sortino', (r) => num(r.sortino)],
  ['Calmar', (r) => num(r.calmar)],
  ['max drawdown', (r) => pct(r.maxDrawdown, 2)],
  ['trades', (r) => r.trades ?? '—'],
  ['win rate', (r) => pct(r.winRate)],
  ['profit factor', (r) => num(r.profitFactor)],
  ['exposure', (r) => pct(r.exposure)],
  ['costs paid', (r) => pct(r.costsPaid, 2)],
  ['p-value', (r) => num(r.pValue, 4)],
  ['permutations', (r) => r.permutations],
];
type CompareRow = NonNullable<ReturnType<typeof useCompare>['data']>['compareBacktests'][number];
const useCompare = (ids: string[]) => useQuery(CompareDoc, { ids });

export function CompareBacktests({ ids }: { ids: string[] }) {
  const { key } = useSession();
  const q = useCompare(ids);
  const [curves, setCurves] = useState<Array<{ id: string; name: string; curve: Curve }>>([]);
  useEffect(() => {
    let live = true;
    Promise.all(ids.map((a) => request(key, CurvesDoc, { a }))).then(
      (rs) => live && setCurves(rs.flatMap((r) => (r.backtest ? [{ id: r.backtest.id, name: r.backtest.name, curve: asCurve(r.backtest.equityCurve) }] : []))),
      () => undefined,
    );
    return () => void (live = false);
  }, [key, ids.join(',')]); // eslint-disable-line react-hooks/exhaustive-deps
  const chartRef = useChart(
    (chart) => {
      curves.forEach((c, i) => {
        if (!c.curve.length) return;
        const s = chart.addSeries(LineSeries, { color: COLORS[i % COLORS.length], lineWidth: 2, title: c.name }, 0);
        s.setData(points(c.curve, (e) => e));
      });
    },
    [curves],
  );
  const rows = q.data?.compareBacktests ?? [];
  return (
    <section className="page">
      <header className="page-head">
        <Link to="/backtests">← Backtests</Link>
        <h2>Compare {ids.length} runs</h2>
      </header>
      <Status loading={q.loading} error={q.error} empty={rows.length === 0}>
        <div className="panel">
          <div className="chart" ref={chartRef} data-testid="compare-chart" />
          <p className="legend">
            {curves.map((c, i) => (
              <span key={c.id}>
                <i style={{ background: COLORS[i % COLORS.length] }} /> {c.name}
              </span>
            ))}
          </p>
        </div>
        <div className="panel scroll-x">
          <table className="grid compare" data-testid="compare-table">
            <thead>
              <tr>
                <th />
                {rows.map((r) => (
                  <th key={r.id}>
                    <Link to={`/backtests/${r.id}`}>{r.name}</Link>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {ROWS.map(([label, cell]) => (
                <tr key={label}>
                  <th>{label}</th>
                  {rows.map((r) => (
                    <td key={r.id}>{cell(r)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </Status>
    </section>
  );
}
