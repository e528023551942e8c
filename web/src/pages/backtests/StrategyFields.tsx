/** The strategy picker and a strategy's parameter inputs, both generated from backtestStrategies. */
import { inputStep, numberParameters, parameterLabel, strategyLabel, type ParameterValues, type StrategyInfo, type StrategyParameterInfo } from './strategy-form';

export function StrategyPicker({ strategies, value, onChange, name = 'strategy' }: { strategies: readonly StrategyInfo[]; value: string; onChange(name: string): void; name?: string }) {
  const picked = strategies.find((s) => s.name === value);
  return (
    <label title={picked?.description}>
      Strategy
      <select name={name} value={value} onChange={(e) => onChange(e.target.value)}>
        {strategies.map((s) => (
          <option key={s.name} value={s.name} title={s.description}>
            {strategyLabel(s.name)}
          </option>
        ))}
      </select>
    </label>
  );
}

const bound = (v: number | null | undefined) => (v == null ? undefined : v);

/** One number input per numeric parameter, with the registry's bounds and step. */
export function NumberParameterInputs({ strategy, values, onChange }: { strategy: StrategyInfo | undefined; values: ParameterValues; onChange(name: string, value: string): void }) {
  return (
    <>
      {numberParameters(strategy).map((p: StrategyParameterInfo) => (
        <label key={p.name} title={p.description}>
          {parameterLabel(p.name)}{' '}
          <input
            name={p.name}
            type="number"
            min={bound(p.min)}
            max={bound(p.max)}
            step={inputStep(p)}
            value={String(values[p.name] ?? '')}
            placeholder={p.default == null ? 'none' : undefined}
            onChange={(e) => onChange(p.name, e.target.value)}
          />
        </label>
      ))}
    </>
  );
}
