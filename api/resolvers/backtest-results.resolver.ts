/**
 * Typed views of a backtest run's stored JSON (params, metrics, equity curve), so that GraphQL
 * clients select fields instead of parsing blobs. The JSON fields stay (the dashboard reads
 * them); these read the same stored values and never recompute anything.
 */
import { Field, FieldResolver, Float, Int, ObjectType, Resolver, Root } from 'type-graphql';
import { STRATEGIES, type StrategyField } from '../../domain/backtest';
import { BacktestRun } from '../../entities';

@ObjectType({ description: "Which signals a SIGNALS backtest traded: the replay series (rules and model version) or live signals." })
class BacktestSignalSource {
  @Field({ description: 'replay or live' }) kind!: string;
  @Field(() => String, { nullable: true }) rulesVersion!: string | null;
  @Field(() => String, { nullable: true }) modelVersion!: string | null;
}

@ObjectType({ description: 'Monte-Carlo permutation test of the run (returns shuffled against the fixed positions).' })
export class PermutationTestResult {
  @Field({ description: 'sharpe or totalReturn' }) statistic!: string;
  @Field(() => Float, { description: 'The statistic of the real ordering.' }) observed!: number;
  @Field(() => Int, { nullable: true }) permutations!: number | null;
  @Field(() => Int, { nullable: true, description: 'Permutations whose statistic was at least the observed one.' }) atLeastAsGood!: number | null;
  @Field(() => Float, { nullable: true, description: '(atLeastAsGood + 1) / (permutations + 1); null until the test finished or when it was not run.' }) pValue!: number | null;
}

@ObjectType({ description: 'Performance of a backtest. Ratios that are undefined (zero variance, no losses, no trades) are null.' })
export class BacktestMetrics {
  @Field(() => Float, { nullable: true }) totalReturn!: number | null;
  @Field(() => Float, { nullable: true }) cagr!: number | null;
  @Field(() => Float, { nullable: true }) sharpe!: number | null;
  @Field(() => Float, { nullable: true }) sortino!: number | null;
  @Field(() => Float, { nullable: true }) calmar!: number | null;
  @Field(() => Float, { nullable: true, description: 'Largest peak-to-trough fall, a positive fraction.' }) maxDrawdown!: number | null;
  @Field(() => Int, { nullable: true, description: 'Longest stretch below a previous equity peak, in bars.' }) maxDrawdownDurationBars!: number | null;
  @Field(() => Int, { nullable: true }) trades!: number | null;
  @Field(() => Int, { nullable: true, description: 'Position changes executed.' }) fills!: number | null;
  @Field(() => Float, { nullable: true }) winRate!: number | null;
  @Field(() => Float, { nullable: true }) avgWin!: number | null;
  @Field(() => Float, { nullable: true }) avgLoss!: number | null;
  @Field(() => Float, { nullable: true }) profitFactor!: number | null;
  @Field(() => Float, { nullable: true, description: 'Share of return periods with a position.' }) exposure!: number | null;
  @Field(() => Float, { nullable: true, description: 'Costs and slippage paid, as a fraction of initial equity.' }) costsPaid!: number | null;
  @Field(() => Float, { nullable: true }) periodsPerYear!: number | null;
  @Field(() => Int, { nullable: true }) bars!: number | null;
  @Field(() => Date, { nullable: true }) firstBar!: Date | null;
  @Field(() => Date, { nullable: true }) lastBar!: Date | null;
  @Field(() => String, { nullable: true }) execution!: string | null;
  @Field(() => Int, { nullable: true, description: 'SIGNALS: signals read for the period.' }) signals!: number | null;
  @Field(() => Int, { nullable: true, description: 'SIGNALS: of which BUY or SELL.' }) actionableSignals!: number | null;
  @Field(() => Int, { nullable: true, description: 'Sentiment threshold: observations read.' }) observations!: number | null;
  @Field(() => BacktestSignalSource, { nullable: true }) signalSource!: BacktestSignalSource | null;
  @Field(() => [String], { description: 'The run worked but its result may not mean what it seems (no trades, all HOLD, ...).' }) warnings!: string[];
  @Field(() => PermutationTestResult, { nullable: true }) permutationTest!: PermutationTestResult | null;
}

@ObjectType({ description: 'One point of the (downsampled) equity curve; equity starts at 1.' })
export class EquityPoint {
  @Field() time!: Date;
  @Field(() => Float) equity!: number;
}

@ObjectType({ description: 'What the backtest ran with (everything needed to rerun it).' })
class BacktestSettings {
  @Field() ticker!: string;
  @Field() interval!: string;
  @Field() from!: Date;
  @Field() to!: Date;
  @Field({ description: `the strategy kind: ${STRATEGIES.map((e) => e.kind).join(', ')}` }) strategy!: string;
  @Field(() => Float, { nullable: true }) enter!: number | null;
  @Field(() => Float, { nullable: true }) exit!: number | null;
  @Field(() => Float, { nullable: true }) shortEnter!: number | null;
  @Field(() => Float, { nullable: true }) shortExit!: number | null;
  @Field(() => Float, { nullable: true }) windowHours!: number | null;
  @Field(() => Float, { nullable: true }) minRelevance!: number | null;
  @Field(() => Boolean) allowShort!: boolean;
  @Field(() => Int, { nullable: true }) holdingBars!: number | null;
  @Field(() => String, { nullable: true }) onHold!: string | null;
  @Field(() => String, { nullable: true, description: 'SIGNALS: replay or live' }) signalSource!: string | null;
  @Field(() => String, { nullable: true }) rulesVersion!: string | null;
  @Field(() => String, { nullable: true }) modelVersion!: string | null;
  @Field(() => Float) costBps!: number;
  @Field(() => Float) slippageBps!: number;
  @Field({ description: 'fixed or suggested' }) sizing!: string;
  @Field(() => Float, { nullable: true }) fraction!: number | null;
  @Field() execution!: string;
  @Field() statistic!: string;
  @Field(() => Int) permutations!: number;
  @Field(() => Int) seed!: number;
  // Registry strategies' fields not declared above (fastWindow, slowWindow, ...) are added below.
  [strategyField: string]: unknown;
}

/** Strategy fields of the registry that BacktestSettings does not declare itself: added as nullable fields read from params.strategy. */
const extraSettings: Array<[string, StrategyField]> = [];
{
  const declared = new Set(['enter', 'exit', 'shortEnter', 'shortExit', 'windowHours', 'minRelevance', 'allowShort', 'holdingBars']);
  for (const entry of STRATEGIES) {
    for (const [name, field] of Object.entries(entry.fields as Record<string, StrategyField>)) {
      if (declared.has(name)) continue;
      declared.add(name);
      extraSettings.push([name, field]);
      Field(() => (field.type === 'float' ? Float : field.type === 'int' ? Int : Boolean), { nullable: true, ...(field.description ? { description: field.description } : {}) })(BacktestSettings.prototype, name);
    }
  }
}

type Json = Record<string, unknown>;
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const int = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v) : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const date = (v: unknown): Date | null => (typeof v === 'string' || typeof v === 'number' ? new Date(v) : null);

export function permutationOf(raw: unknown, pValue: number | null): PermutationTestResult | null {
  if (!raw || typeof raw !== 'object') return null;
  const p = raw as Json;
  return { statistic: str(p.statistic) ?? 'sharpe', observed: num(p.observed) ?? 0, permutations: int(p.permutations), atLeastAsGood: int(p.atLeastAsGood), pValue: num(p.pValue) ?? pValue };
}

export function metricsOf(m: Json | null, pValue: number | null = null): BacktestMetrics | null {
  if (!m) return null;
  const source = m.signalSource && typeof m.signalSource === 'object' ? (m.signalSource as Json) : null;
  return {
    totalReturn: num(m.totalReturn),
    cagr: num(m.cagr),
    sharpe: num(m.sharpe),
    sortino: num(m.sortino),
    calmar: num(m.calmar),
    maxDrawdown: num(m.maxDrawdown),
    maxDrawdownDurationBars: int(m.maxDrawdownDurationBars),
    trades: int(m.trades),
    fills: int(m.fills),
    winRate: num(m.winRate),
    avgWin: num(m.avgWin),
    avgLoss: num(m.avgLoss),
    profitFactor: num(m.profitFactor),
    exposure: num(m.exposure),
    costsPaid: num(m.costsPaid),
    periodsPerYear: num(m.periodsPerYear),
    bars: int(m.bars),
    firstBar: date(m.firstBar),
    lastBar: date(m.lastBar),
    execution: str(m.execution),
    signals: int(m.signals),
    actionableSignals: int(m.actionableSignals),
    observations: int(m.observations),
    signalSource: source ? { kind: str(source.kind) ?? 'live', rulesVersion: str(source.rulesVersion), modelVersion: str(source.modelVersion) } : null,
    warnings: Array.isArray(m.warnings) ? m.warnings.filter((w): w is string => typeof w === 'string') : [],
    permutationTest: permutationOf(m.permutation, pValue),
  };
}

export function equityPointsOf(curve: Array<[number, number]> | null): EquityPoint[] | null {
  return curve ? curve.map(([t, e]) => ({ time: new Date(t), equity: e })) : null;
}

function settingsOf(p: Json): BacktestSettings {
  const s = (p.strategy ?? {}) as Json;
  const sizing = (p.sizing ?? {}) as Json;
  return {
    ticker: String(p.ticker),
    interval: String(p.interval ?? '1d'),
    from: new Date(String(p.from)),
    to: new Date(String(p.to)),
    strategy: String(s.kind),
    enter: num(s.enter),
    exit: num(s.exit),
    shortEnter: num(s.shortEnter),
    shortExit: num(s.shortExit),
    windowHours: num(s.windowHours),
    minRelevance: num(s.minRelevance),
    allowShort: s.allowShort === true,
    holdingBars: int(s.holdingBars),
    onHold: str(s.onHold),
    signalSource: s.kind === 'signals' ? str(s.source) ?? 'live' : null,
    rulesVersion: str(s.rulesVersion),
    modelVersion: str(s.modelVersion),
    costBps: num(p.costBps) ?? 0,
    slippageBps: num(p.slippageBps) ?? 0,
    sizing: str(sizing.kind) ?? 'fixed',
    fraction: num(sizing.fraction),
    execution: str(p.execution) ?? 'next-open',
    statistic: str(p.statistic) ?? 'sharpe',
    permutations: int(p.permutations) ?? 0,
    seed: int(p.seed) ?? 0,
    ...Object.fromEntries(extraSettings.map(([name, field]) => [name, field.type === 'float' ? num(s[name]) : field.type === 'int' ? int(s[name]) : typeof s[name] === 'boolean' ? s[name] : null])),
  };
}

@Resolver(() => BacktestRun)
export class BacktestResultsResolver {
  @FieldResolver(() => BacktestMetrics, { nullable: true, description: 'Typed metrics (null until the engine has run).' })
  result(@Root() run: BacktestRun): BacktestMetrics | null {
    return metricsOf(run.metrics, run.pValue);
  }

  @FieldResolver(() => [EquityPoint], { nullable: true, description: 'The equity curve (downsampled to about 500 points), typed.' })
  equity(@Root() run: BacktestRun): EquityPoint[] | null {
    return equityPointsOf(run.equityCurve);
  }

  @FieldResolver(() => BacktestSettings, { description: 'Typed params.' })
  settings(@Root() run: BacktestRun): BacktestSettings {
    return settingsOf(run.params);
  }
}
