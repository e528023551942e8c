/**
 * Stories: the articles that tell one story across feeds (near-duplicates, assigned at ingest by
 * store/story-store.ts). Reads for `article.story`, provenance and the `stories` query.
 */
import type { DataSource } from 'typeorm';
import { listStories, storiesOfArticles, type StoryRow } from '../store/story-store';
import { ServiceError } from './errors';
import { normaliseTicker } from './price-import.service';

export interface StoriesQuery {
  ticker?: string | null;
  from: Date;
  to: Date;
  /** Only stories told by at least this many articles (2 = syndicated or rewritten ones); default 1. */
  minArticles?: number;
  /** 1..200, default 50. */
  first?: number;
}

const MAX_SPAN_MS = 366 * 86_400_000;

export class StoryService {
  constructor(private readonly db: DataSource) {}

  /** The story of each article id (one query for all of them). */
  storiesOf(articleIds: readonly string[]): Promise<Map<string, StoryRow>> {
    return storiesOfArticles(this.db, [...new Set(articleIds)]);
  }

  async stories(q: StoriesQuery): Promise<StoryRow[]> {
    if (!(q.from instanceof Date) || !(q.to instanceof Date) || Number.isNaN(q.from.getTime()) || Number.isNaN(q.to.getTime()) || !(q.from < q.to)) throw new ServiceError('BAD_USER_INPUT', 'from must be a date before to', { field: 'from' });
    if (q.to.getTime() - q.from.getTime() > MAX_SPAN_MS) throw new ServiceError('BAD_USER_INPUT', 'at most one year per request', { field: 'to' });
    const first = q.first ?? 50;
    if (!Number.isInteger(first) || first < 1 || first > 200) throw new ServiceError('BAD_USER_INPUT', 'first must be 1 to 200', { field: 'first' });
    const minArticles = q.minArticles ?? 1;
    if (!Number.isInteger(minArticles) || minArticles < 1 || minArticles > 1000) throw new ServiceError('BAD_USER_INPUT', 'minArticles must be 1 to 1000', { field: 'minArticles' });
    let ticker: string | undefined;
    if (q.ticker) {
      try {
        ticker = normaliseTicker(q.ticker);
      } catch (err) {
        throw new ServiceError('BAD_USER_INPUT', (err as Error).message, { field: 'ticker' });
      }
    }
    return listStories(this.db, { ticker, from: q.from, to: q.to, minArticles, limit: first });
  }
}
