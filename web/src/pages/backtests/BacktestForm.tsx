/** The runBacktest form: the strategy and its parameters come from backtestStrategies (the registry). */
import { useState, type FormEvent } from 'react';
import type { RunBacktestInput, SizingKind, StrategyKind } from '../../gql/graphql';
import { navigate } from '../../lib/router';
import { useMutation } from '../../lib/use-query';
import { RunBacktestDoc } from './documents';
import { NumberParameterInputs, StrategyPicker } from './StrategyFields';
import { booleanParameters, initialStrategy, initialValues, parameterLabel, strategyInput, type ParameterValues, type StrategyInfo } from './strategy-form';

export function BacktestForm({ strategies }: { strategies: readonly StrategyInfo[] }) {
  const run = useMutation(RunBacktestDoc);
  const [f, setF] = useState({
    name: '',
    ticker: 'SPY',
    from: '2015-01-01',
    to: '2019-12-31',
    costBps: '5',
    slippageBps: '2',
    sizing: 'FIXED' as SizingKind,
    fraction: '1',
    permutations: '200',
    seed: '',
  });
  const [strategyName, setStrategyName] = useState(() => initialStrategy(strategies));
  const strategy = strategies.find((s) => s.name === strategyName);
  const [values, setValues] = useState<ParameterValues>(() => initialValues(strategy));
  const pickStrategy = (name: string) => {
    setStrategyName(name);
    const next = strategies.find((s) => s.name === name);
    setValues(initialValues(next));
    if (!next?.suggestedSizing) setF((s) => ({ ...s, sizing: 'FIXED' }));
  };
  const setValue = (name: string, value: string | boolean) => setValues((v) => ({ ...v, [name]: value }));
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF((s) => ({ ...s, [k]: e.target.value }));
  const n = (v: string) => (v.trim() === '' ? undefined : Number(v));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!strategy) return;
    const input: RunBacktestInput = {
      name: f.name.trim() || undefined,
      ticker: f.ticker.trim().toUpperCase(),
      from: new Date(`${f.from}T00:00:00Z`).toISOString(),
      to: new Date(`${f.to}T23:59:59Z`).toISOString(),
      strategy: strategy.name as StrategyKind,
      ...strategyInput(strategy, values),
      costBps: n(f.costBps),
      slippageBps: n(f.slippageBps),
      sizing: f.sizing,
      permutations: n(f.permutations),
      seed: n(f.seed),
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
        <StrategyPicker strategies={strategies} value={strategyName} onChange={pickStrategy} />
        <NumberParameterInputs strategy={strategy} values={values} onChange={setValue} />
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
            {strategy?.suggestedSizing && <option value="SUGGESTED">signal's suggested size</option>}
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
        {booleanParameters(strategy).map((p) => (
          <label key={p.name} className="check" title={p.description}>
            <input name={p.name} type="checkbox" checked={values[p.name] === true} onChange={(e) => setValue(p.name, e.target.checked)} /> {parameterLabel(p.name)}
          </label>
        ))}
      </div>
      {run.error && (
        <div className="state error" role="alert">
          {run.error}
        </div>
      )}
      <button type="submit" className="primary" disabled={run.pending || !strategy}>
        {run.pending ? 'Starting…' : 'Run backtest'}
      </button>
    </form>
  );
}
