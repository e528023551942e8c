/**
 * The runParameterSweep form: a base backtest and, per parameter of the chosen strategy, a range
 * (from, to, step) bounded by the registry's min/max; a checkbox parameter can try both values.
 */
import { useState, type FormEvent } from 'react';
import type { StrategyKind } from '../../gql/graphql';
import { useMutation } from '../../lib/use-query';
import { TemporalLink } from '../../components/TemporalLink';
import { RunSweepDoc } from './documents';
import { StrategyPicker } from './StrategyFields';
import { gridSize, initialAxes, initialStrategy, initialValues, inputStep, parameterLabel, strategyInput, sweepRanges, type StrategyInfo, type SweepAxis } from './strategy-form';

export function SweepForm({ strategies }: { strategies: readonly StrategyInfo[] }) {
  const sweep = useMutation(RunSweepDoc);
  const [f, setF] = useState({ ticker: 'SPY', from: '2015-01-01', to: '2019-12-31', statistic: 'sharpe', permutations: '200' });
  const [strategyName, setStrategyName] = useState(() => initialStrategy(strategies));
  const strategy = strategies.find((s) => s.name === strategyName);
  const [axes, setAxes] = useState<Record<string, SweepAxis>>(() => initialAxes(strategy));
  const [invalid, setInvalid] = useState<string | null>(null);
  const [started, setStarted] = useState<{ name: string; status: string; configsTotal: number; workflowId?: string | null } | null>(null);
  const pickStrategy = (name: string) => {
    setStrategyName(name);
    setAxes(initialAxes(strategies.find((s) => s.name === name)));
  };
  const setAxis = (name: string, part: keyof SweepAxis, value: string | boolean) => setAxes((a) => ({ ...a, [name]: { ...a[name], [part]: value } }));
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF((s) => ({ ...s, [k]: e.target.value }));

  let ranges: Record<string, number[] | boolean[]> = {};
  let rangeError: string | null = null;
  try {
    if (strategy) ranges = sweepRanges(strategy, axes);
  } catch (err) {
    rangeError = (err as Error).message;
  }
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!strategy) return;
    if (rangeError) return setInvalid(rangeError);
    setInvalid(null);
    const result = await sweep.run({
      input: {
        base: {
          ticker: f.ticker.trim().toUpperCase(),
          from: new Date(`${f.from}T00:00:00Z`).toISOString(),
          to: new Date(`${f.to}T23:59:59Z`).toISOString(),
          strategy: strategy.name as StrategyKind,
          ...strategyInput(strategy, initialValues(strategy)),
        },
        ranges,
        statistic: f.statistic,
        permutations: f.permutations.trim() === '' ? undefined : Number(f.permutations),
      },
    });
    if (result) setStarted(result.runParameterSweep);
  };
  return (
    <form className="panel form" onSubmit={submit} aria-label="New parameter sweep">
      <h3>New parameter sweep</h3>
      <div className="fields">
        <label>
          Ticker <input name="sweep.ticker" value={f.ticker} onChange={set('ticker')} required />
        </label>
        <label>
          From <input name="sweep.from" type="date" value={f.from} onChange={set('from')} required />
        </label>
        <label>
          To <input name="sweep.to" type="date" value={f.to} onChange={set('to')} required />
        </label>
        <StrategyPicker name="sweep.strategy" strategies={strategies} value={strategyName} onChange={pickStrategy} />
        <label>
          Rank by
          <select name="sweep.statistic" value={f.statistic} onChange={set('statistic')}>
            <option value="sharpe">Sharpe</option>
            <option value="totalReturn">total return</option>
          </select>
        </label>
        <label>
          Permutations <input name="sweep.permutations" type="number" min="0" max="5000" value={f.permutations} onChange={set('permutations')} />
        </label>
      </div>
      <table className="grid sweep-axes" data-testid="sweep-axes">
        <thead>
          <tr>
            <th>parameter</th>
            <th>from</th>
            <th>to</th>
            <th>step</th>
          </tr>
        </thead>
        <tbody>
          {(strategy?.parameters ?? []).map((p) => {
            const axis = axes[p.name];
            if (!axis) return null;
            if (p.type === 'BOOLEAN')
              return (
                <tr key={p.name} title={p.description}>
                  <th>{parameterLabel(p.name)}</th>
                  <td colSpan={3}>
                    <label className="check">
                      <input name={`sweep.${p.name}.both`} type="checkbox" checked={axis.both} onChange={(e) => setAxis(p.name, 'both', e.target.checked)} /> try both
                    </label>
                  </td>
                </tr>
              );
            const bounds = { min: p.min ?? undefined, max: p.max ?? undefined, step: inputStep(p) };
            return (
              <tr key={p.name} title={p.description}>
                <th>{parameterLabel(p.name)}</th>
                <td>
                  <input name={`sweep.${p.name}.from`} aria-label={`${p.name} from`} type="number" {...bounds} value={axis.from} placeholder={p.default == null ? 'none' : undefined} onChange={(e) => setAxis(p.name, 'from', e.target.value)} />
                </td>
                <td>
                  <input name={`sweep.${p.name}.to`} aria-label={`${p.name} to`} type="number" {...bounds} value={axis.to} onChange={(e) => setAxis(p.name, 'to', e.target.value)} />
                </td>
                <td>
                  <input name={`sweep.${p.name}.step`} aria-label={`${p.name} step`} type="number" min={0} step="any" value={axis.step} onChange={(e) => setAxis(p.name, 'step', e.target.value)} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p className="muted small" data-testid="sweep-size">
        {rangeError ?? `${gridSize(ranges)} configurations`}
      </p>
      {(invalid ?? sweep.error) && (
        <div className="state error" role="alert">
          {invalid ?? sweep.error}
        </div>
      )}
      {started && (
        <p className="small" data-testid="sweep-started">
          Started {started.name}: {started.configsTotal} configurations, {started.status.toLowerCase()} <TemporalLink workflowId={started.workflowId} />
        </p>
      )}
      <button type="submit" className="primary" disabled={sweep.pending || !strategy}>
        {sweep.pending ? 'Starting…' : 'Run sweep'}
      </button>
    </form>
  );
}
