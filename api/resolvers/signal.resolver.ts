import { ArrayMaxSize, Max, Min } from 'class-validator';
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Authorized, Ctx, Field, FieldResolver, Float, ID, Info, InputType, Int, ObjectType, Query, Resolver, Root, Subscription, registerEnumType } from 'type-graphql';
import { ExplanationPhraseType, Signal, SignalType } from '../../entities';
import { ALL_KEY, Topic, type SignalCreatedEvent } from '../../events/topics';
import type { Services } from '../../services';
import type { SentimentInterval } from '../../services/signal.service';
import type { GraphQLContext } from '../context';
import { selectedFields, selectsOnly } from '../selection';
import { PageInfo } from '../types/page-info';
import { apiError } from '../errors';
import { assertUuid } from '../validation';

export enum BucketInterval {
  HOUR = 'HOUR',
  DAY = 'DAY',
  WEEK = 'WEEK',
}
registerEnumType(BucketInterval, { name: 'BucketInterval' });

@InputType()
class SignalFilterInput {
  @Field(() => [String], { nullable: true })
  @ArrayMaxSize(100)
  tickers?: string[];

  @Field(() => Date, { nullable: true })
  from?: Date;

  @Field(() => Date, { nullable: true })
  to?: Date;

  @Field(() => SignalType, { nullable: true })
  type?: SignalType;

  @Field(() => Float, { nullable: true })
  @Min(0)
  @Max(1)
  minConfidence?: number;

  @Field(() => Date, { nullable: true, description: 'Only signals that existed at this time: what a trader saw then.' })
  asOf?: Date;
}

@ObjectType({ simpleResolvers: true })
class SignalEdge {
  @Field()
  cursor!: string;

  @Field(() => Signal)
  node!: Signal;
}

@ObjectType({ simpleResolvers: true })
class SignalConnection {
  @Field(() => [SignalEdge])
  edges!: SignalEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ObjectType({ simpleResolvers: true })
export class SignalSourceArticle {
  @Field(() => ID)
  id!: string;

  @Field()
  title!: string;

  @Field(() => String, { nullable: true })
  url!: string | null;

  @Field()
  publishedAt!: Date;

  @Field(() => Float, { nullable: true })
  relevance!: number | null;

  @Field(() => Float, { nullable: true })
  score!: number | null;

  @Field(() => String, { nullable: true })
  modelVersion!: string | null;

  @Field(() => [ExplanationPhraseType], { nullable: true, description: 'The phrases that pushed the score to its label, strongest first (log-odds weights).' })
  explanation!: ExplanationPhraseType[] | null;
}

@ObjectType({ simpleResolvers: true })
class SentimentBucket {
  @Field()
  bucketStart!: Date;

  @Field(() => Int)
  count!: number;

  @Field(() => Float, { nullable: true })
  meanScore!: number | null;

  @Field(() => Float)
  positiveShare!: number;

  @Field(() => Float)
  neutralShare!: number;

  @Field(() => Float)
  negativeShare!: number;
}

/** DataLoaders live as long as one request's context. */
/** SignalSourceArticle fields that need no relevance or sentiment. */
const ARTICLE_ONLY_FIELDS = new Set(['id', 'title', 'url', 'publishedAt', '__typename']);

/**
 * Signal fields resolved rather than read from the row, and the row fields they read: the
 * provenance needs only the id (always read); the typed feature views (signal-features.resolver.ts)
 * read the features JSON.
 */
const SIGNAL_COMPUTED_FIELDS: ReadonlyMap<string, readonly string[]> = new Map([
  ['articles', []],
  ['technical', ['features']],
  ['newsIntensity', ['features']],
  ['vsa', ['features']],
  ['emotions', ['features']],
]);

const NOTHING_COMPUTED: ReadonlyMap<string, readonly string[]> = new Map();

const loadersByContext = new WeakMap<GraphQLContext, ReturnType<Services['signals']['loaders']>>();
function loaders(ctx: GraphQLContext) {
  let l = loadersByContext.get(ctx);
  if (!l) loadersByContext.set(ctx, (l = ctx.services.signals.loaders()));
  return l;
}

/** The fields a signal_created event carries (events/topics.ts SignalCreatedEvent). */
const SIGNAL_EVENT_FIELDS: ReadonlySet<string> = new Set<keyof SignalCreatedEvent | '__typename'>(['id', 'ticker', 'type', 'confidence', '__typename']);

@Resolver(() => Signal)
export class SignalResolver {
  @Authorized()
  @Query(() => SignalConnection, { description: 'Newest as-of first; pass pageInfo.endCursor as `after` for the next page.' })
  async signals(
    @Arg('filter', () => SignalFilterInput, { nullable: true }) filter: SignalFilterInput | undefined,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | undefined,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<SignalConnection> {
    // Only the columns the selection reads (e.g. no features JSON when no one asked for it).
    const page = await ctx.services.signals.page(filter ?? {}, first, after, selectedFields(info, ['edges', 'node'], SIGNAL_COMPUTED_FIELDS));
    // The page's provenance in one batch now (the loader the `articles` field would pick), so
    // each signal's `articles` answers with a plain value.
    if (selectedFields(info, ['edges', 'node'], NOTHING_COMPUTED)?.has('articles')) {
      const selected = selectedFields(info, ['edges', 'node', 'articles'], NOTHING_COMPUTED);
      const l = loaders(ctx);
      const loader = selected && [...selected].every((f) => ARTICLE_ONLY_FIELDS.has(f)) ? l.articlesWithoutSentiment(selected) : l.articles;
      await loader.loadMany(page.signals.map((s) => s.id));
    }
    return { edges: page.signals.map((node, i) => ({ node, cursor: page.cursors[i] })), pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor } };
  }

  @Authorized()
  @Query(() => Signal, { nullable: true })
  signal(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<Signal | null> {
    return ctx.services.signals.loadShared(assertUuid(id));
  }

  @Authorized()
  @Query(() => [SentimentBucket], { description: 'Sentiment of one ticker over time: article count, mean score and label shares per bucket.' })
  tickerSentiment(
    @Arg('ticker') ticker: string,
    @Arg('from') from: Date,
    @Arg('to') to: Date,
    @Arg('interval', () => BucketInterval, { defaultValue: BucketInterval.DAY }) interval: BucketInterval,
    @Ctx() ctx: GraphQLContext,
  ): Promise<SentimentBucket[]> {
    return ctx.services.signals.tickerSentiment(ticker, from, to, interval as SentimentInterval);
  }

  @Authorized()
  @Query(() => String, { description: 'Signals for a filter as CSV (header row first, at most 10,000 rows).' })
  signalsCsv(
    @Arg('filter', () => SignalFilterInput, { nullable: true }) filter: SignalFilterInput | undefined,
    @Arg('limit', () => Int, { defaultValue: 1000 }) limit: number,
    @Ctx() ctx: GraphQLContext,
  ): Promise<string> {
    return ctx.services.signals.signalsCsv(filter ?? {}, limit);
  }

  @FieldResolver(() => [SignalSourceArticle], { description: 'Provenance: the articles this signal was computed from.' })
  articles(@Root() signal: Pick<Signal, 'id'>, @Ctx() ctx: GraphQLContext, @Info() info: GraphQLResolveInfo): SignalSourceArticle[] | Promise<SignalSourceArticle[]> {
    // A selection of the articles alone (e.g. `articles { title }`) skips the sentiment lookup.
    const l = loaders(ctx);
    return (selectsOnly(info, ARTICLE_ONLY_FIELDS) ? l.articlesWithoutSentiment(selectedFields(info, [], NOTHING_COMPUTED)) : l.articles).value(signal.id);
  }

  @Authorized()
  @Subscription(() => Signal, {
    description: 'New signals for the given tickers (routed per ticker; omit tickers for every ticker), of the given types, at or above minConfidence.',
    subscribe: async ({ args, context }) => {
      const ctx = context as GraphQLContext;
      if (!(await ctx.services.featureFlags.isEnabled('signal_subscriptions'))) throw apiError('FEATURE_DISABLED', 'signal subscriptions are switched off (flag signal_subscriptions)');
      const given = args.tickers as string[] | null | undefined;
      const tickers = (given ?? []).map((t) => t.trim().toUpperCase()).filter(Boolean);
      if (given && (tickers.length < 1 || tickers.length > 100)) throw apiError('BAD_USER_INPUT', 'subscribe to 1 to 100 tickers, or omit tickers for all', { field: 'tickers' });
      const minConfidence = (args.minConfidence as number | undefined) ?? 0;
      const types = (args.types as SignalType[] | null | undefined) ?? null;
      const wanted = types && types.length ? new Set<string>(types) : null;
      const routes = (given ? tickers : [ALL_KEY]).map((key) => ({ topic: Topic.SIGNAL_CREATED as const, key }));
      return ctx.services.hub.subscribe(routes, { accept: (e) => e.confidence >= minConfidence && (!wanted || wanted.has(e.type)) });
    },
  })
  async signalCreated(
    @Root() event: SignalCreatedEvent,
    @Arg('tickers', () => [String], { nullable: true, description: 'Omit for every ticker.' }) _tickers: string[] | undefined,
    @Arg('types', () => [SignalType], { nullable: true, description: 'Omit for every type.' }) _types: SignalType[] | undefined,
    // Both arguments are applied in `subscribe`, before an event is queued for this subscriber.
    @Arg('minConfidence', () => Float, { defaultValue: 0 }) _minConfidence: number,
    @Ctx() ctx: GraphQLContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Signal | SignalCreatedEvent> {
    // The event is the creation itself: a selection of its own fields is answered from it, with
    // no read of the row (each API replica would read it before writing to any socket). Only
    // other fields load the signal, and then a signal deleted since its event is NOT_FOUND.
    if (selectsOnly(info, SIGNAL_EVENT_FIELDS)) return event;
    const signal = await ctx.services.signals.loadShared(event.id);
    if (!signal) throw apiError('NOT_FOUND', `signal ${event.id} no longer exists`);
    return signal;
  }
}
