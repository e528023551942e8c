/**
 * Every backtest strategy, one entry each: its kind, its GraphQL name and input fields, how
 * its input is validated, which inputs the activity loads for it, and how it turns bars and
 * those inputs into target positions. The service (validation), the activity (loading and
 * positions) and the GraphQL input (enum value, fields, defaults) all read this list, so a new
 * strategy is one entry here; a strategy that needs a new kind of input also adds that input's
 * loader in activities/backtest.activities.ts.
 *
 * Pure: no I/O. Errors in the input go through the `StrategyChecks` the caller supplies (the
 * service turns them into BAD_USER_INPUT); data that cannot support a run is a BacktestDataError.
 */
import { sma } from '../indicators/moving-averages';
import type { BacktestBars } from './types';
import { positionsFromSignals, rollingSentimentByBar, sentimentThresholdPositions, type SentimentObservation, type SignalType } from './strategies';

/** Declared here (not in contracts.ts) so the registry has no import cycle; re-exported there. */
export type BacktestSizing = { kind: 'fixed'; fraction: number } | { kind: 'suggested' };

/** The run's data cannot support it (no bars, no signals...): retrying will not help. */
export class BacktestDataError extends Error {
  override name = 'BacktestDataError';
}

/** Signals older than this before `from` cannot still be driving a position worth starting with. */
export const SIGNAL_LOOKBACK_MS = 30 * 86_400_000;

/** Validation helpers; each throws the caller's own "bad input" error naming the field. */
export interface StrategyChecks {
  bad(field: string, message: string): Error;
  num(field: string, value: unknown, lo: number, hi: number, fallback?: number): number;
  int(field: string, value: unknown, lo: number, hi: number, fallback?: number): number;
  optionalInt(field: string, value: unknown, lo: number, hi: number): number | null;
}

/**
 * A parameter of a strategy: a flat GraphQL input field (RunBacktestInput) that it reads, with what
 * a client needs to offer it (the dashboard's backtest and sweep forms are generated from these,
 * through the backtestStrategies query). A name shared by strategies has one type. `min`/`max`
 * are the range `validate` accepts, `default` what `fromFlatInput` uses when the field is absent
 * (null: none, e.g. no holding period), `step` a sensible increment for inputs and sweep grids.
 */
export interface StrategyField {
  type: 'float' | 'int' | 'boolean';
  description: string;
  default: number | boolean | null;
  min?: number;
  max?: number;
  step?: number;
}

/** The flat GraphQL input (RunBacktestInput) as the entries read it. */
export type FlatStrategyInput = Readonly<Record<string, unknown>>;

/** Inputs the activity loads for a run besides its price bars; one loader per kind of input. */
export interface StrategyNeeds {
  /** The ticker's scored news from `since` to the end of the run, at least this relevant. */
  sentiment?: { since: Date; minRelevance: number };
  /** Product signals from `since`: the pinned replay series or the live ones. */
  signals?: { since: Date; source: 'replay' | 'live'; rulesVersion: string | null; modelVersion: string | null };
}

export interface StrategyData {
  sentiment?: SentimentObservation[];
  signals?: Array<{ asOf: Date; type: SignalType; suggestedPositionSize: number }>;
}

export interface StrategyRun {
  ticker: string;
  from: string;
  to: string;
  sizing: BacktestSizing;
}

export interface StrategyPositions {
  targets: Float64Array;
  /** What the run used (stored in the metrics). */
  inputs: Record<string, unknown>;
  /** The run worked, but its result may not mean what it seems. */
  warnings: string[];
}

export interface StrategyEntry<K extends string, I extends { kind: K }, P extends { kind: K }> {
  kind: K;
  /** The GraphQL StrategyKind value. */
  graphqlName: string;
  description: string;
  /** The flat GraphQL input fields this strategy reads. */
  fields: Record<string, StrategyField>;
  /** The flat GraphQL input -> this strategy's service input, with the GraphQL defaults. */
  fromFlatInput(flat: FlatStrategyInput): I;
  /** The service input, checked and normalised into what is stored in backtest_runs.params. */
  validate(raw: I, check: StrategyChecks): P;
  /** Whether `sizing: suggested` applies (the strategy's inputs carry a suggested size). */
  suggestedSizing: boolean;
  needs(strategy: P, run: { ticker: string; from: Date; to: Date }): StrategyNeeds;
  positions(bars: Required<BacktestBars>, strategy: P, data: StrategyData, run: StrategyRun): StrategyPositions;
}

const defineStrategy = <K extends string, I extends { kind: K }, P extends { kind: K }>(entry: StrategyEntry<K, I, P>) => entry;
const nullable = <T>(v: T | undefined | null): T | null => (v === undefined || v === null ? null : v);
const fixedSize = (sizing: BacktestSizing) => (sizing.kind === 'fixed' ? sizing.fraction : 1);

const ALLOW_SHORT = { type: 'boolean', description: 'go short as well as long', default: false } as const satisfies StrategyField;
const HOLDING_BARS = { type: 'int', description: 'close a position after this many bars unless renewed', default: null, min: 1, max: 100_000, step: 1 } as const satisfies StrategyField;

/** `value` when given, else the field's default (the flat GraphQL input's fields are all optional). */
const orDefault = <T>(value: unknown, field: { default: T }): T => (value === undefined || value === null ? field.default : (value as T));

// ---- signals: the product's own BUY/SELL/HOLD history ----

export interface SignalsStrategy {
  kind: 'signals';
  allowShort: boolean;
  onHold: 'keep' | 'flat';
  holdingBars: number | null;
  /** 'replay' (default): the replayed history of the signal rules; 'live': signals as they were generated live. Absent on runs stored before replays existed = 'live'. */
  source?: 'replay' | 'live';
  /** Replay series used; fixed by the workflow before the engine runs (modelVersion may be asked for). */
  rulesVersion?: string | null;
  modelVersion?: string | null;
}

export interface SignalsStrategyInput {
  kind: 'signals';
  allowShort?: boolean;
  onHold?: 'keep' | 'flat';
  holdingBars?: number | null;
  /** 'replay' (default): replayed signal history, brought up to date by the run; 'live': signals stored live. */
  source?: 'replay' | 'live';
  /** Replay with this sentiment model's scores preferred; default the active model. */
  modelVersion?: string | null;
}

const signalsStrategy = defineStrategy<'signals', SignalsStrategyInput, SignalsStrategy>({
  kind: 'signals',
  graphqlName: 'SIGNALS',
  description: "the product's BUY/SELL/HOLD signals (replayed point in time, or as stored live)",
  fields: { allowShort: ALLOW_SHORT, holdingBars: HOLDING_BARS },
  fromFlatInput: (f) => ({
    kind: 'signals',
    allowShort: f.allowShort as boolean | undefined,
    holdingBars: orDefault<number | null>(f.holdingBars, HOLDING_BARS),
    source: (f.signalSource as 'replay' | 'live' | undefined) ?? 'replay',
    modelVersion: nullable(f.modelVersion as string | undefined),
  }),
  validate(raw, check) {
    const onHold = raw.onHold ?? 'keep';
    if (onHold !== 'keep' && onHold !== 'flat') throw check.bad('strategy.onHold', "must be 'keep' or 'flat'");
    const source = raw.source ?? 'replay';
    if (source !== 'replay' && source !== 'live') throw check.bad('strategy.source', "must be 'replay' or 'live'");
    const modelVersion = raw.modelVersion === undefined || raw.modelVersion === null ? null : String(raw.modelVersion).trim();
    if (modelVersion !== null && (source !== 'replay' || !/^[A-Za-z0-9._:-]{1,100}$/.test(modelVersion))) {
      throw check.bad('strategy.modelVersion', source !== 'replay' ? 'only applies to replayed signals' : `is not a model version: ${JSON.stringify(raw.modelVersion)}`);
    }
    return {
      kind: 'signals',
      allowShort: raw.allowShort === true,
      onHold,
      holdingBars: check.optionalInt('strategy.holdingBars', raw.holdingBars, HOLDING_BARS.min, HOLDING_BARS.max),
      source,
      rulesVersion: null,
      modelVersion,
    };
  },
  suggestedSizing: true,
  needs(s, { ticker, from }) {
    const source = s.source ?? 'live';
    if (source === 'replay' && (!s.rulesVersion || !s.modelVersion)) throw new BacktestDataError(`backtest of replayed signals for ${ticker} has no replay series pinned (rules and model version)`);
    return { signals: { since: new Date(from.getTime() - SIGNAL_LOOKBACK_MS), source, rulesVersion: s.rulesVersion ?? null, modelVersion: s.modelVersion ?? null } };
  },
  positions(bars, s, data, run) {
    const source = s.source ?? 'live';
    const rows = data.signals ?? [];
    const described = source === 'replay' ? `replayed signals (rules ${s.rulesVersion}, model ${s.modelVersion})` : 'live signals';
    if (rows.length === 0) {
      throw new BacktestDataError(
        `no ${described} for ${run.ticker} between ${run.from} and ${run.to}: a signal needs scored news about the ticker in the two days before a decision, or fresh daily bars enough for a technical score` +
          (source === 'live' ? '; live signals exist only from when they were generated, backtest the replayed history instead (signalSource REPLAY)' : '; import or ingest articles about it first'),
      );
    }
    const targets = positionsFromSignals(bars.times, rows, {
      sizing: run.sizing.kind,
      fixedFraction: run.sizing.kind === 'fixed' ? run.sizing.fraction : undefined,
      allowShort: s.allowShort,
      onHold: s.onHold,
      holdingBars: s.holdingBars ?? undefined,
    });
    const actionable = rows.filter((r) => r.type !== 'HOLD').length;
    const warnings = actionable === 0 ? [`all ${rows.length} ${described} in the period are HOLD: the strategy never takes a position`] : [];
    return { targets, warnings, inputs: { signals: rows.length, actionableSignals: actionable, signalSource: { kind: source, rulesVersion: s.rulesVersion ?? null, modelVersion: s.modelVersion ?? null } } };
  },
});

// ---- sentimentThreshold: rolling news sentiment against thresholds ----

export interface SentimentThresholdStrategy {
  kind: 'sentimentThreshold';
  enter: number;
  exit: number;
  allowShort: boolean;
  shortEnter: number | null;
  shortExit: number | null;
  /** Rolling sentiment window ending at each bar. */
  windowHours: number;
  holdingBars: number | null;
  minRelevance: number;
}

export interface SentimentThresholdStrategyInput {
  kind: 'sentimentThreshold';
  enter: number;
  exit: number;
  allowShort?: boolean;
  shortEnter?: number | null;
  shortExit?: number | null;
  windowHours: number;
  holdingBars?: number | null;
  minRelevance?: number;
}

const SENTIMENT_THRESHOLD_FIELDS = {
  enter: { type: 'float', description: 'sentimentThreshold: go long at or above', default: 0.2, min: -1, max: 1, step: 0.05 },
  exit: { type: 'float', description: 'sentimentThreshold: leave the long below', default: 0, min: -1, max: 1, step: 0.05 },
  shortEnter: { type: 'float', description: 'sentimentThreshold with allowShort: go short at or below (default -enter)', default: null, min: -1, max: 1, step: 0.05 },
  shortExit: { type: 'float', description: 'sentimentThreshold with allowShort: leave the short above (default -exit)', default: null, min: -1, max: 1, step: 0.05 },
  windowHours: { type: 'float', description: 'sentimentThreshold: rolling sentiment window', default: 24, min: 1 / 60, max: 24 * 365, step: 1 },
  minRelevance: { type: 'float', description: 'sentimentThreshold: ignore articles less relevant to the ticker than this', default: 0.2, min: 0, max: 1, step: 0.05 },
  allowShort: ALLOW_SHORT,
  holdingBars: HOLDING_BARS,
} as const satisfies Record<string, StrategyField>;

const sentimentThresholdStrategy = defineStrategy<'sentimentThreshold', SentimentThresholdStrategyInput, SentimentThresholdStrategy>({
  kind: 'sentimentThreshold',
  graphqlName: 'SENTIMENT_THRESHOLD',
  description: 'rolling, relevance-weighted news sentiment against enter/exit thresholds',
  fields: SENTIMENT_THRESHOLD_FIELDS,
  fromFlatInput: (f) => ({
    kind: 'sentimentThreshold',
    enter: orDefault<number>(f.enter, SENTIMENT_THRESHOLD_FIELDS.enter),
    exit: orDefault<number>(f.exit, SENTIMENT_THRESHOLD_FIELDS.exit),
    allowShort: f.allowShort as boolean | undefined,
    shortEnter: nullable(f.shortEnter as number | undefined),
    shortExit: nullable(f.shortExit as number | undefined),
    windowHours: orDefault<number>(f.windowHours, SENTIMENT_THRESHOLD_FIELDS.windowHours),
    holdingBars: orDefault<number | null>(f.holdingBars, HOLDING_BARS),
    minRelevance: f.minRelevance as number | undefined,
  }),
  validate(raw, check) {
    const F = SENTIMENT_THRESHOLD_FIELDS;
    const enter = check.num('strategy.enter', raw.enter, F.enter.min, F.enter.max);
    const exit = check.num('strategy.exit', raw.exit, F.exit.min, F.exit.max);
    if (exit > enter) throw check.bad('strategy.exit', `must not be above enter (${enter}), got ${exit}`);
    const shortEnter = raw.shortEnter === undefined || raw.shortEnter === null ? null : check.num('strategy.shortEnter', raw.shortEnter, F.shortEnter.min, F.shortEnter.max);
    const shortExit = raw.shortExit === undefined || raw.shortExit === null ? null : check.num('strategy.shortExit', raw.shortExit, F.shortExit.min, F.shortExit.max);
    if ((shortExit ?? -exit) < (shortEnter ?? -enter)) throw check.bad('strategy.shortExit', 'must not be below shortEnter');
    return {
      kind: 'sentimentThreshold',
      enter,
      exit,
      allowShort: raw.allowShort === true,
      shortEnter,
      shortExit,
      windowHours: check.num('strategy.windowHours', raw.windowHours, F.windowHours.min, F.windowHours.max),
      holdingBars: check.optionalInt('strategy.holdingBars', raw.holdingBars, F.holdingBars.min, F.holdingBars.max),
      minRelevance: check.num('strategy.minRelevance', raw.minRelevance, F.minRelevance.min, F.minRelevance.max, F.minRelevance.default),
    };
  },
  suggestedSizing: false,
  needs: (s, { from }) => ({ sentiment: { since: new Date(from.getTime() - s.windowHours * 3_600_000), minRelevance: s.minRelevance } }),
  positions(bars, s, data, run) {
    const observations = data.sentiment ?? [];
    const sentiment = rollingSentimentByBar(bars.times, observations, s.windowHours * 3_600_000);
    const targets = sentimentThresholdPositions(sentiment, {
      enter: s.enter,
      exit: s.exit,
      allowShort: s.allowShort,
      shortEnter: s.shortEnter ?? undefined,
      shortExit: s.shortExit ?? undefined,
      holdingBars: s.holdingBars ?? undefined,
      size: fixedSize(run.sizing),
    });
    const warnings = observations.length === 0 ? [`no sentiment observations for ${run.ticker} in the period: the strategy never takes a position`] : [];
    return { targets, warnings, inputs: { observations: observations.length } };
  },
});

// ---- smaCrossover: a price-only baseline for the news strategies to beat ----

export interface SmaCrossoverStrategy {
  kind: 'smaCrossover';
  fastWindow: number;
  slowWindow: number;
  allowShort: boolean;
}

export interface SmaCrossoverStrategyInput {
  kind: 'smaCrossover';
  fastWindow: number;
  slowWindow: number;
  allowShort?: boolean;
}

/**
 * Long while the fast simple moving average of closes is above the slow one; below it, short
 * (allowShort) or flat; on a tie, unchanged. Flat until the slow average is defined. targets[t]
 * uses closes 0..t only (the engine trades it at t+1).
 */
export function smaCrossoverPositions(close: ArrayLike<number>, p: { fastWindow: number; slowWindow: number; allowShort?: boolean; size?: number }): Float64Array {
  const fast = sma(close, p.fastWindow);
  const slow = sma(close, p.slowWindow);
  const size = p.size ?? 1;
  const out = new Float64Array(close.length);
  let position = 0;
  for (let t = 0; t < close.length; t++) {
    if (Number.isFinite(fast[t]) && Number.isFinite(slow[t])) {
      if (fast[t] > slow[t]) position = size;
      else if (fast[t] < slow[t]) position = p.allowShort ? -size : 0;
    }
    out[t] = position;
  }
  return out;
}

const SMA_CROSSOVER_FIELDS = {
  fastWindow: { type: 'int', description: 'smaCrossover: bars in the fast average (default 50)', default: 50, min: 1, max: 10_000, step: 1 },
  slowWindow: { type: 'int', description: 'smaCrossover: bars in the slow average (default 200)', default: 200, min: 2, max: 10_000, step: 1 },
  allowShort: ALLOW_SHORT,
} as const satisfies Record<string, StrategyField>;

const smaCrossoverStrategy = defineStrategy<'smaCrossover', SmaCrossoverStrategyInput, SmaCrossoverStrategy>({
  kind: 'smaCrossover',
  graphqlName: 'SMA_CROSSOVER',
  description: 'price only: long while the fast SMA of closes is above the slow one (a baseline without news)',
  fields: SMA_CROSSOVER_FIELDS,
  fromFlatInput: (f) => ({
    kind: 'smaCrossover',
    fastWindow: orDefault<number>(f.fastWindow, SMA_CROSSOVER_FIELDS.fastWindow),
    slowWindow: orDefault<number>(f.slowWindow, SMA_CROSSOVER_FIELDS.slowWindow),
    allowShort: f.allowShort as boolean | undefined,
  }),
  validate(raw, check) {
    const F = SMA_CROSSOVER_FIELDS;
    const fastWindow = check.int('strategy.fastWindow', raw.fastWindow, F.fastWindow.min, F.fastWindow.max);
    const slowWindow = check.int('strategy.slowWindow', raw.slowWindow, F.slowWindow.min, F.slowWindow.max);
    if (slowWindow <= fastWindow) throw check.bad('strategy.slowWindow', `must be above fastWindow (${fastWindow}), got ${slowWindow}`);
    return { kind: 'smaCrossover', fastWindow, slowWindow, allowShort: raw.allowShort === true };
  },
  suggestedSizing: false,
  needs: () => ({}),
  positions(bars, s, _data, run) {
    const targets = smaCrossoverPositions(bars.close, { ...s, size: fixedSize(run.sizing) });
    let crossovers = 0;
    for (let t = 1; t < targets.length; t++) if (targets[t] !== targets[t - 1]) crossovers++;
    const warnings =
      bars.close.length < s.slowWindow ? [`only ${bars.close.length} bars, fewer than the slow window (${s.slowWindow}): the strategy never takes a position`] : [];
    return { targets, warnings, inputs: { fastWindow: s.fastWindow, slowWindow: s.slowWindow, positionChanges: crossovers } };
  },
});

/** The registry: every strategy a backtest can run, in the order the API lists them. */
export const STRATEGIES = [signalsStrategy, sentimentThresholdStrategy, smaCrossoverStrategy] as const;

type Entry = (typeof STRATEGIES)[number];
type ParamsOf<E> = E extends StrategyEntry<string, { kind: string }, infer P> ? P : never;
type InputOf<E> = E extends StrategyEntry<string, infer I, { kind: string }> ? I : never;

/** A strategy as stored in backtest_runs.params. */
export type BacktestStrategy = ParamsOf<Entry>;
/** A strategy as the service accepts it (before validation). */
export type BacktestStrategyInput = InputOf<Entry>;
export type StrategyKind = Entry['kind'];

/** Any entry, typed loosely enough to call with the union of strategies. */
export type AnyStrategyEntry = StrategyEntry<string, { kind: string }, { kind: string }>;

/** The entry for `kind`, or undefined for an unknown kind. */
export function strategyEntry(kind: unknown): AnyStrategyEntry | undefined {
  return (STRATEGIES as readonly AnyStrategyEntry[]).find((s) => s.kind === kind);
}

/** A strategy as a client sees it (the backtestStrategies query): what to offer in a form. */
export interface StrategyDescription {
  kind: string;
  graphqlName: string;
  description: string;
  /** Whether `sizing: suggested` applies. */
  suggestedSizing: boolean;
  parameters: Array<StrategyField & { name: string }>;
}

/** The registry (or, in tests, an extended one) as clients see it, in registry order. */
export function describeStrategies(entries: readonly AnyStrategyEntry[] = STRATEGIES): StrategyDescription[] {
  return entries.map((e) => ({
    kind: e.kind,
    graphqlName: e.graphqlName,
    description: e.description,
    suggestedSizing: e.suggestedSizing,
    parameters: Object.entries(e.fields).map(([name, field]) => ({ name, ...field })),
  }));
}

/** "'a', 'b' or 'c'" */
export function strategyKindList(): string {
  const kinds = STRATEGIES.map((s) => `'${s.kind}'`);
  return kinds.length === 1 ? kinds[0] : `${kinds.slice(0, -1).join(', ')} or ${kinds[kinds.length - 1]}`;
}

/** What a run trading replayed signals must replay first (null for any other run). */
export function replayTargetOf(p: { ticker: string; from: string; to: string; strategy: BacktestStrategy }): { ticker: string; from: string; to: string; modelVersion: string | null } | null {
  const s = p.strategy;
  if (s.kind !== 'signals' || (s.source ?? 'live') !== 'replay') return null;
  return { ticker: p.ticker, from: new Date(Date.parse(p.from) - SIGNAL_LOOKBACK_MS).toISOString(), to: p.to, modelVersion: s.modelVersion ?? null };
}
