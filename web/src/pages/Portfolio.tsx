/**
 * Portfolio backtests: the runPortfolioBacktest form, the list of runs, and a run's progress,
 * portfolio equity with its benchmark on the same axis, holdings over time, per-ticker
 * contribution and every metric.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { LineSeries, type IChartApi } from 'lightweight-charts';
import { graphql } from '../gql';
import type { BacktestStatus, PortfolioBacktestDetailQuery, PortfolioRankingKind, RebalanceFrequency, WeightingScheme } from '../gql/graphql';
import { Link, navigate } from '../lib/router';
import { useMutation, useQuery } from '../lib/use-query';
import { dateTime, num, pct } from '../lib/format';
import { toChartTime, useChart } from '../components/Chart';
import { Status } from '../components/Status';
import { TemporalLink } from '../components/TemporalLink';

const ListDoc = graphql(`
  query PortfolioBacktestList {
    portfolioBacktests(first: 50) {
      id
      name
      status
      stage
      createdAt
      pValue
      tickers
    }
  }
`);

const RunDoc = graphql(`
  mutation RunPortfolioBacktest($input: RunPortfolioBacktestInput!) {
    runPortfolioBacktest(input: $input) {
      id
    }
  }
`);

const DetailDoc = graphql(`
  query PortfolioBacktestDetail($id: ID!) {
    portfolioBacktest(id: $id) {
      id
      name
      status
      stage
      error
      createdAt
      completedAt
      workflowId
      tickers
      tickersDone
      tickersTotal
      permutationsDone
      permutationsTotal
      pValue
      rebalances
      warnings
      params
      metrics {
        totalReturn
        cagr
        sharpe
        sortino
        calmar
        maxDrawdown
        turnover
        annualTurnover
        costsPaid
        exposure
        fills
        trades
        winRate
        profitFactor
      }
      benchmark {
        name
        totalReturn
        cagr
        sharpe
        maxDrawdown
      }
      equity {
        time
        equity
        benchmark
      }
      holdings {
        time
        weights {
          ticker
          weight
        }
      }
      perTicker {
        ticker
        contribution
        exposure
        fills
      }
      permutation {
        pValueBestAlone
      }
      search {
        kind
        bestIndex
        configs {
          index
          overrides
          statistic
        }
        windows {
          index
          inSampleFrom
          inSampleTo
          outOfSampleFrom
          outOfSampleTo
          chosen
          inSampleStatistic
        }
      }
    }
  }
`);

const CancelDoc = graphql(`
  mutation CancelPortfolioBacktest($id: ID!) {
    cancelPortfolioBacktest(id: $id) {
      id
      status
    }
  }
`);

const TERMINAL: BacktestStatus[] = ['COMPLETED', 'FAILED', 'CANCELLED'];
const COLORS = ['#58a6ff', '#f0883e', '#a371f7', '#3fb950', '#f85149', '#d29922', '#79c0ff', '#ff7b72', '#d2a8ff', '#7ee787'];

export function Portfolios() {
  const list = useQuery(ListDoc, {});
  const runs = list.data?.portfolioBacktests ?? [];
  return (
    <section className="page">
      <header className="page-head">
        <h2>Portfolio backtests</h2>
        <span className="spacer" />
        <Link to="/backtests">Single-ticker backtests →</Link>
      </header>
      <PortfolioForm />
      <div className="panel">
        <h3>Runs</h3>
        <Status loading={list.loading} error={list.error} empty={runs.length === 0} emptyText="No portfolio backtests yet.">
          <table className="grid" data-testid="portfolio-list">
            <thead>
              <tr>
                <th>Name</th>
                <th>Status</th>
                <th>Tickers</th>
                <th>p-value</th>
                <th>Started</th>
              </tr>
            </thead>
            <tbody>
              {runs.map((r) => (
                <tr key={r.id}>
                  <td>
                    <Link to={`/portfolios/${r.id}`}>{r.name}</Link>
                  </td>
                  <td>
                    <span className={`status ${r.status.toLowerCase()}`}>{r.status}</span>
                  </td>
                  <td>{r.tickers.length}</td>
                  <td>{num(r.pValue, 4)}</td>
                  <td>{dateTime(r.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Status>
      </div>
    </section>
  );
}

function PortfolioForm() {
  const run = useMutation(RunDoc);
  const [f, setF] = useState({
    universe: 'AAPL MSFT SPY',
    sector: '',
    from: '2005-01-01',
    to: '2015-01-01',
    ranking: 'STRATEGY' as PortfolioRankingKind,
    fastWindow: '20',
    slowWindow: '100',
    windowHours: '72',
    top: '2',
    weighting: 'EQUAL' as WeightingScheme,
    rebalance: 'MONTHLY' as RebalanceFrequency,
    costBps: '5',
    slippageBps: '2',
    benchmark: 'SPY',
    permutations: '500',
  });
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const tickers = f.universe.split(/[\s,]+/).filter(Boolean);
    const out = await run.run({
      input: {
        ...(f.sector.trim() ? { sector: f.sector.trim() } : { tickers }),
        from: new Date(`${f.from}T00:00:00Z`).toISOString(),
        to: new Date(`${f.to}T00:00:00Z`).toISOString(),
        ranking: f.ranking,
        ...(f.ranking === 'STRATEGY' ? { strategy: { kind: 'smaCrossover', fastWindow: Number(f.fastWindow), slowWindow: Number(f.slowWindow) } } : {}),
        ...(f.ranking === 'SENTIMENT' ? { windowHours: Number(f.windowHours) } : {}),
        ...(f.ranking === 'SIGNAL_CONFIDENCE' ? { maxAgeHours: Number(f.windowHours) } : {}),
        long: { top: Number(f.top) },
        weighting: f.weighting,
        rebalance: f.rebalance,
        costBps: Number(f.costBps),
        slippageBps: Number(f.slippageBps),
        benchmark: f.benchmark.trim() || null,
        permutations: Number(f.permutations),
      },
    });
    if (out) navigate(`/portfolios/${out.runPortfolioBacktest.id}`);
  };
  return (
    <form className="panel form" onSubmit={submit} aria-label="New portfolio backtest" data-testid="portfolio-form">
      <h3>New portfolio backtest</h3>
      <div className="fields">
      <label>
        Tickers <input value={f.universe} onChange={set('universe')} aria-label="Tickers" />
      </label>
      <label>
        or sector <input value={f.sector} onChange={set('sector')} placeholder="Information Technology" aria-label="Sector" />
      </label>
      <label>
        From <input type="date" value={f.from} onChange={set('from')} />
      </label>
      <label>
        To <input type="date" value={f.to} onChange={set('to')} />
      </label>
      <label>
        Ranking
        <select value={f.ranking} onChange={set('ranking')} aria-label="Ranking">
          <option value="STRATEGY">SMA crossover per ticker</option>
          <option value="SENTIMENT">sentiment</option>
          <option value="SIGNAL_CONFIDENCE">signal confidence</option>
        </select>
      </label>
      {f.ranking === 'STRATEGY' ? (
        <>
          <label>
            Fast SMA <input type="number" value={f.fastWindow} onChange={set('fastWindow')} />
          </label>
          <label>
            Slow SMA <input type="number" value={f.slowWindow} onChange={set('slowWindow')} />
          </label>
        </>
      ) : (
        <label>
          {f.ranking === 'SENTIMENT' ? 'Window (hours)' : 'Max signal age (hours)'} <input type="number" value={f.windowHours} onChange={set('windowHours')} />
        </label>
      )}
      <label>
        Hold top N <input type="number" min={1} value={f.top} onChange={set('top')} aria-label="Top N" />
      </label>
      <label>
        Weights
        <select value={f.weighting} onChange={set('weighting')}>
          <option value="EQUAL">equal</option>
          <option value="CONFIDENCE">by |score|</option>
          <option value="INVERSE_VOLATILITY">inverse volatility</option>
        </select>
      </label>
      <label>
        Rebalance
        <select value={f.rebalance} onChange={set('rebalance')}>
          <option value="DAILY">daily</option>
          <option value="WEEKLY">weekly</option>
          <option value="MONTHLY">monthly</option>
        </select>
      </label>
      <label>
        Fees (bps) <input type="number" value={f.costBps} onChange={set('costBps')} />
      </label>
      <label>
        Slippage (bps) <input type="number" value={f.slippageBps} onChange={set('slippageBps')} />
      </label>
      <label>
        Benchmark <input value={f.benchmark} onChange={set('benchmark')} placeholder="empty: equal-weight universe" aria-label="Benchmark" />
      </label>
      <label>
        Permutations <input type="number" value={f.permutations} onChange={set('permutations')} />
      </label>
      </div>
      <button type="submit" disabled={run.pending}>
        Run
      </button>
      {run.error && <div className="state error">{run.error}</div>}
    </form>
  );
}

type Search = NonNullable<NonNullable<PortfolioBacktestDetailQuery['portfolioBacktest']>['search']>;

const describeConfig = (o: unknown) => Object.entries((o ?? {}) as Record<string, unknown>).map(([k, v]) => `${k} ${String(v)}`).join(', ') || 'the run\'s own settings';

/** A sweep's configurations (the best one is the run shown), or a walk-forward's windows and their choices. */
function SearchPanel({ search, pValue, pValueBestAlone }: { search: Search; pValue: number | null | undefined; pValueBestAlone: number | null }) {
  const ranked = [...search.configs].sort((a, b) => (b.statistic ?? -Infinity) - (a.statistic ?? -Infinity));
  return (
    <div className="panel" data-testid="portfolio-search">
      {search.kind === 'sweep' ? (
        <>
          <h3>Sweep of {search.configs.length} configurations</h3>
          <p className="muted small">
            Shown: the best configuration. p-value against the whole search {num(pValue, 4)} (best alone, uncorrected: {num(pValueBestAlone, 4)}).
          </p>
          <table className="grid">
            <thead>
              <tr>
                <th>#</th>
                <th>Configuration</th>
                <th>Statistic</th>
              </tr>
            </thead>
            <tbody>
              {ranked.map((c) => (
                <tr key={c.index} className={c.index === search.bestIndex ? 'active' : ''}>
                  <td>{c.index}</td>
                  <td>{describeConfig(c.overrides)}</td>
                  <td>{num(c.statistic, 3)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : (
        <>
          <h3>Walk-forward over {search.configs.length} configurations</h3>
          <p className="muted small">Shown: the stitched out-of-sample result. In-sample choice ends before the purge; trading starts after the embargo.</p>
          <table className="grid">
            <thead>
              <tr>
                <th>Window</th>
                <th>In sample</th>
                <th>Out of sample</th>
                <th>Chosen</th>
                <th>In-sample statistic</th>
              </tr>
            </thead>
            <tbody>
              {(search.windows ?? []).map((w) => (
                <tr key={w.index}>
                  <td>{w.index}</td>
                  <td>
                    {w.inSampleFrom.slice(0, 10)} – {w.inSampleTo.slice(0, 10)}
                  </td>
                  <td>
                    {w.outOfSampleFrom.slice(0, 10)} – {w.outOfSampleTo.slice(0, 10)}
                  </td>
                  <td>{describeConfig(search.configs[w.chosen]?.overrides)}</td>
                  <td>{num(w.inSampleStatistic, 3)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

/** Unique ascending chart times (the chart refuses duplicates). */
function series<T>(rows: T[], time: (r: T) => number, value: (r: T) => number) {
  const out: Array<{ time: ReturnType<typeof toChartTime>; value: number }> = [];
  for (const r of rows) {
    const t = toChartTime(time(r));
    if (out.length && out[out.length - 1].time >= t) continue;
    out.push({ time: t, value: value(r) });
  }
  return out;
}

export function PortfolioDetail({ id }: { id: string }) {
  const q = useQuery(DetailDoc, { id });
  const cancel = useMutation(CancelDoc);
  const run = q.data?.portfolioBacktest;
  const reload = q.reload;
  // Progress lives on the row (stage, tickers loaded, permutations): poll until the run is final.
  const running = run && !TERMINAL.includes(run.status);
  useEffect(() => {
    if (!running) return;
    const t = setTimeout(reload, 700);
    return () => clearTimeout(t);
  }, [running, reload, q.data]);

  const equity = run?.equity ?? [];
  const holdings = run?.holdings ?? [];
  const tickers = run?.tickers ?? [];
  const equityRef = useChart(
    (chart: IChartApi) => {
      if (equity.length === 0) return;
      const p = chart.addSeries(LineSeries, { color: '#58a6ff', lineWidth: 2, title: 'portfolio' });
      p.setData(series(equity, (e) => e.time, (e) => e.equity));
      // Same price scale as the portfolio: both start at 1.
      const b = chart.addSeries(LineSeries, { color: '#8b949e', lineWidth: 1, lineStyle: 2, title: run?.benchmark?.name ?? 'benchmark' });
      b.setData(series(equity, (e) => e.time, (e) => e.benchmark));
    },
    [run?.equity],
  );
  const holdingsRef = useChart(
    (chart: IChartApi) => {
      if (holdings.length === 0) return;
      tickers.forEach((ticker, j) => {
        const s = chart.addSeries(LineSeries, { color: COLORS[j % COLORS.length], lineWidth: 1, title: ticker, priceFormat: { type: 'percent' }, lineType: 1 });
        s.setData(series(holdings, (h) => h.time, (h) => 100 * (h.weights.find((w) => w.ticker === ticker)?.weight ?? 0)));
      });
    },
    [run?.holdings],
  );

  const m = run?.metrics;
  const pct100 = run && run.permutationsTotal ? Math.round((run.permutationsDone / run.permutationsTotal) * 100) : run && TERMINAL.includes(run.status) ? 100 : 0;
  return (
    <section className="page">
      <header className="page-head">
        <Link to="/portfolios">← Portfolio backtests</Link>
        <h2>{run?.name ?? 'Portfolio backtest'}</h2>
        {run && (
          <span className={`status ${run.status.toLowerCase()}`} data-testid="portfolio-status">
            {run.status}
          </span>
        )}
        <span className="spacer" />
        {run?.workflowId && <TemporalLink workflowId={run.workflowId}>Temporal UI</TemporalLink>}
        {running && (
          <button type="button" onClick={() => cancel.run({ id }).then(reload)} disabled={cancel.pending}>
            Cancel
          </button>
        )}
      </header>
      <Status loading={q.loading && !run} error={q.error ?? cancel.error} empty={!run} emptyText="No such portfolio backtest.">
        {run && (
          <>
            <div className="panel">
              <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct100} data-testid="portfolio-progress">
                <span style={{ width: `${pct100}%` }} />
              </div>
              <p className="muted small">
                {run.stage.toLowerCase()} · tickers {run.tickersDone} / {run.tickersTotal} · permutations {run.permutationsDone} / {run.permutationsTotal} · p-value {num(run.pValue, 4)} · started{' '}
                {dateTime(run.createdAt)}
                {run.completedAt && <> · finished {dateTime(run.completedAt)}</>}
              </p>
              {run.error && <div className="state error">{run.error}</div>}
              {run.warnings.length > 0 && (
                <ul className="muted small" data-testid="portfolio-warnings">
                  {run.warnings.slice(0, 10).map((w) => (
                    <li key={w}>{w}</li>
                  ))}
                </ul>
              )}
            </div>
            <div className="panel">
              <h3>
                Equity vs. {run.benchmark?.name ?? 'benchmark'}
              </h3>
              {equity.length ? <div className="chart tall" ref={equityRef} data-testid="portfolio-equity-chart" data-points={equity.length} /> : <div className="state loading">The equity curve appears when the simulation is done…</div>}
            </div>
            <div className="panel">
              <h3>Holdings over time (weight after each rebalance)</h3>
              {holdings.length ? <div className="chart" ref={holdingsRef} data-testid="portfolio-holdings-chart" data-points={holdings.length} /> : <div className="state empty">No rebalances yet.</div>}
            </div>
            {run.search && <SearchPanel search={run.search} pValue={run.pValue} pValueBestAlone={run.permutation?.pValueBestAlone ?? null} />}
            <div className="two-col">
              <div className="panel">
                <h3>Metrics</h3>
                {m && (
                  <table className="kv" data-testid="portfolio-metrics">
                    <tbody>
                      <tr><th>Total return</th><td>{pct(m.totalReturn)}</td><td className="muted">{run.benchmark?.name}: {pct(run.benchmark?.totalReturn)}</td></tr>
                      <tr><th>CAGR</th><td>{pct(m.cagr)}</td><td className="muted">{pct(run.benchmark?.cagr)}</td></tr>
                      <tr><th>Sharpe</th><td>{num(m.sharpe, 2)}</td><td className="muted">{num(run.benchmark?.sharpe, 2)}</td></tr>
                      <tr><th>Max drawdown</th><td>{pct(m.maxDrawdown)}</td><td className="muted">{pct(run.benchmark?.maxDrawdown)}</td></tr>
                      <tr><th>Sortino</th><td>{num(m.sortino, 2)}</td><td /></tr>
                      <tr><th>Calmar</th><td>{num(m.calmar, 2)}</td><td /></tr>
                      <tr><th>Turnover / year</th><td>{num(m.annualTurnover, 2)}</td><td className="muted">total {num(m.turnover, 1)}</td></tr>
                      <tr><th>Costs paid</th><td>{pct(m.costsPaid)}</td><td /></tr>
                      <tr><th>Exposure</th><td>{pct(m.exposure)}</td><td /></tr>
                      <tr><th>Fills / trades</th><td>{m.fills ?? '—'} / {m.trades ?? '—'}</td><td className="muted">win rate {pct(m.winRate)}</td></tr>
                      <tr><th>Rebalances</th><td>{run.rebalances}</td><td /></tr>
                      <tr><th>p-value</th><td>{num(run.pValue, 4)}</td><td className="muted">{run.permutationsDone} permutations of whole bars</td></tr>
                    </tbody>
                  </table>
                )}
              </div>
              <div className="panel">
                <h3>Contribution by ticker</h3>
                {run.perTicker.length === 0 && <div className="state empty">Not computed for a walk-forward's stitched result.</div>}
                <table className="grid" data-testid="portfolio-contributions" hidden={run.perTicker.length === 0}>
                  <thead>
                    <tr>
                      <th>Ticker</th>
                      <th>Contribution</th>
                      <th>Held</th>
                      <th>Fills</th>
                    </tr>
                  </thead>
                  <tbody>
                    {run.perTicker.map((t) => (
                      <tr key={t.ticker}>
                        <td>
                          <Link to={`/tickers/${t.ticker}`}>{t.ticker}</Link>
                        </td>
                        <td>{pct(t.contribution)}</td>
                        <td>{pct(t.exposure)}</td>
                        <td>{t.fills}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </div>
          </>
        )}
      </Status>
    </section>
  );
}
