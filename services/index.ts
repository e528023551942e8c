import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config';
import type { EventHub } from '../events/event-hub';
import { ApiKeyService } from './api-key.service';
import { ArticleService } from './article.service';
import { FeedService } from './feed.service';
import { SentimentService } from './sentiment.service';
import { BacktestService } from './backtest.service';
import { importPrices, type ImportPricesInput } from './price-import.service';
import { SignalService } from './signal.service';
import { SignalHistoryService } from './signal-history.service';
import { SweepService } from './sweep.service';
import { FeatureFlagService } from './feature-flags.service';
import { PipelineProbeService } from './pipeline-probe.service';
import { RateLimitService } from './rate-limit.service';
import { UserService } from './user.service';

export interface ServiceDeps {
  config: AppConfig;
  db: DataSource;
  temporal: Client;
  hub: EventHub;
}

/** The API's services, built once per process; resolvers reach them through the context. */
export function createServices(deps: ServiceDeps) {
  const apiKeys = new ApiKeyService(deps.db);
  const featureFlags = new FeatureFlagService(deps.db);
  return {
    hub: deps.hub,
    pipelineProbes: new PipelineProbeService(deps.db, deps.temporal, deps.config.taskQueue),
    users: new UserService(deps.db, () => apiKeys.forget()),
    apiKeys,
    featureFlags,
    rateLimits: new RateLimitService(deps.db),
    feeds: new FeedService(deps.db, deps.temporal, deps.config.taskQueue),
    articles: new ArticleService(deps.db, deps.temporal, deps.config.taskQueue),
    sentiment: new SentimentService(featureFlags),
    signals: new SignalService(deps.db),
    backtests: new BacktestService(deps.db, deps.temporal, deps.config.taskQueue),
    signalHistory: new SignalHistoryService(deps.db, deps.temporal, deps.config.taskQueue),
    sweeps: new SweepService(deps.db, deps.temporal, deps.config.taskQueue),
    prices: { import: (input: ImportPricesInput) => importPrices(deps.db, input) },
  };
}

export type Services = ReturnType<typeof createServices>;
