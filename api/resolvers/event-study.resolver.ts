import { ArrayMaxSize, Max, MaxLength, Min } from 'class-validator';
import { Arg, Authorized, Ctx, Field, Float, InputType, Int, ObjectType, Query, Resolver, registerEnumType } from 'type-graphql';
import type { GraphQLContext } from '../context';
import type { EventStudyResponse } from '../../services/event-study.service';

enum SentimentBin {
  POSITIVE = 'positive',
  NEGATIVE = 'negative',
  NEUTRAL = 'neutral',
}
registerEnumType(SentimentBin, { name: 'SentimentBin', description: "The label of an article's preferred sentiment score for the ticker." });

enum EventSignalType {
  BUY = 'BUY',
  SELL = 'SELL',
}
registerEnumType(EventSignalType, { name: 'EventSignalType' });

@InputType({ description: 'What counts as an event: article criteria (all given must hold) or a signal type, not both.' })
class EventFilterInput {
  @Field(() => SentimentBin, { nullable: true }) sentiment?: SentimentBin;
  @Field(() => Float, { nullable: true, description: 'Least preferred sentiment score, in [-1, 1].' }) minScore?: number;
  @Field(() => Float, { nullable: true, description: 'Greatest preferred sentiment score, in [-1, 1].' }) maxScore?: number;
  @Field(() => String, { nullable: true, description: 'Case-insensitive substring of the title or summary.' }) @MaxLength(100) keyword?: string;
  @Field(() => String, { nullable: true, description: "Articles whose stored emotion label is this one (neutral, happy, sad, anger, disgust, surprise, fear)." }) emotion?: string;
  @Field(() => EventSignalType, { nullable: true, description: 'Replayed signals (current rules) turning to this type; a run of the same type is one event.' }) signalType?: EventSignalType;
  @Field(() => Float, { nullable: true, description: 'Article events: least relevance of the ticker to the article (default 0.2).' }) minRelevance?: number;
}

@InputType()
class EventStudyInput {
  @Field(() => [String]) @ArrayMaxSize(100) tickers!: string[];
  @Field() from!: Date;
  @Field() to!: Date;
  @Field(() => EventFilterInput) eventFilter!: EventFilterInput;
  @Field(() => [Int], { nullable: true, defaultValue: [-5, 10], description: 'Event window [start, end] in trading days around the event (day 0).' }) window?: number[];
  @Field(() => String, { nullable: true, defaultValue: 'SPY', description: 'Market of the market model.' }) @MaxLength(12) benchmark?: string;
  @Field(() => Int, { nullable: true, defaultValue: 2000 }) @Min(100) @Max(20000) bootstrapSamples?: number;
  @Field(() => Int, { nullable: true, defaultValue: 1 }) seed?: number;
}

@ObjectType({ simpleResolvers: true, description: 'One day of the event window, averaged over the studied events.' })
class EventStudyDay {
  @Field(() => Int, { description: 'Trading day relative to the event (0 = the first trading day on or after it; news after the 16:00 New York close belongs to the next day).' }) day!: number;
  @Field(() => Int, { description: 'Events behind the figures.' }) events!: number;
  @Field(() => Float, { nullable: true, description: 'Average abnormal return (null without events).' }) aar!: number | null;
  @Field(() => Float, { nullable: true, description: 'Cross-sectional t-statistic of the AAR.' }) aarT!: number | null;
  @Field(() => Float, { nullable: true }) aarLow!: number | null;
  @Field(() => Float, { nullable: true }) aarHigh!: number | null;
  @Field(() => Float, { nullable: true, description: 'Average cumulative abnormal return from the window start to this day.' }) car!: number | null;
  @Field(() => Float, { nullable: true }) carT!: number | null;
  @Field(() => Float, { nullable: true, description: 'Bootstrap interval (events resampled) of the CAR.' }) carLow!: number | null;
  @Field(() => Float, { nullable: true }) carHigh!: number | null;
}

@ObjectType({ simpleResolvers: true })
class StudiedEvent {
  @Field() ticker!: string;
  @Field({ description: 'Trading day 0.' }) day!: string;
  @Field(() => [String], { description: 'Articles or signals anchored to that day.' }) ids!: string[];
  @Field(() => Float) alpha!: number;
  @Field(() => Float) beta!: number;
  @Field(() => Int) estimationDays!: number;
  @Field(() => Float, { description: 'CAR over the whole window.' }) car!: number;
}

@ObjectType({ simpleResolvers: true })
class EventStudySkips {
  @Field(() => Int, { description: 'No daily bars for the ticker.' }) noPrices!: number;
  @Field(() => Int, { description: 'Window outside the stored bars.' }) outsidePrices!: number;
  @Field(() => Int, { description: 'Fewer than 120 clean estimation days.' }) shortEstimation!: number;
}

@ObjectType({ simpleResolvers: true, description: 'Abnormal returns around events against a market model fitted over a clean pre-window.' })
class EventStudyResult {
  @Field(() => [String]) tickers!: string[];
  @Field() benchmark!: string;
  @Field({ description: 'ARTICLES or SIGNALS.' }) eventSource!: string;
  @Field(() => [Int]) window!: number[];
  @Field(() => [Int], { description: 'Estimation window of the market model, minus every event window of the ticker.' }) estimation!: number[];
  @Field(() => Float) confidence!: number;
  @Field(() => Int) bootstrapSamples!: number;
  @Field(() => Int) seed!: number;
  @Field(() => Int, { description: 'Events matching the filter.' }) eventsIn!: number;
  @Field(() => Int, { description: 'Events studied: n behind every figure.' }) eventsUsed!: number;
  @Field(() => Int) mergedSameDay!: number;
  @Field(() => Int) droppedOverlapping!: number;
  @Field(() => EventStudySkips) skipped!: EventStudySkips;
  @Field({ description: 'How overlapping events were handled.' }) overlapNote!: string;
  @Field(() => [EventStudyDay]) days!: EventStudyDay[];
  @Field(() => [StudiedEvent]) studied!: StudiedEvent[];
}

const orNull = (x: number) => (Number.isFinite(x) ? x : null);

function toGraphql(r: EventStudyResponse): EventStudyResult {
  return {
    ...r,
    skipped: { noPrices: r.skipped.NO_PRICES, outsidePrices: r.skipped.OUTSIDE_PRICES, shortEstimation: r.skipped.SHORT_ESTIMATION },
    days: r.days.map((d) => ({ ...d, aar: orNull(d.aar), aarLow: orNull(d.aarLow), aarHigh: orNull(d.aarHigh), car: orNull(d.car), carLow: orNull(d.carLow), carHigh: orNull(d.carHigh) })),
  };
}

@Resolver()
export class EventStudyResolver {
  @Authorized()
  @Query(() => EventStudyResult, { description: 'Event study: average and cumulative abnormal returns per day of the window, with n, t-statistics and bootstrap intervals.' })
  async eventStudy(@Arg('input', () => EventStudyInput) input: EventStudyInput, @Ctx() ctx: GraphQLContext): Promise<EventStudyResult> {
    return toGraphql(await ctx.services.eventStudies.eventStudy({ ...input, eventFilter: { ...input.eventFilter } }));
  }
}
