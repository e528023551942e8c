import { GraphQLJSON } from 'graphql-scalars';
import { Max, MaxLength, Min } from 'class-validator';
import { Arg, Authorized, Ctx, Field, FieldResolver, Float, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root, registerEnumType } from 'type-graphql';
import { PortfolioBacktest } from '../../entities';
import type { PortfolioBacktestParams, RebalanceFrequency as Frequency, Selector, WeightScheme } from '../../domain/backtest';
import type { StartPortfolioBacktestInput } from '../../services/portfolio-backtest.service';
import type { GraphQLContext } from '../context';
import { apiError } from '../errors';
import { assertUuid } from '../validation';
import { actor } from './backtest.resolver';

enum PortfolioRankingKind {
  STRATEGY = 'strategy',
  SENTIMENT = 'sentiment',
  EMOTION = 'emotion',
  SIGNAL_CONFIDENCE = 'signalConfidence',
}
registerEnumType(PortfolioRankingKind, {
  name: 'PortfolioRankingKind',
  valuesConfig: {
    STRATEGY: { description: "a registry strategy run on each ticker; its target position is the ticker's score" },
    SENTIMENT: { description: 'relevance-weighted mean sentiment over the last windowHours' },
    EMOTION: { description: "the share of the ticker's stories over the last windowHours whose emotion label is `emotion`" },
    SIGNAL_CONFIDENCE: { description: 'the latest live signal within maxAgeHours: +confidence for BUY, -confidence for SELL, 0 for HOLD' },
  },
});

enum WeightingScheme {
  EQUAL = 'equal',
  CONFIDENCE = 'confidence',
  INVERSE_VOLATILITY = 'inverse-volatility',
}
registerEnumType(WeightingScheme, { name: 'WeightingScheme', description: "Weights within a book: equal, proportional to |score|, or to 1/volatility of the last volatilityLookback returns." });

enum RebalanceFrequency {
  DAILY = 'daily',
  WEEKLY = 'weekly',
  MONTHLY = 'monthly',
}
registerEnumType(RebalanceFrequency, { name: 'RebalanceFrequency', description: 'Decided at the close of the first bar of each day / ISO week / month, traded at the next bar.' });

enum ExecutionTiming {
  NEXT_OPEN = 'next-open',
  NEXT_CLOSE = 'next-close',
}
registerEnumType(ExecutionTiming, { name: 'ExecutionTiming' });

@InputType({ description: 'Exactly one of: the top N or bottom N scores, or every score >= above / <= below.' })
class SelectorInput {
  @Field(() => Int, { nullable: true }) @Min(1) @Max(100) top?: number;
  @Field(() => Int, { nullable: true }) @Min(1) @Max(100) bottom?: number;
  @Field(() => Float, { nullable: true }) above?: number;
  @Field(() => Float, { nullable: true }) below?: number;
}

@InputType()
class PortfolioWalkForwardInput {
  @Field(() => Int, { description: 'Bars per in-sample (choice) span.' }) inSampleBars!: number;
  @Field(() => Int, { description: 'Bars per out-of-sample span; windows roll forward by this much.' }) outOfSampleBars!: number;
  @Field(() => Int, { nullable: true, defaultValue: 0, description: 'Last in-sample bars left out of the choice.' }) purgeBars?: number;
  @Field(() => Int, { nullable: true, defaultValue: 0, description: 'Bars after the in-sample span before out-of-sample trading starts.' }) embargoBars?: number;
}

@InputType({ description: 'Sweep these values (cartesian product over the run\'s own settings); with walkForward, a purged and embargoed walk-forward over them. At most 50 configurations.' })
class PortfolioSearchInput {
  @Field(() => [Int], { nullable: true }) top?: number[];
  @Field(() => [WeightingScheme], { nullable: true }) weighting?: WeightingScheme[];
  @Field(() => [RebalanceFrequency], { nullable: true }) rebalance?: RebalanceFrequency[];
  @Field(() => [Int], { nullable: true }) volatilityLookback?: number[];
  @Field(() => PortfolioWalkForwardInput, { nullable: true }) walkForward?: PortfolioWalkForwardInput;
}

@InputType({ description: 'A portfolio backtest. Decided at the close of a rebalance bar from data known then, traded at the next bar (no look-ahead).' })
class RunPortfolioBacktestInput {
  @Field(() => String, { nullable: true }) @MaxLength(200) name?: string;
  @Field(() => [String], { nullable: true, description: 'The universe: tickers, or a sector.' }) tickers?: string[];
  @Field(() => String, { nullable: true, description: 'A GICS sector, e.g. "Information Technology".' }) @MaxLength(100) sector?: string;
  @Field(() => String, { nullable: true, defaultValue: '1d' }) interval?: string;
  @Field() from!: Date;
  @Field() to!: Date;
  @Field(() => PortfolioRankingKind) ranking!: PortfolioRankingKind;
  @Field(() => GraphQLJSON, { nullable: true, description: 'STRATEGY: the strategy as runBacktest takes it, e.g. { kind: "smaCrossover", fastWindow: 20, slowWindow: 50 }.' }) strategy?: Record<string, unknown>;
  @Field(() => Float, { nullable: true, description: 'SENTIMENT, EMOTION: hours of stories averaged (default 72).' }) windowHours?: number;
  @Field(() => String, { nullable: true, description: 'EMOTION: the emotion whose share ranks (neutral, happy, sad, anger, disgust, surprise, fear).' }) @MaxLength(20) emotion?: string;
  @Field(() => Float, { nullable: true, description: 'SENTIMENT, EMOTION: minimum relevance of a story (default 0).' }) minRelevance?: number;
  @Field(() => Float, { nullable: true, description: 'SIGNAL_CONFIDENCE: oldest usable signal in hours (default 72).' }) maxAgeHours?: number;
  @Field(() => SelectorInput, { nullable: true, description: 'The long book; default the top 5.' }) long?: SelectorInput;
  @Field(() => SelectorInput, { nullable: true, description: 'The short book; default none.' }) short?: SelectorInput;
  @Field(() => Float, { nullable: true }) @Min(0) @Max(2) longExposure?: number;
  @Field(() => Float, { nullable: true }) @Min(0) @Max(2) shortExposure?: number;
  @Field(() => WeightingScheme, { nullable: true, defaultValue: WeightingScheme.EQUAL }) weighting?: WeightingScheme;
  @Field(() => Int, { nullable: true, defaultValue: 20 }) @Min(2) @Max(1000) volatilityLookback?: number;
  @Field(() => RebalanceFrequency, { nullable: true, defaultValue: RebalanceFrequency.MONTHLY }) rebalance?: RebalanceFrequency;
  @Field(() => ExecutionTiming, { nullable: true, defaultValue: ExecutionTiming.NEXT_OPEN }) execution?: ExecutionTiming;
  @Field(() => Float, { nullable: true, defaultValue: 0 }) @Min(0) @Max(1000) costBps?: number;
  @Field(() => Float, { nullable: true, defaultValue: 0 }) @Min(0) @Max(1000) slippageBps?: number;
  @Field(() => String, { nullable: true, description: 'A benchmark ticker such as SPY; default the equal-weight buy-and-hold of the universe.' }) benchmark?: string;
  @Field(() => Int, { nullable: true, defaultValue: 1000 }) @Min(0) @Max(10000) permutations?: number;
  @Field(() => Int, { nullable: true }) seed?: number;
  @Field(() => PortfolioSearchInput, { nullable: true, description: 'A sweep or walk-forward over configurations instead of one run.' }) search?: PortfolioSearchInput;
}

@ObjectType()
class PortfolioSearchConfig {
  @Field(() => Int) index!: number;
  @Field(() => GraphQLJSON, { description: 'The values this configuration sets (top, weighting, rebalance, volatilityLookback).' }) overrides!: Record<string, unknown>;
  @Field(() => Float, { nullable: true, description: 'The statistic over the whole period.' }) statistic!: number | null;
  @Field(() => Float, { nullable: true }) totalReturn?: number | null;
  @Field(() => Float, { nullable: true }) sharpe?: number | null;
}

@ObjectType()
class PortfolioWalkForwardWindow {
  @Field(() => Int) index!: number;
  @Field() inSampleFrom!: string;
  @Field({ description: 'Last bar the choice saw (after the purge).' }) inSampleTo!: string;
  @Field({ description: 'Where out-of-sample equity starts (after the embargo).' }) outOfSampleFrom!: string;
  @Field() outOfSampleTo!: string;
  @Field(() => Int, { description: 'Index into configs.' }) chosen!: number;
  @Field(() => Float, { nullable: true }) inSampleStatistic!: number | null;
}

@ObjectType({ description: 'A sweep (the best configuration is the run shown) or a walk-forward (the stitched out-of-sample result is shown).' })
class PortfolioSearchResult {
  @Field() kind!: string;
  @Field(() => Int, { nullable: true }) bestIndex?: number | null;
  @Field(() => [PortfolioSearchConfig]) configs!: PortfolioSearchConfig[];
  @Field(() => [PortfolioWalkForwardWindow], { nullable: true }) windows?: PortfolioWalkForwardWindow[] | null;
}

@ObjectType()
class PortfolioMetrics {
  @Field(() => Float, { nullable: true }) totalReturn!: number | null;
  @Field(() => Float, { nullable: true }) cagr!: number | null;
  @Field(() => Float, { nullable: true }) sharpe!: number | null;
  @Field(() => Float, { nullable: true }) sortino!: number | null;
  @Field(() => Float, { nullable: true }) calmar!: number | null;
  @Field(() => Float, { nullable: true }) maxDrawdown!: number | null;
  @Field(() => Int, { nullable: true }) maxDrawdownDurationBars!: number | null;
  @Field(() => Float, { nullable: true, description: 'Sum over rebalances of traded value (buys + sells) / value before the trades.' }) turnover!: number | null;
  @Field(() => Float, { nullable: true }) annualTurnover!: number | null;
  @Field(() => Float, { nullable: true, description: 'Fees and slippage as a fraction of initial equity.' }) costsPaid!: number | null;
  @Field(() => Float, { nullable: true }) exposure!: number | null;
  @Field(() => Int, { nullable: true }) fills!: number | null;
  @Field(() => Int, { nullable: true, description: 'Holding runs: a ticker from a position back to zero.' }) trades!: number | null;
  @Field(() => Float, { nullable: true }) winRate!: number | null;
  @Field(() => Float, { nullable: true }) profitFactor!: number | null;
}

@ObjectType()
class PortfolioBenchmarkResult {
  @Field() name!: string;
  @Field(() => Float, { nullable: true }) totalReturn!: number | null;
  @Field(() => Float, { nullable: true }) cagr!: number | null;
  @Field(() => Float, { nullable: true }) sharpe!: number | null;
  @Field(() => Float, { nullable: true }) maxDrawdown!: number | null;
}

@ObjectType()
class PortfolioEquityPoint {
  @Field(() => Float, { description: 'Epoch ms.' }) time!: number;
  @Field(() => Float) equity!: number;
  @Field(() => Float) benchmark!: number;
}

@ObjectType()
class TickerWeight {
  @Field() ticker!: string;
  @Field(() => Float) weight!: number;
}

@ObjectType({ description: 'Weights right after one rebalance (non-zero ones).' })
class PortfolioHolding {
  @Field(() => Float, { description: 'Epoch ms of the bar that traded.' }) time!: number;
  @Field(() => [TickerWeight]) weights!: TickerWeight[];
}

@ObjectType()
class PortfolioTickerContribution {
  @Field() ticker!: string;
  @Field(() => Float, { nullable: true, description: "P&L net of the ticker's costs over initial equity; they sum to totalReturn." }) contribution!: number | null;
  @Field(() => Float) exposure!: number;
  @Field(() => Int) fills!: number;
}

@ObjectType()
class PortfolioPermutation {
  @Field() statistic!: string;
  @Field(() => Float) observed!: number;
  @Field(() => Int, { nullable: true }) permutations?: number;
  @Field(() => String, { nullable: true, description: 'What the test shuffles.' }) permuted?: string;
  @Field(() => Float, { nullable: true, description: 'Sweeps: the best configuration\'s naive p-value (pValue is against the whole search).' }) pValueBestAlone?: number;
}

const resultOf = (run: PortfolioBacktest) => (run.result ?? {}) as Record<string, unknown>;

function selector(s: SelectorInput | undefined): Selector | null | undefined {
  if (!s) return undefined;
  return Object.fromEntries(Object.entries(s).filter(([, v]) => v !== undefined && v !== null)) as Selector;
}

function toServiceInput(input: RunPortfolioBacktestInput): StartPortfolioBacktestInput {
  let ranking: StartPortfolioBacktestInput['ranking'];
  if (input.ranking === PortfolioRankingKind.STRATEGY) {
    if (!input.strategy) throw apiError('BAD_USER_INPUT', 'strategy is required with ranking STRATEGY', { field: 'strategy' });
    ranking = { kind: 'strategy', strategy: input.strategy as unknown as Extract<StartPortfolioBacktestInput['ranking'], { kind: 'strategy' }>['strategy'] };
  } else if (input.ranking === PortfolioRankingKind.SENTIMENT) ranking = { kind: 'sentiment', windowHours: input.windowHours, minRelevance: input.minRelevance };
  else if (input.ranking === PortfolioRankingKind.EMOTION) ranking = { kind: 'emotion', emotion: input.emotion, windowHours: input.windowHours, minRelevance: input.minRelevance };
  else ranking = { kind: 'signalConfidence', maxAgeHours: input.maxAgeHours };
  return {
    name: input.name, tickers: input.tickers, sector: input.sector, interval: input.interval, from: input.from, to: input.to, ranking,
    long: selector(input.long), short: selector(input.short) ?? null, longExposure: input.longExposure, shortExposure: input.shortExposure,
    weighting: input.weighting, volatilityLookback: input.volatilityLookback, rebalance: input.rebalance, execution: input.execution,
    costBps: input.costBps, slippageBps: input.slippageBps, benchmark: input.benchmark, permutations: input.permutations, seed: input.seed,
    search: input.search
      ? {
          ranges: { top: input.search.top, weighting: input.search.weighting as WeightScheme[] | undefined, rebalance: input.search.rebalance as Frequency[] | undefined, volatilityLookback: input.search.volatilityLookback },
          walkForward: input.search.walkForward ?? null,
        }
      : null,
  };
}

@Resolver(() => PortfolioBacktest)
export class PortfolioBacktestResolver {
  @Authorized()
  @Mutation(() => PortfolioBacktest, { description: 'Starts a portfolio backtest workflow; follow it with portfolioBacktest(id) (stage, tickersDone, permutationsDone).' })
  runPortfolioBacktest(@Arg('input', () => RunPortfolioBacktestInput) input: RunPortfolioBacktestInput, @Ctx() ctx: GraphQLContext): Promise<PortfolioBacktest> {
    return ctx.services.portfolioBacktests.start(toServiceInput(input), ctx.principal?.userId ?? null);
  }

  @Authorized()
  @Mutation(() => PortfolioBacktest)
  cancelPortfolioBacktest(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<PortfolioBacktest> {
    return ctx.services.portfolioBacktests.cancel(assertUuid(id), actor(ctx));
  }

  @Authorized()
  @Query(() => PortfolioBacktest, { nullable: true })
  portfolioBacktest(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<PortfolioBacktest | null> {
    return ctx.services.portfolioBacktests.get(assertUuid(id), actor(ctx));
  }

  @Authorized()
  @Query(() => [PortfolioBacktest], { description: 'Newest first.' })
  portfolioBacktests(@Arg('first', () => Int, { defaultValue: 20 }) first: number, @Ctx() ctx: GraphQLContext): Promise<PortfolioBacktest[]> {
    return ctx.services.portfolioBacktests.list(actor(ctx), first);
  }

  @FieldResolver(() => GraphQLJSON, { description: 'Everything needed to rerun it (PortfolioBacktestParams).' })
  params(@Root() run: PortfolioBacktest): Record<string, unknown> {
    return run.params;
  }

  @FieldResolver(() => [String], { description: 'The resolved universe, in the order of holdings weights.' })
  tickers(@Root() run: PortfolioBacktest): string[] {
    return (run.params as unknown as PortfolioBacktestParams).tickers;
  }

  @FieldResolver(() => PortfolioMetrics, { nullable: true })
  metrics(@Root() run: PortfolioBacktest): PortfolioMetrics | null {
    return (resultOf(run).metrics as PortfolioMetrics | undefined) ?? null;
  }

  @FieldResolver(() => PortfolioBenchmarkResult, { nullable: true })
  benchmark(@Root() run: PortfolioBacktest): PortfolioBenchmarkResult | null {
    return (resultOf(run).benchmark as PortfolioBenchmarkResult | undefined) ?? null;
  }

  @FieldResolver(() => [PortfolioEquityPoint], { description: 'Portfolio and benchmark equity (start 1), downsampled to ~500 points keeping peaks and troughs.' })
  equity(@Root() run: PortfolioBacktest): PortfolioEquityPoint[] {
    return (run.equityCurve ?? []).map(([time, equity, benchmark]) => ({ time, equity, benchmark }));
  }

  @FieldResolver(() => [PortfolioHolding], { description: 'Weights after each rebalance (at most ~500, evenly spaced).' })
  holdings(@Root() run: PortfolioBacktest): PortfolioHolding[] {
    const tickers = (run.params as unknown as PortfolioBacktestParams).tickers;
    return (run.holdings ?? []).map(([time, weights]) => ({ time, weights: weights.map((weight, j) => ({ ticker: tickers[j], weight })).filter((w) => w.weight !== 0) }));
  }

  @FieldResolver(() => [PortfolioTickerContribution])
  perTicker(@Root() run: PortfolioBacktest): PortfolioTickerContribution[] {
    return (resultOf(run).perTicker as PortfolioTickerContribution[] | undefined) ?? [];
  }

  @FieldResolver(() => PortfolioPermutation, { nullable: true })
  permutation(@Root() run: PortfolioBacktest): PortfolioPermutation | null {
    return (resultOf(run).permutation as PortfolioPermutation | undefined) ?? null;
  }

  @FieldResolver(() => PortfolioSearchResult, { nullable: true })
  search(@Root() run: PortfolioBacktest): PortfolioSearchResult | null {
    return (resultOf(run).search as PortfolioSearchResult | undefined) ?? null;
  }

  @FieldResolver(() => [String])
  warnings(@Root() run: PortfolioBacktest): string[] {
    return (resultOf(run).warnings as string[] | undefined) ?? [];
  }

  @FieldResolver(() => Int, { nullable: true })
  rebalances(@Root() run: PortfolioBacktest): number | null {
    return (resultOf(run).rebalances as number | undefined) ?? null;
  }
}
