import { Arg, Authorized, Ctx, Field, FieldResolver, Float, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { ParameterSweep, SweepKind } from '../../entities';
import { SWEEPABLE_STRATEGY_FIELDS, type SweepKey } from '../../services/sweep.service';
import type { GraphQLContext } from '../context';
import { assertUuid } from '../validation';
import { BacktestMetrics, EquityPoint, equityPointsOf, metricsOf } from './backtest-results.resolver';
import { actor, RunBacktestInput, toServiceInput } from './backtest.resolver';

@InputType({ description: 'Values to try per parameter; the sweep runs every combination (at most 1000). Parameters left out keep the base value.' })
class SweepRangesInput {
  @Field(() => [Float], { nullable: true }) enter?: number[];
  @Field(() => [Float], { nullable: true }) exit?: number[];
  @Field(() => [Float], { nullable: true }) shortEnter?: number[];
  @Field(() => [Float], { nullable: true }) shortExit?: number[];
  @Field(() => [Float], { nullable: true }) windowHours?: number[];
  @Field(() => [Float], { nullable: true }) minRelevance?: number[];
  @Field(() => [Int], { nullable: true, description: 'Holding period in bars.' }) holdingBars?: number[];
  @Field(() => [Boolean], { nullable: true }) allowShort?: boolean[];
  @Field(() => [Float], { nullable: true }) costBps?: number[];
  @Field(() => [Float], { nullable: true }) slippageBps?: number[];
  @Field(() => [Float], { nullable: true, description: 'Fixed sizing: fraction of equity.' }) fraction?: number[];
  // Strategy fields of the registry not declared above (fastWindow, slowWindow, ...) are added below.
  [strategyField: string]: unknown;
}
{
  const declared = new Set(['enter', 'exit', 'shortEnter', 'shortExit', 'windowHours', 'minRelevance', 'holdingBars', 'allowShort']);
  for (const [name, field] of SWEEPABLE_STRATEGY_FIELDS) {
    if (declared.has(name)) continue;
    Field(() => [field.type === 'float' ? Float : field.type === 'int' ? Int : Boolean], { nullable: true, ...(field.description ? { description: field.description } : {}) })(SweepRangesInput.prototype, name);
  }
}

@InputType()
class ParameterSweepInput {
  @Field(() => String, { nullable: true }) name?: string;
  @Field(() => RunBacktestInput, { description: 'The backtest every configuration starts from (its permutations field is ignored).' }) base!: RunBacktestInput;
  @Field(() => SweepRangesInput) ranges!: SweepRangesInput;
  @Field(() => String, { nullable: true, defaultValue: 'sharpe', description: 'sharpe or totalReturn: what ranks configurations and what the permutation test compares' }) statistic?: string;
  @Field(() => Int, { nullable: true, defaultValue: 500, description: 'Best-of-N permutations, 0..5000.' }) permutations?: number;
  @Field(() => Int, { nullable: true }) seed?: number;
  @Field(() => Int, { nullable: true, defaultValue: 4, description: 'Child backtests in flight, 1..16.' }) concurrency?: number;
}

@InputType()
class WalkForwardInput {
  @Field(() => String, { nullable: true }) name?: string;
  @Field(() => RunBacktestInput) base!: RunBacktestInput;
  @Field(() => SweepRangesInput) ranges!: SweepRangesInput;
  @Field(() => String, { nullable: true, defaultValue: 'sharpe' }) statistic?: string;
  @Field(() => Int, { description: 'Bars per in-sample (optimisation) span.' }) inSampleBars!: number;
  @Field(() => Int, { description: 'Bars per out-of-sample span; windows roll forward by this much.' }) outOfSampleBars!: number;
  @Field(() => Int, { nullable: true, defaultValue: 0, description: 'Purge: the last in-sample bars left out of the choice (set it to the longest holding period / label horizon, whose outcomes would overlap the test span).' }) purgeBars?: number;
  @Field(() => Int, { nullable: true, defaultValue: 0, description: 'Embargo: bars after the in-sample span before out-of-sample trading starts.' }) embargoBars?: number;
  @Field(() => Int, { nullable: true, defaultValue: 500, description: 'Permutations of the stitched out-of-sample result, 0..5000.' }) permutations?: number;
  @Field(() => Int, { nullable: true }) seed?: number;
  @Field(() => Int, { nullable: true, defaultValue: 4 }) concurrency?: number;
}

@ObjectType({ description: 'Permutation test of the stitched out-of-sample result: its bar returns shuffled against the chosen configurations\' fixed positions.' })
class WalkForwardPermutation {
  @Field() statistic!: string;
  @Field(() => Float, { nullable: true }) observed!: number | null;
  @Field(() => Int) permutations!: number;
  @Field(() => Float, { nullable: true }) pValue!: number | null;
}

@ObjectType()
class SweepParameterValue {
  @Field() name!: string;
  @Field(() => Float, { nullable: true, description: 'null: none (e.g. no holding period); booleans as 0/1' }) value!: number | null;
}

@ObjectType({ description: 'One configuration of a sweep, ranked by the statistic.' })
class SweepRow {
  @Field(() => Int) rank!: number;
  @Field(() => Int) configIndex!: number;
  @Field(() => [SweepParameterValue]) parameters!: SweepParameterValue[];
  @Field(() => Float) statistic!: number;
  @Field(() => BacktestMetrics) metrics!: BacktestMetrics;
}

@ObjectType()
class WalkForwardWindowResult {
  @Field(() => Int) index!: number;
  @Field() inSampleFrom!: Date;
  @Field() inSampleTo!: Date;
  @Field() outOfSampleFrom!: Date;
  @Field() outOfSampleTo!: Date;
  @Field(() => [SweepParameterValue], { description: 'The configuration chosen in sample.' }) chosen!: SweepParameterValue[];
  @Field(() => Float, { nullable: true }) inSampleStatistic!: number | null;
  @Field(() => BacktestMetrics) outOfSample!: BacktestMetrics;
}

@ObjectType()
class WalkForwardResult {
  @Field(() => [WalkForwardWindowResult]) windows!: WalkForwardWindowResult[];
  @Field(() => Int) outOfSampleBars!: number;
  @Field(() => BacktestMetrics, { description: 'Of the stitched out-of-sample equity.' }) metrics!: BacktestMetrics;
  @Field(() => [EquityPoint], { description: 'Stitched out-of-sample equity (downsampled).' }) equity!: EquityPoint[];
  @Field(() => Int) purgeBars!: number;
  @Field(() => Int) embargoBars!: number;
  @Field(() => WalkForwardPermutation, { nullable: true, description: 'Absent on runs made before the test existed.' }) permutation!: WalkForwardPermutation | null;
}

const parametersOf = (o: Record<string, unknown>): SweepParameterValue[] =>
  Object.entries(o).map(([name, v]) => ({ name, value: typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'number' ? v : null }));

function rangesOf(r: SweepRangesInput): Partial<Record<SweepKey, Array<number | boolean | null>>> {
  return Object.fromEntries(Object.entries(r).filter(([, v]) => Array.isArray(v))) as Partial<Record<SweepKey, Array<number | boolean | null>>>;
}

const statisticOf = (s: string | undefined) => (s === undefined || s === null ? undefined : (s as 'sharpe' | 'totalReturn'));

@Resolver(() => ParameterSweep)
export class SweepResolver {
  @Authorized()
  @Mutation(() => ParameterSweep, { description: 'A parameter sweep: one child backtest per configuration, a ranked table, and the best configuration tested against the whole search (best-of-N).' })
  runParameterSweep(@Arg('input', () => ParameterSweepInput) input: ParameterSweepInput, @Ctx() ctx: GraphQLContext): Promise<ParameterSweep> {
    return ctx.services.sweeps
      .startSweep({ name: input.name, base: toServiceInput(input.base), ranges: rangesOf(input.ranges), statistic: statisticOf(input.statistic), permutations: input.permutations, seed: input.seed, concurrency: input.concurrency }, ctx.principal?.userId ?? null);
  }

  @Authorized()
  @Mutation(() => ParameterSweep, { description: 'Walk-forward: optimise over the ranges in each in-sample span, trade the winner in the next out-of-sample span, stitch the out-of-sample equity.' })
  runWalkForward(@Arg('input', () => WalkForwardInput) input: WalkForwardInput, @Ctx() ctx: GraphQLContext): Promise<ParameterSweep> {
    return ctx.services.sweeps
      .startWalkForward({ name: input.name, base: toServiceInput(input.base), ranges: rangesOf(input.ranges), statistic: statisticOf(input.statistic), inSampleBars: input.inSampleBars, outOfSampleBars: input.outOfSampleBars, purgeBars: input.purgeBars, embargoBars: input.embargoBars, permutations: input.permutations, seed: input.seed, concurrency: input.concurrency }, ctx.principal?.userId ?? null);
  }

  @Authorized()
  @Mutation(() => ParameterSweep)
  cancelParameterSweep(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<ParameterSweep> {
    return ctx.services.sweeps.cancel(assertUuid(id), actor(ctx));
  }

  @Authorized()
  @Query(() => ParameterSweep, { nullable: true, description: 'A sweep or walk-forward run.' })
  parameterSweep(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<ParameterSweep | null> {
    return ctx.services.sweeps.get(assertUuid(id), actor(ctx));
  }

  @FieldResolver(() => Int, { description: 'Configurations finished (progress: configsDone / configsTotal).' })
  configsDone(@Root() sweep: ParameterSweep, @Ctx() ctx: GraphQLContext): Promise<number> {
    return ctx.services.sweeps.configsDone(sweep.id);
  }

  @FieldResolver(() => [SweepRow], { description: 'Best first.' })
  async ranked(
    @Root() sweep: ParameterSweep,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SweepRow[]> {
    if (sweep.kind !== SweepKind.SWEEP) return [];
    const rows = await ctx.services.sweeps.ranked(sweep, first, offset);
    return rows.map((r) => ({ rank: r.rank, configIndex: r.configIndex, parameters: parametersOf(r.overrides), statistic: r.statistic, metrics: metricsOf(r.metrics)! }));
  }

  @FieldResolver(() => WalkForwardResult, { nullable: true, description: 'Walk-forward runs, once completed.' })
  walkForward(@Root() sweep: ParameterSweep): WalkForwardResult | null {
    const r = sweep.result as null | {
      windows: Array<{ index: number; inSampleFrom: string; inSampleTo: string; outOfSampleFrom: string; outOfSampleTo: string; overrides: Record<string, unknown>; inSampleStatistic: number | null; outOfSample: Record<string, unknown> }>;
      outOfSampleBars: number;
      metrics: Record<string, unknown>;
      equityCurve: Array<[number, number]>;
      purgeBars?: number;
      embargoBars?: number;
      permutation?: WalkForwardPermutation;
    };
    if (!r) return null;
    return {
      windows: r.windows.map((w) => ({
        index: w.index,
        inSampleFrom: new Date(w.inSampleFrom),
        inSampleTo: new Date(w.inSampleTo),
        outOfSampleFrom: new Date(w.outOfSampleFrom),
        outOfSampleTo: new Date(w.outOfSampleTo),
        chosen: parametersOf(w.overrides),
        inSampleStatistic: w.inSampleStatistic,
        outOfSample: metricsOf(w.outOfSample)!,
      })),
      outOfSampleBars: r.outOfSampleBars,
      metrics: metricsOf(r.metrics)!,
      equity: equityPointsOf(r.equityCurve) ?? [],
      purgeBars: r.purgeBars ?? 0,
      embargoBars: r.embargoBars ?? 0,
      permutation: r.permutation ?? null,
    };
  }
}
