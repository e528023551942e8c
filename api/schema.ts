import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { authChecker } from './auth/auth';
import { AccessResolver } from './resolvers/access.resolver';
import { ArticleResolver } from './resolvers/article.resolver';
import { FeedResolver } from './resolvers/feed.resolver';
import { SentimentResolver } from './resolvers/sentiment.resolver';
import { BacktestResolver } from './resolvers/backtest.resolver';
import { BacktestResultsResolver } from './resolvers/backtest-results.resolver';
import { SweepResolver } from './resolvers/sweep.resolver';
import { PortfolioBacktestResolver } from './resolvers/portfolio-backtest.resolver';
import { SignalResolver } from './resolvers/signal.resolver';
import { SignalHistoryResolver } from './resolvers/signal-history.resolver';
import { FeatureFlagResolver } from './resolvers/feature-flag.resolver';
import { PipelineProbeResolver } from './resolvers/pipeline-probe.resolver';
import { DashboardResolver } from './resolvers/dashboard.resolver';
import { WebhookResolver } from './resolvers/webhook.resolver';
import { PriceSourceResolver } from './resolvers/price-source.resolver';
import { InstrumentResolver } from './resolvers/instrument.resolver';
import { SignalFeaturesResolver } from './resolvers/signal-features.resolver';
import { AnalyticsResolver } from './resolvers/analytics.resolver';
import { EventStudyResolver } from './resolvers/event-study.resolver';
import { ArticleStoryResolver, SignalSourceStoryResolver, StoryResolver } from './resolvers/story.resolver';
import { EmotionResolver } from './resolvers/emotion.resolver';

export const RESOLVERS = [
  PipelineProbeResolver,
  AccessResolver,
  FeatureFlagResolver,
  FeedResolver,
  ArticleResolver,
  EmotionResolver,
  SentimentResolver,
  SignalResolver,
  BacktestResolver,
  BacktestResultsResolver,
  SignalHistoryResolver,
  SweepResolver,
  PortfolioBacktestResolver,
  DashboardResolver,
  WebhookResolver,
  PriceSourceResolver,
  InstrumentResolver,
  SignalFeaturesResolver,
  AnalyticsResolver,
  EventStudyResolver,
  StoryResolver,
  ArticleStoryResolver,
  SignalSourceStoryResolver,
] as const;

/*
 * Types read in bulk (articles, tickers, scores, signals, their edges and page info) are declared
 * `@ObjectType({ simpleResolvers: true })`: their plain fields resolve by property access instead
 * of through type-graphql's per-field middleware wrapper. Nothing here puts middleware or roles on
 * a plain field (auth is per operation), so this changes no behaviour, only cost per field.
 */
let cached: Promise<GraphQLSchema> | null = null;

/** type-graphql keeps metadata globally, so one schema per process is both enough and safest. */
export function buildApiSchema(): Promise<GraphQLSchema> {
  cached ??= buildSchema({
    resolvers: [...RESOLVERS],
    validate: { forbidUnknownValues: false },
    authChecker,
    // Every subscription supplies its own `subscribe` into the EventHub (per-topic routing fed
    // by PostgreSQL NOTIFY); type-graphql still insists on a PubSub, so it gets one that says so.
    pubSub: {
      publish() {
        throw new Error('publish events with events/publish.ts (PostgreSQL NOTIFY), not through type-graphql');
      },
      subscribe() {
        throw new Error('subscriptions must declare `subscribe` into the EventHub');
      },
    },
    emitSchemaFile: false,
  });
  return cached;
}
