import { InitialSchema1763800000000 } from './1763800000000-initial-schema';
import { RateLimitBuckets1763900000000 } from './1763900000000-rate-limit-buckets';
import { ArticleIngestRun1764000000000 } from './1764000000000-article-ingest-run';
import { SentimentTiers1764100000000 } from './1764100000000-sentiment-tiers';

// Listed explicitly (no glob) so the same list works from TypeScript sources, jest and dist/.
export const ALL_MIGRATIONS: Function[] = [InitialSchema1763800000000, RateLimitBuckets1763900000000, ArticleIngestRun1764000000000, SentimentTiers1764100000000];
