import { ApiKey } from './api-key.entity';
import { Article, ArticleTicker } from './article.entity';
import { BacktestRun } from './backtest-run.entity';
import { FeatureFlag, FeatureFlagAudit } from './feature-flag.entity';
import { Feed } from './feed.entity';
import { PipelineProbe } from './pipeline-probe.entity';
import { PriceBar } from './price-bar.entity';
import { SentimentScore } from './sentiment-score.entity';
import { Signal, SignalArticle } from './signal.entity';
import { TickerSentimentScore } from './ticker-sentiment-score.entity';
import { User } from './user.entity';

export * from './api-key.entity';
export * from './article.entity';
export * from './backtest-run.entity';
export * from './feature-flag.entity';
export * from './feed.entity';
export * from './pipeline-probe.entity';
export * from './price-bar.entity';
export * from './sentiment-score.entity';
export * from './signal.entity';
export * from './ticker-sentiment-score.entity';
export * from './user.entity';

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
  Signal,
  SignalArticle,
  PriceBar,
  BacktestRun,
  PipelineProbe,
];
