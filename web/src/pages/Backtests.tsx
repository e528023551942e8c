/**
 * Backtests: the runBacktest form, the list of runs (pick two or more to compare), a run's
 * live progress over backtestProgress, its equity curve and drawdown, and every metric.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { AreaSeries, LineSeries, type AutoscaleInfo, type IChartApi } from 'lightweight-charts';
import { graphql } from '../gql';
import type { BacktestStatus, RunBacktestInput, SizingKind, StrategyKind } from '../gql/graphql';
import { request, subscribe } from '../lib/graphql';
import { Link, navigate } from '../lib/router';
import { useSession } from '../lib/session';
import { useMutation, useQuery } from '../lib/use-query';
import { dateTime, num, pct } from '../lib/format';
import { toChartTime, useChart } from '../components/Chart';
import { Status } from '../components/Status';
import { TemporalLink } from '../components/TemporalLink';

const BacktestsDoc = graphql(`
  query BacktestList {
    backtests(first: 50) {
      id
      name
      status
      createdAt
      pValue
      params
      permutationsDone
      permutationsTotal
      workflowId
    }
  }
`);

const RunBacktestDoc = graphql(`
  mutation RunBacktest($input: RunBacktestInput!) {
    runBacktest(input: $input) {
      id
    }
  }
`);

const BacktestDoc = graphql(`
  query BacktestDetail($id: ID!) {
    backtest(id: $id) {
      id
      name
      status
      error
      createdAt
      completedAt
      params
      metrics
      equityCurve
      pValue
      permutationsDone
      permutationsTotal
      workflowId
    }
  }
`);

/** The backtest's own ticker over its period: the buy-and-hold benchmark line. */
const BenchmarkBarsDoc = graphql(`
  query BacktestBenchmarkBars($ticker: String!, $from: DateTimeISO!, $to: DateTimeISO!) {
    priceBars(ticker: $ticker, from: $from, to: $to, first: 5000) {
      time
      open
      close
    }
  }
`);

const CancelDoc = graphql(`
  mutation CancelBacktest($id: ID!) {
    cancelBacktest(id: $id) {
      id
      status
    }
  }
`);

const ProgressDoc = graphql(`
  subscription BacktestProgress($id: ID!) {
    backtestProgress(id: $id) {
      id
      done
      total
      status
    }
  }
`);

const CompareDoc = graphql(`
  query CompareBacktests($ids: [ID!]!) {
    compareBacktests(ids: $ids) {
      id
      name
      status
      ticker
      strategy
      from
      to
      costBps
      slippageBps
      totalReturn
      cagr
      sharpe
      sortino
      calmar
      maxDrawdown
      trades
      winRate
      profitFactor
      exposure
      costsPaid
      pValue
      permutations
    }
  }
`);

const CurvesDoc = graphql(`
  query CompareCurves($a: ID!) {
    backtest(id: $a) {
      id
      name
      equityCurve
    }
  }
`);

const TERMINAL: BacktestStatus[] = ['COMPLETED', 'FAILED', 'CANCELLED'];
const COLORS = ['#58a6ff', '#f0883e', '#a371f7', '#3fb950', '#f85149', '#d29922'];

type Curve = Array<[number, number]>;
function asCurve(value: unknown): Curve {
  return Array.isArray(value) ? (value as Curve).filter((p) => Array.isArray(p) && Number.isFinite(p[0]) && Number.isFinite(p[1])) : [];
}
/** Unique, ascending chart times (the chart refuses duplicates). */
function points(curve: Curve, f: (equity: number, i: number) => number) {
  const out: Array<{ time: ReturnType<typeof toChartTime>; value: number }> = [];
  curve.forEach(([t, e], i) => {
    const time = toChartTime(t);
    if (out.length && out[out.length - 1].time >= time) return;
    out.push({ time, value: f(e, i) });
  });
  return out;
}
/** Equity of buying at the first fill (bar 1's open, or its close for next-close) and holding: 1 at bar 0. */
function buyAndHold(bars: Array<{ time: string; open: number; close: number }>, execution: string): Curve {
  if (bars.length < 2) return [];
  const fill = execution === 'next-close' ? bars[1].close : bars[1].open;
  if (!(fill > 0)) return [];
  return bars.map((b, i): [number, number] => [Date.parse(b.time), i === 0 ? 1 : b.close / fill]);
}
function drawdown(curve: Curve) {
  let peak = -Infinity;
  return points(curve, (e) => {
    peak = Math.max(peak, e);
    return peak > 0 ? e / peak - 1 : 0;
  });
}

export function Backtests() {
  const list = useQuery(BacktestsDoc, {});
  const [picked, setPicked] = useState<string[]>([]);
  const toggle = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id]));
  return (
    <section className="page">
      <header className="page-head">
        <h2>Backtests</h2>
      </header>
      <div className="two-col wide-left">
        <BacktestForm />
        <div className="panel">
          <div className="panel-head">
            <h3>Runs</h3>
            <button type="button" className="primary" disabled={picked.length < 2} onClick={() => navigate(`/backtests/compare/${picked.join(',')}`)}>
              Compare {picked.length >= 2 ? picked.length : ''} side by side
            </button>
          </div>
          <Status loading={list.loading} error={list.error} empty={list.data?.backtests.length === 0} emptyText="No backtests yet: start one with the form." onRetry={list.reload}>
            <table className="grid" data-testid="backtest-list">
              <thead>
                <tr>
                  <th aria-label="compare" />
                  <th>name</th>
                  <th>status</th>
                  <th className="hide-sm">created</th>
                  <th>p-value</th>
                </tr>
              </thead>
              <tbody>
                {list.data?.backtests.map((b) => (
                  <tr key={b.id}>
                    <td>
                      <input type="checkbox" aria-label={`compare ${b.name}`} checked={picked.includes(b.id)} onChange={() => toggle(b.id)} />
                    </td>
                    <td>
                      <Link to={`/backtests/${b.id}`}>{b.name}</Link>
                    </td>
                    <td>
                      <span className={`status ${b.status.toLowerCase()}`}>{b.status}</span>
                    </td>
                    <td className="hide-sm muted">{dateTime(b.createdAt)}</td>
                    <td>{num(b.pValue, 4)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Status>
        </div>
      </div>
    </section>
  );
}

function BacktestForm() {
  const run = useMutation(RunBacktestDoc);
  const [f, setF] = useState({
    name: '',
    ticker: 'SPY',
    from: '2015-01-01',
    to: '2019-12-31',
    strategy: 'SENTIMENT_THRESHOLD' as StrategyKind,
    enter: '0.2',
    exit: '0',
    windowHours: '24',
    allowShort: false,
    holdingBars: '',
    costBps: '5',
    slippageBps: '2',
    sizing: 'FIXED' as SizingKind,
    fraction: '1',
    permutations: '200',
    seed: '',
  });
  const set = (k: keyof typeof f) => (e: { target: { value: string; checked?: boolean; type?: string } }) =>
    setF((s) => ({ ...s, [k]: e.target.type === 'checkbox' ? Boolean(e.target.checked) : e.target.value }));
  const n = (v: string) => (v.trim() === '' ? undefined : Number(v));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const input: RunBacktestInput = {
      name: f.name.trim() || undefined,
      ticker: f.ticker.trim().toUpperCase(),
      from: new Date(`${f.from}T00:00:00Z`).toISOString(),
      to: new Date(`${f.to}T23:59:59Z`).toISOString(),
      strategy: f.strategy,
      allowShort: f.allowShort,
      holdingBars: n(f.holdingBars),
      costBps: n(f.costBps),
      slippageBps: n(f.slippageBps),
      sizing: f.sizing,
      permutations: n(f.permutations),
      seed: n(f.seed),
      ...(f.strategy === 'SENTIMENT_THRESHOLD' ? { enter: n(f.enter), exit: n(f.exit), windowHours: n(f.windowHours) } : {}),
      ...(f.sizing === 'FIXED' ? { fraction: n(f.fraction) } : {}),
    };
    const result = await run.run({ input });
    if (result) navigate(`/backtests/${result.runBacktest.id}`);
  };
  return (
    <form className="panel form" onSubmit={submit} aria-label="New backtest">
      <h3>New backtest</h3>
      <div className="fields">
        <label>
          Name <input name="name" value={f.name} onChange={set('name')} placeholder="optional" />
        </label>
        <label>
          Ticker <input name="ticker" value={f.ticker} onChange={set('ticker')} required />
        </label>
        <label>
          From <input name="from" type="date" value={f.from} onChange={set('from')} required />
        </label>
        <label>
          To <input name="to" type="date" value={f.to} onChange={set('to')} required />
        </label>
        <label>
          Strategy
          <select name="strategy" value={f.strategy} onChange={set('strategy')}>
            <option value="SENTIMENT_THRESHOLD">sentiment threshold</option>
            <option value="SIGNALS">stored signals</option>
          </select>
        </label>
        {f.strategy === 'SENTIMENT_THRESHOLD' && (
          <>
            <label>
              Enter at ≥ <input name="enter" type="number" step="0.05" min="-1" max="1" value={f.enter} onChange={set('enter')} />
            </label>
            <label>
              Exit below <input name="exit" type="number" step="0.05" min="-1" max="1" value={f.exit} onChange={set('exit')} />
            </label>
            <label>
              Window (h) <input name="windowHours" type="number" min="1" value={f.windowHours} onChange={set('windowHours')} />
            </label>
          </>
        )}
        <label>
          Holding bars <input name="holdingBars" type="number" min="1" value={f.holdingBars} onChange={set('holdingBars')} placeholder="until exit" />
        </label>
        <label>
          Costs (bps) <input name="costBps" type="number" min="0" max="1000" step="0.5" value={f.costBps} onChange={set('costBps')} />
        </label>
        <label>
          Slippage (bps) <input name="slippageBps" type="number" min="0" max="1000" step="0.5" value={f.slippageBps} onChange={set('slippageBps')} />
        </label>
        <label>
          Sizing
          <select name="sizing" value={f.sizing} onChange={set('sizing')}>
            <option value="FIXED">fixed fraction</option>
            <option value="SUGGESTED">signal's suggested size</option>
          </select>
        </label>
        {f.sizing === 'FIXED' && (
          <label>
            Fraction <input name="fraction" type="number" min="0" max="1" step="0.05" value={f.fraction} onChange={set('fraction')} />
          </label>
        )}
        <label>
          Permutations <input name="permutations" type="number" min="0" max="10000" value={f.permutations} onChange={set('permutations')} />
        </label>
        <label>
          Seed <input name="seed" type="number" value={f.seed} onChange={set('seed')} placeholder="random" />
        </label>
        <label className="check">
          <input name="allowShort" type="checkbox" checked={f.allowShort} onChange={set('allowShort')} /> allow short
        </label>
      </div>
      {run.error && (
        <div className="state error" role="alert">
          {run.error}
        </div>
      )}
      <button type="submit" className="primary" disabled={run.pending}>
        {run.pending ? 'Starting…' : 'Run backtest'}
      </button>
    </form>
  );
}

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

const HEADLINE = ['totalReturn', 'cagr', 'sharpe', 'sortino', 'calmar', 'maxDrawdown', 'maxDrawdownDurationBars', 'trades', 'winRate', 'avgWin', 'avgLoss', 'profitFactor', 'exposure', 'costsPaid', 'permutation.pValue'];
const PERCENT = new Set(['totalReturn', 'cagr', 'maxDrawdown', 'winRate', 'exposure', 'costsPaid', 'avgWin', 'avgLoss']);
function MetricsTable({ metrics }: { metrics: unknown }) {
  if (!metrics || typeof metrics !== 'object') return <div className="state empty">Not computed yet.</div>;
  const flat: Array<[string, unknown]> = [];
  const walk = (prefix: string, v: Record<string, unknown>) => {
    for (const [k, x] of Object.entries(v)) {
      if (x && typeof x === 'object' && !Array.isArray(x)) walk(`${prefix}${k}.`, x as Record<string, unknown>);
      else flat.push([`${prefix}${k}`, x]);
    }
  };
  walk('', metrics as Record<string, unknown>);
  const rank = (k: string) => {
    const i = HEADLINE.indexOf(k);
    return i === -1 ? HEADLINE.length : i;
  };
  flat.sort((a, b) => rank(a[0]) - rank(b[0]));
  return (
    <table className="kv" data-testid="metrics">
      <tbody>
        {flat.map(([k, v]) => (
          <tr key={k}>
            <th>{k}</th>
            <td>{typeof v === 'number' ? (PERCENT.has(k) ? pct(v, 2) : Number.isInteger(v) ? v : num(v, 4)) : v == null ? '—' : Array.isArray(v) ? v.join(', ') : String(v)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

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
