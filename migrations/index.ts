import type { MigrationInterface } from 'typeorm';
import { InitialSchema1763800000000 } from './1763800000000-initial-schema';
import { RateLimitBuckets1763900000000 } from './1763900000000-rate-limit-buckets';
import { ArticleIngestRun1764000000000 } from './1764000000000-article-ingest-run';
import { FeedSkipsLoginFailures1764100000000 } from './1764100000000-feed-skips-login-failures';
import { SentimentTiers1764120000000 } from './1764120000000-sentiment-tiers';
import { SignalHistory1764110000000 } from './1764110000000-signal-history';
import { ParameterSweeps1764200000000 } from './1764200000000-parameter-sweeps';
import { TickerUniverse1764312000000 } from './1764312000000-ticker-universe';
import { WebhooksPriceSources1764315500000 } from './1764315500000-webhooks-price-sources';
import { PortfolioBacktests1764400000000 } from './1764400000000-portfolio-backtests';
import { ArticleStories1764410000000 } from './1764410000000-article-stories';
import { SentimentExplanations1764420000000 } from './1764420000000-sentiment-explanations';
import { ArticleEmotions1765040000000 } from './1765040000000-article-emotions';
import { SentimentTextMode1765100000000 } from './1765100000000-sentiment-text-mode';

// Listed explicitly (no glob) so the same list works from TypeScript sources, jest and dist/.
export const ALL_MIGRATIONS: Array<new () => MigrationInterface> = [
  InitialSchema1763800000000,
  RateLimitBuckets1763900000000,
  ArticleIngestRun1764000000000,
  FeedSkipsLoginFailures1764100000000,
  SignalHistory1764110000000,
  SentimentTiers1764120000000,
  ParameterSweeps1764200000000,
  TickerUniverse1764312000000,
  WebhooksPriceSources1764315500000,
  PortfolioBacktests1764400000000,
  ArticleStories1764410000000,
  SentimentExplanations1764420000000,
  ArticleEmotions1765040000000,
  SentimentTextMode1765100000000,
];
