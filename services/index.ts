import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config';
import type { EventHub } from '../events/event-hub';
import type { ApiMetrics } from '../observability/metrics';
import { ApiKeyService } from './api-key.service';
import { ArticleService } from './article.service';
import { FeedService } from './feed.service';
import { SentimentService } from './sentiment.service';
import { BacktestService } from './backtest.service';
import { importPrices, type ImportPricesInput } from './price-import.service';
import { priceBars, type PriceBarsQuery } from './price-bars';
import { SignalService } from './signal.service';
import { SignalHistoryService } from './signal-history.service';
import { SweepService } from './sweep.service';
import { PortfolioBacktestService } from './portfolio-backtest.service';
import { FeatureFlagService } from './feature-flags.service';
import { PipelineProbeService } from './pipeline-probe.service';
import { RateLimitService } from './rate-limit.service';
import { UserService } from './user.service';
import { LoginThrottleService } from './login-throttle.service';
import { WebhookService } from './webhook.service';
import { PriceSourceService } from './price-source.service';
import { InstrumentService } from './instrument.service';
import { AnalyticsService } from './analytics.service';
import { EventStudyService } from './event-study.service';
import { StoryService } from './story.service';
import { EmotionService } from './emotion.service';

export interface ServiceDeps {
  config: AppConfig;
  db: DataSource;
  temporal: Client;
  hub: EventHub;
  /** Counts imported articles (tidings_articles_*{feed="import"}). */
  metrics?: Pick<ApiMetrics, 'ingested'>;
}

/** The API's services, built once per process; resolvers reach them through the context. */
export function createServices(deps: ServiceDeps) {
  const apiKeys = new ApiKeyService(deps.db);
  const featureFlags = new FeatureFlagService(deps.db);
  const users = new UserService(deps.db, () => apiKeys.forget());
  const { loginMaxFailuresPerEmail: perEmail, loginMaxFailuresPerAddress: perAddress, loginWindowSeconds: windowSeconds } = deps.config;
  return {
    hub: deps.hub,
    pipelineProbes: new PipelineProbeService(deps.db, deps.temporal, deps.config.taskQueue),
    users,
    logins: new LoginThrottleService(deps.db, users, { perEmail, perAddress, windowSeconds }),
    apiKeys,
    featureFlags,
    rateLimits: new RateLimitService(deps.db),
    feeds: new FeedService(deps.db, deps.temporal, deps.config.taskQueue, deps.config.fetchPolicy),
    articles: new ArticleService(deps.db, deps.temporal, deps.config.taskQueue, deps.metrics),
    sentiment: new SentimentService(featureFlags),
    emotions: new EmotionService(deps.db),
    signals: new SignalService(deps.db),
    instruments: new InstrumentService(deps.db, deps.config.retagOnUniverseChange ? { temporal: deps.temporal, taskQueue: deps.config.taskQueue } : undefined),
    analytics: new AnalyticsService(deps.db),
    eventStudies: new EventStudyService(deps.db),
    stories: new StoryService(deps.db),
    backtests: new BacktestService(deps.db, deps.temporal, deps.config.taskQueue),
    signalHistory: new SignalHistoryService(deps.db, deps.temporal, deps.config.taskQueue),
    sweeps: new SweepService(deps.db, deps.temporal, deps.config.taskQueue),
    portfolioBacktests: new PortfolioBacktestService(deps.db, deps.temporal, deps.config.taskQueue),
    prices: { import: (input: ImportPricesInput) => importPrices(deps.db, input), bars: (query: PriceBarsQuery) => priceBars(deps.db, query) },
    webhooks: new WebhookService(deps.db, deps.temporal, deps.config.taskQueue, deps.config.fetchPolicy, {
      initialIntervalMs: deps.config.webhooks.initialIntervalMs,
      maxIntervalMs: deps.config.webhooks.maxIntervalMs,
      maxAgeMs: deps.config.webhooks.maxAgeMs,
      attemptTimeoutMs: deps.config.webhooks.attemptTimeoutMs,
    }),
    priceSources: new PriceSourceService(deps.db, deps.temporal, deps.config.taskQueue, deps.config.fetchPolicy, deps.config.signalsRecomputeCron),
  };
}

export type Services = ReturnType<typeof createServices>;
