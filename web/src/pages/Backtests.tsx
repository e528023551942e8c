/**
 * Backtests: the runBacktest and runParameterSweep forms (generated from backtestStrategies, so
 * a strategy added to the registry appears here unchanged) and the list of runs (pick two or
 * more to compare). A run's page and the comparison live in ./backtests/.
 */
import { useState } from 'react';
import { navigate, Link } from '../lib/router';
import { useQuery } from '../lib/use-query';
import { dateTime, num } from '../lib/format';
import { Status } from '../components/Status';
import { BacktestsDoc, StrategiesDoc } from './backtests/documents';
import { BacktestForm } from './backtests/BacktestForm';
import { SweepForm } from './backtests/SweepForm';

export { BacktestDetail } from './backtests/BacktestDetail';
export { CompareBacktests } from './backtests/CompareBacktests';

export function Backtests() {
  const list = useQuery(BacktestsDoc, {});
  const strategies = useQuery(StrategiesDoc, {});
  const [picked, setPicked] = useState<string[]>([]);
  const toggle = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id]));
  return (
    <section className="page">
      <header className="page-head">
        <h2>Backtests</h2>
      </header>
      <div className="two-col wide-left">
        <div className="stack">
          <Status loading={strategies.loading} error={strategies.error} empty={strategies.data?.backtestStrategies.length === 0} emptyText="No strategies." onRetry={strategies.reload}>
            {strategies.data && (
              <>
                <BacktestForm strategies={strategies.data.backtestStrategies} />
                <SweepForm strategies={strategies.data.backtestStrategies} />
              </>
            )}
          </Status>
        </div>
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

