/**
 * The backtest and sweep forms' model, generated from the backtestStrategies query (the strategy
 * registry, domain/backtest/strategy-registry.ts): which inputs a strategy has, their bounds and
 * starting values, and how the entered values become RunBacktestInput fields and sweep ranges.
 * A new strategy in the registry appears here with no change to the dashboard. Pure: no React,
 * no generated types (the shapes below are what the query selects), so it is unit-tested alone.
 */

export interface StrategyParameterInfo {
  name: string;
  type: 'FLOAT' | 'INT' | 'BOOLEAN';
  description: string;
  /** null: none (e.g. no holding period); booleans as 0/1. */
  default?: number | null;
  min?: number | null;
  max?: number | null;
  step?: number | null;
}

export interface StrategyInfo {
  /** The StrategyKind value. */
  name: string;
  description: string;
  suggestedSizing: boolean;
  parameters: StrategyParameterInfo[];
}

/** The strategy the forms open with when the registry has it; otherwise the first. */
export const PREFERRED_STRATEGY = 'SENTIMENT_THRESHOLD';

export type ParameterValues = Record<string, string | boolean>;

/** "SMA_CROSSOVER" -> "sma crossover" */
export function strategyLabel(name: string): string {
  return name.toLowerCase().replaceAll('_', ' ');
}

/** "windowHours" -> "window hours" */
export function parameterLabel(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

export function initialStrategy(strategies: readonly StrategyInfo[]): string {
  return strategies.find((s) => s.name === PREFERRED_STRATEGY)?.name ?? strategies[0]?.name ?? '';
}

/** Each parameter's starting value: its default ('' for none, a checkbox's false for 0). */
export function initialValues(strategy: StrategyInfo | undefined): ParameterValues {
  const values: ParameterValues = {};
  for (const p of strategy?.parameters ?? []) values[p.name] = p.type === 'BOOLEAN' ? p.default === 1 : p.default === null || p.default === undefined ? '' : String(p.default);
  return values;
}

/** The number inputs first (in registry order), then the checkboxes. */
export function numberParameters(strategy: StrategyInfo | undefined): StrategyParameterInfo[] {
  return (strategy?.parameters ?? []).filter((p) => p.type !== 'BOOLEAN');
}
export function booleanParameters(strategy: StrategyInfo | undefined): StrategyParameterInfo[] {
  return (strategy?.parameters ?? []).filter((p) => p.type === 'BOOLEAN');
}

/**
 * The input's step: the registry's, else 1 for whole numbers and "any" for others. A browser
 * accepts only min + k * step, so a step that does not divide the minimum (windowHours: from one
 * minute, in steps of an hour) becomes "any", or the default itself could not be submitted.
 */
export function inputStep(p: StrategyParameterInfo): string {
  const step = p.step ?? (p.type === 'INT' ? 1 : null);
  if (step == null || step <= 0) return 'any';
  if (p.min != null) {
    const k = p.min / step;
    if (Math.abs(k - Math.round(k)) > 1e-9) return 'any';
  }
  return String(step);
}

/** The strategy's RunBacktestInput fields from the entered values; a blank number is left out (the server's default). */
export function strategyInput(strategy: StrategyInfo, values: ParameterValues): Record<string, number | boolean> {
  const out: Record<string, number | boolean> = {};
  for (const p of strategy.parameters) {
    const v = values[p.name];
    if (p.type === 'BOOLEAN') out[p.name] = v === true;
    else if (typeof v === 'string' && v.trim() !== '') out[p.name] = Number(v);
  }
  return out;
}

/** A sweep axis as entered: from, to and step for a number; for a checkbox, whether to try both. */
export interface SweepAxis {
  from: string;
  to: string;
  step: string;
  both: boolean;
}

/** A sweep's grid is at most 1000 configurations; one axis of more than this many values is a typo. */
export const MAX_AXIS_VALUES = 50;

/** Each parameter's axis: a single value (its default) until the user widens it. */
export function initialAxes(strategy: StrategyInfo | undefined): Record<string, SweepAxis> {
  const axes: Record<string, SweepAxis> = {};
  for (const p of strategy?.parameters ?? []) {
    const d = p.default === null || p.default === undefined ? '' : String(p.default);
    axes[p.name] = { from: d, to: d, step: p.step != null ? String(p.step) : p.type === 'INT' ? '1' : '', both: false };
  }
  return axes;
}

/**
 * The values an axis asks for: from, from+step, ... up to `to` (inclusive, within rounding), or
 * null when it asks for nothing (blank). Throws a message naming the parameter for a bad axis.
 */
export function axisValues(p: StrategyParameterInfo, axis: SweepAxis): number[] | boolean[] | null {
  if (p.type === 'BOOLEAN') return axis.both ? [false, true] : null;
  if (axis.from.trim() === '') return null;
  const from = Number(axis.from);
  const to = axis.to.trim() === '' ? from : Number(axis.to);
  const step = axis.step.trim() === '' ? 0 : Number(axis.step);
  const name = parameterLabel(p.name);
  if (!Number.isFinite(from) || !Number.isFinite(to) || !Number.isFinite(step)) throw new Error(`${name}: from, to and step must be numbers`);
  if (p.min != null && Math.min(from, to) < p.min) throw new Error(`${name}: must be at least ${p.min}`);
  if (p.max != null && Math.max(from, to) > p.max) throw new Error(`${name}: must be at most ${p.max}`);
  if (to === from) return [from];
  if (to < from) throw new Error(`${name}: "to" must not be below "from"`);
  if (!(step > 0)) throw new Error(`${name}: a range needs a step above 0`);
  const count = Math.floor((to - from) / step + 1e-9) + 1;
  if (count > MAX_AXIS_VALUES) throw new Error(`${name}: ${count} values, more than ${MAX_AXIS_VALUES}; widen the step`);
  // Rounded to the step's decimals, so 0.1 + 0.2 is offered as 0.3.
  const decimals = Math.min(10, Math.max(0, ...[axis.from, axis.step].map((s) => (s.split('.')[1] ?? '').length)));
  const values = Array.from({ length: count }, (_, i) => Number((from + i * step).toFixed(decimals)));
  return p.type === 'INT' ? values.map(Math.round) : values;
}

/** SweepRangesInput for the strategy's axes: only those that ask for something. */
export function sweepRanges(strategy: StrategyInfo, axes: Record<string, SweepAxis>): Record<string, number[] | boolean[]> {
  const out: Record<string, number[] | boolean[]> = {};
  for (const p of strategy.parameters) {
    const axis = axes[p.name];
    if (!axis) continue;
    const values = axisValues(p, axis);
    if (values) out[p.name] = values;
  }
  return out;
}

/** How many configurations the ranges make (the product of the axes' sizes). */
export function gridSize(ranges: Record<string, unknown[]>): number {
  return Object.values(ranges).reduce((n, v) => n * Math.max(1, v.length), 1);
}
