import { Max, MaxLength, Min } from 'class-validator';
import { Arg, Authorized, Ctx, Field, Float, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root, Subscription, registerEnumType } from 'type-graphql';
import { BacktestRun, BacktestStatus, Role } from '../../entities';
import { Topic } from '../../events/topics';
import { STRATEGIES, strategyEntry, type StrategyDescription, type StrategyField } from '../../domain/backtest';
import { MAX_BACKTEST_OFFSET, MAX_BACKTEST_PAGE, type StartBacktestInput } from '../../services/backtest.service';
import { unauthenticated } from '../auth/auth';
import type { GraphQLContext } from '../context';
import { apiError } from '../errors';
import { assertUuid } from '../validation';

/** The GraphQL StrategyKind: one value per registry entry (domain/backtest/strategy-registry.ts). */
const StrategyKind: Record<string, string> = Object.fromEntries(STRATEGIES.map((s) => [s.graphqlName, s.kind]));
registerEnumType(StrategyKind, {
  name: 'StrategyKind',
  valuesConfig: Object.fromEntries(STRATEGIES.map((s) => [s.graphqlName, { description: s.description }])),
});

enum SignalSource {
  REPLAY = 'replay',
  LIVE = 'live',
}
registerEnumType(SignalSource, { name: 'SignalSource', description: 'REPLAY: the signal rules replayed point in time over the period; LIVE: signals stored as they were generated.' });

enum SizingKind {
  FIXED = 'fixed',
  SUGGESTED = 'suggested',
}
registerEnumType(SizingKind, { name: 'SizingKind' });

@InputType({ description: 'A backtest. Decisions use information up to bar t and trade at bar t+1 (no look-ahead).' })
export class RunBacktestInput {
  @Field(() => String, { nullable: true }) @MaxLength(200) name?: string;
  @Field() @MaxLength(12) ticker!: string;
  @Field(() => String, { nullable: true, defaultValue: '1d' }) interval?: string;
  @Field() from!: Date;
  @Field() to!: Date;
  @Field(() => StrategyKind) strategy!: string;
  // Each strategy's own fields (enter, exit, windowHours, fastWindow, ...) are added below from the registry.
  [strategyField: string]: unknown;
  @Field(() => Float, { nullable: true, defaultValue: 0 }) @Min(0) @Max(1000) costBps?: number;
  @Field(() => Float, { nullable: true, defaultValue: 0 }) @Min(0) @Max(1000) slippageBps?: number;
  @Field(() => SizingKind, { nullable: true, defaultValue: SizingKind.FIXED }) sizing?: SizingKind;
  @Field(() => Float, { nullable: true, description: 'fixed sizing: fraction of equity' }) fraction?: number;
  @Field(() => Int, { nullable: true, defaultValue: 1000 }) @Min(0) @Max(10000) permutations?: number;
  @Field(() => Int, { nullable: true }) seed?: number;
  @Field(() => SignalSource, { nullable: true, defaultValue: SignalSource.REPLAY, description: 'signals: replayed history (default) or live signals' }) signalSource?: SignalSource;
  @Field(() => String, { nullable: true, description: 'signals with REPLAY: sentiment model whose scores are preferred; default the active model' }) @MaxLength(100) modelVersion?: string;
}

/** Every registry strategy's flat fields on RunBacktestInput, once per name, all optional. */
const graphqlTypeOf = (f: StrategyField) => (f.type === 'float' ? Float : f.type === 'int' ? Int : Boolean);
const strategyFields = new Map<string, StrategyField>();
for (const entry of STRATEGIES) {
  for (const [name, field] of Object.entries(entry.fields as Record<string, StrategyField>)) {
    const seen = strategyFields.get(name);
    if (seen && seen.type !== field.type) throw new Error(`strategy field ${name} is a ${seen.type} in one strategy and a ${field.type} in ${entry.kind}`);
    if (!seen || (!seen.description && field.description)) strategyFields.set(name, field);
  }
}
for (const [name, field] of strategyFields) {
  Field(() => graphqlTypeOf(field), { nullable: true, ...(field.description ? { description: field.description } : {}) })(RunBacktestInput.prototype, name);
}

enum StrategyParameterType {
  FLOAT = 'float',
  INT = 'int',
  BOOLEAN = 'boolean',
}
registerEnumType(StrategyParameterType, { name: 'StrategyParameterType' });

@ObjectType({ description: 'A parameter of a strategy: a RunBacktestInput field (and a SweepRangesInput field) of that name.' })
class StrategyParameter {
  @Field({ description: 'The RunBacktestInput field.' }) name!: string;
  @Field(() => StrategyParameterType) type!: StrategyParameterType;
  @Field() description!: string;
  @Field(() => Float, { nullable: true, description: 'Used when the field is absent; null: none (e.g. no holding period); booleans as 0/1.' }) default!: number | null;
  @Field(() => Float, { nullable: true, description: 'Smallest accepted value.' }) min!: number | null;
  @Field(() => Float, { nullable: true, description: 'Largest accepted value.' }) max!: number | null;
  @Field(() => Float, { nullable: true, description: 'A sensible increment for inputs and sweep grids.' }) step!: number | null;
}

@ObjectType({ description: 'A strategy a backtest can run (domain/backtest/strategy-registry.ts).' })
class BacktestStrategyInfo {
  @Field({ description: 'The StrategyKind value (RunBacktestInput.strategy).' }) name!: string;
  @Field({ description: 'As stored in a run\'s params.strategy.kind.' }) kind!: string;
  @Field() description!: string;
  @Field({ description: 'Whether sizing SUGGESTED applies.' }) suggestedSizing!: boolean;
  @Field(() => [StrategyParameter]) parameters!: StrategyParameter[];
}

/** The service's strategy descriptions in GraphQL's shape (booleans as 0/1, absent bounds as null). */
function toStrategyInfo(d: StrategyDescription): BacktestStrategyInfo {
  return {
    name: d.graphqlName,
    kind: d.kind,
    description: d.description,
    suggestedSizing: d.suggestedSizing,
    parameters: d.parameters.map((p) => ({
      name: p.name,
      type: p.type as StrategyParameterType,
      description: p.description,
      default: typeof p.default === 'boolean' ? Number(p.default) : p.default,
      min: p.min ?? null,
      max: p.max ?? null,
      step: p.step ?? null,
    })),
  };
}

@ObjectType()
class BacktestProgress {
  @Field(() => ID) id!: string;
  @Field(() => Int) done!: number;
  @Field(() => Int) total!: number;
  @Field(() => BacktestStatus, { nullable: true }) status?: BacktestStatus;
}

@ObjectType({ description: 'One row per backtest: the metrics side by side.' })
class BacktestComparison {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => BacktestStatus) status!: BacktestStatus;
  @Field() ticker!: string;
  @Field() strategy!: string;
  @Field() from!: string;
  @Field() to!: string;
  @Field(() => Float) costBps!: number;
  @Field(() => Float) slippageBps!: number;
  @Field(() => Float, { nullable: true }) totalReturn!: number | null;
  @Field(() => Float, { nullable: true }) cagr!: number | null;
  @Field(() => Float, { nullable: true }) sharpe!: number | null;
  @Field(() => Float, { nullable: true }) sortino!: number | null;
  @Field(() => Float, { nullable: true }) calmar!: number | null;
  @Field(() => Float, { nullable: true }) maxDrawdown!: number | null;
  @Field(() => Int, { nullable: true }) trades!: number | null;
  @Field(() => Float, { nullable: true }) winRate!: number | null;
  @Field(() => Float, { nullable: true }) profitFactor!: number | null;
  @Field(() => Float, { nullable: true }) exposure!: number | null;
  @Field(() => Float, { nullable: true }) costsPaid!: number | null;
  @Field(() => Float, { nullable: true }) pValue!: number | null;
  @Field(() => Int) permutations!: number;
}

@ObjectType()
class RejectedPriceRow {
  @Field(() => Int) line!: number;
  @Field() reason!: string;
}

@ObjectType()
class PriceImportReport {
  @Field() ticker!: string;
  @Field() interval!: string;
  @Field(() => Int) bars!: number;
  @Field(() => Int) inserted!: number;
  @Field(() => Int) updated!: number;
  @Field(() => Int) unchanged!: number;
  @Field(() => [RejectedPriceRow], { description: 'The first 100 rejected rows by line; rejectedCount counts them all.' }) rejected!: RejectedPriceRow[];
  @Field(() => Int) rejectedCount!: number;
  @Field() format!: string;
  @Field(() => Date, { nullable: true }) from!: Date | null;
  @Field(() => Date, { nullable: true }) to!: Date | null;
}

/** The caller as the backtest rules see it (after @Authorized: a principal is there). */
export function actor(ctx: GraphQLContext) {
  if (!ctx.principal) throw unauthenticated(ctx.authFailure);
  return { userId: ctx.principal.userId, role: ctx.principal.role };
}

export function toServiceInput(input: RunBacktestInput): StartBacktestInput {
  const entry = strategyEntry(input.strategy);
  if (!entry) throw apiError('BAD_USER_INPUT', `unknown strategy ${input.strategy}`, { field: 'strategy' });
  const strategy = entry.fromFlatInput(input) as StartBacktestInput['strategy'];
  return {
    name: input.name,
    ticker: input.ticker,
    interval: input.interval,
    from: input.from,
    to: input.to,
    strategy,
    costBps: input.costBps,
    slippageBps: input.slippageBps,
    sizing: input.sizing === SizingKind.SUGGESTED ? { kind: 'suggested' } : { kind: 'fixed', fraction: input.fraction },
    permutations: input.permutations,
    seed: input.seed,
  };
}

@Resolver(() => BacktestRun)
export class BacktestResolver {
  @Authorized()
  @Query(() => [BacktestStrategyInfo], { description: 'Every strategy a backtest can run, with its parameters: types, defaults and ranges. The dashboard builds its forms from this.' })
  backtestStrategies(@Ctx() ctx: GraphQLContext): BacktestStrategyInfo[] {
    return ctx.services.backtests.strategies().map(toStrategyInfo);
  }

  @Authorized()
  @Mutation(() => BacktestRun, { description: 'Starts a backtest workflow; follow it with backtestProgress or in the Temporal UI (workflowId).' })
  runBacktest(@Arg('input', () => RunBacktestInput) input: RunBacktestInput, @Ctx() ctx: GraphQLContext): Promise<BacktestRun> {
    return ctx.services.backtests.start(toServiceInput(input), ctx.principal?.userId ?? null);
  }

  @Authorized()
  @Mutation(() => BacktestRun)
  cancelBacktest(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<BacktestRun> {
    return ctx.services.backtests.cancel(assertUuid(id), actor(ctx));
  }

  @Authorized()
  @Query(() => BacktestRun, { nullable: true })
  backtest(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<BacktestRun | null> {
    return ctx.services.backtests.get(assertUuid(id), actor(ctx));
  }

  @Authorized()
  @Query(() => [BacktestRun], { description: 'Newest first.' })
  backtests(
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset: number,
    @Arg('ticker', () => String, { nullable: true }) ticker: string | undefined,
    @Ctx() ctx: GraphQLContext,
  ): Promise<BacktestRun[]> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_BACKTEST_PAGE) throw apiError('BAD_USER_INPUT', `first must be 1 to ${MAX_BACKTEST_PAGE}`, { field: 'first' });
    if (!Number.isInteger(offset) || offset < 0 || offset > MAX_BACKTEST_OFFSET) {
      throw apiError('BAD_USER_INPUT', `offset must be 0 to ${MAX_BACKTEST_OFFSET}`, { field: 'offset' });
    }
    return ctx.services.backtests.list({ limit: first, offset, ticker }, actor(ctx));
  }

  @Authorized()
  @Query(() => [BacktestComparison])
  compareBacktests(@Arg('ids', () => [ID]) ids: string[], @Ctx() ctx: GraphQLContext): Promise<BacktestComparison[]> {
    return ctx.services.backtests.compare(ids.map((id) => assertUuid(id)), actor(ctx));
  }

  @Authorized()
  @Subscription(() => BacktestProgress, {
    description: 'Permutation progress of one backtest; the last event carries its final status.',
    // Only the run's owner (or an admin) may follow it: checked once, before subscribing.
    subscribe: async ({ args, context }) => {
      const ctx = context as GraphQLContext;
      const id = assertUuid(args.id as string);
      if (!(await ctx.services.backtests.get(id, actor(ctx)))) throw apiError('NOT_FOUND', `backtest ${id} does not exist`);
      return ctx.services.hub.subscribe([{ topic: Topic.BACKTEST_PROGRESS, key: id }]);
    },
  })
  backtestProgress(@Root() event: BacktestProgress, @Arg('id', () => ID) _id: string): BacktestProgress {
    return event;
  }

  @Authorized(Role.ADMIN)
  @Mutation(() => PriceImportReport, { description: 'Upserts daily (or other interval) bars from CSV/TSV text; rejected rows come back with line numbers.' })
  importPrices(
    @Arg('ticker') ticker: string,
    @Arg('csv') csv: string,
    @Arg('interval', () => String, { defaultValue: '1d' }) interval: string,
    @Ctx() ctx: GraphQLContext,
  ): Promise<PriceImportReport> {
    return ctx.services.prices.import({ ticker, csv, interval });
  }
}
