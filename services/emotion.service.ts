/** Article emotions for the API: per-article scores (batched per request) and per-ticker buckets. */
import type { DataSource } from 'typeorm';
import { EMOTION_LABELS, type EmotionLabel, type EmotionProbabilities } from '../domain/emotions/labels';
import { latestEmotionsOf, tickerEmotionBuckets, type StoredArticleEmotion } from '../store/emotion-store';
import { ServiceError } from './errors';
import { SettledLoader } from './settled-loader';

export type EmotionInterval = 'HOUR' | 'DAY' | 'WEEK';

export interface EmotionBucket {
  bucketStart: Date;
  /** Articles with an emotion score in the bucket. */
  count: number;
  counts: Record<EmotionLabel, number>;
  /** counts / count per emotion (sum to 1). */
  shares: Record<EmotionLabel, number>;
  meanProbabilities: EmotionProbabilities;
}

export class EmotionService {
  constructor(private readonly db: DataSource) {}

  /** One request's loader: article id -> its newest emotion score, or null when it has none. */
  loader(): SettledLoader<string, StoredArticleEmotion | null> {
    return new SettledLoader(async (ids) => {
      const found = await latestEmotionsOf(this.db, ids);
      return ids.map((id) => found.get(id) ?? null);
    });
  }

  async tickerEmotions(rawTicker: string, from: Date, to: Date, interval: EmotionInterval): Promise<EmotionBucket[]> {
    // the same normalisation as tickerSentiment, so both answer for the same symbol
    const ticker = rawTicker.trim().toUpperCase();
    if (!ticker || ticker.length > 20) throw new ServiceError('BAD_USER_INPUT', `"${rawTicker}" is not a ticker`, { field: 'ticker' });
    if (!(from < to)) throw new ServiceError('BAD_USER_INPUT', 'from must be before to', { field: 'from' });
    const unit = ({ HOUR: 'hour', DAY: 'day', WEEK: 'week' } as const)[interval];
    const maxBuckets = { HOUR: 24 * 366, DAY: 3660, WEEK: 1000 }[interval];
    const span = (to.getTime() - from.getTime()) / { HOUR: 3.6e6, DAY: 8.64e7, WEEK: 6.048e8 }[interval];
    if (span > maxBuckets) throw new ServiceError('BAD_USER_INPUT', `at most ${maxBuckets} ${unit}s per request`, { field: 'to' });
    const rows = await tickerEmotionBuckets(this.db, ticker, from, to, unit);
    return rows.map((r) => ({
      ...r,
      shares: Object.fromEntries(EMOTION_LABELS.map((l) => [l, r.count ? r.counts[l] / r.count : 0])) as Record<EmotionLabel, number>,
    }));
  }
}
