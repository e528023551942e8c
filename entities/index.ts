import { ApiKey } from './api-key.entity';
import { ArticleEmotion } from './article-emotion.entity';
import { Article, ArticleTicker } from './article.entity';
import { BacktestRun } from './backtest-run.entity';
import { FeatureFlag, FeatureFlagAudit } from './feature-flag.entity';
import { Feed } from './feed.entity';
import { Instrument } from './instrument.entity';
import { PipelineProbe } from './pipeline-probe.entity';
import { PriceBar } from './price-bar.entity';
import { SentimentScore } from './sentiment-score.entity';
import { Signal, SignalArticle } from './signal.entity';
import { HistoricalSignal, SignalReplay } from './signal-history.entity';
import { ParameterSweep, ParameterSweepResult } from './parameter-sweep.entity';
import { TickerSentimentScore } from './ticker-sentiment-score.entity';
import { User } from './user.entity';
import { WebhookDelivery, WebhookDeliveryAttempt, WebhookEndpoint } from './webhook.entity';
import { PriceSource } from './price-source.entity';
import { PortfolioBacktest } from './portfolio-backtest.entity';

export * from './api-key.entity';
export * from './article-emotion.entity';
export * from './article.entity';
export * from './backtest-run.entity';
export * from './feature-flag.entity';
export * from './feed.entity';
export * from './instrument.entity';
export * from './pipeline-probe.entity';
export * from './price-bar.entity';
export * from './sentiment-score.entity';
export * from './signal.entity';
export * from './signal-history.entity';
export * from './parameter-sweep.entity';
export * from './ticker-sentiment-score.entity';
export * from './user.entity';
export * from './webhook.entity';
export * from './price-source.entity';
export * from './portfolio-backtest.entity';

export const ALL_ENTITIES = [
  User,
  ApiKey,
  FeatureFlag,
  FeatureFlagAudit,
  Feed,
  Article,
  ArticleTicker,
  SentimentScore,
  TickerSentimentScore,
  ArticleEmotion,
  Signal,
  SignalArticle,
  HistoricalSignal,
  SignalReplay,
  ParameterSweep,
  ParameterSweepResult,
  PriceBar,
  BacktestRun,
  PipelineProbe,
  WebhookEndpoint,
  WebhookDelivery,
  WebhookDeliveryAttempt,
  PriceSource,
  Instrument,
  PortfolioBacktest,
];
