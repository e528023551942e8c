/** Feeds' poll state and health as stored (feeds), and the articles a poll stores (store/article-store.ts). */
import type { DataSource } from 'typeorm';
import { Article, Feed } from '../entities';
import { insertArticles, type ArticleWithTickers, type StoredArticle } from './article-store';

export function findFeed(db: DataSource, id: string): Promise<Feed | null> {
  return db.getRepository(Feed).findOneBy({ id });
}

/** Articles an earlier attempt of the same poll (its workflow id) committed. */
export async function articleIdsOfIngestRun(db: DataSource, ingestRun: string): Promise<string[]> {
  return (await db.getRepository(Article).find({ select: { id: true }, where: { ingestRun } })).map((r) => r.id);
}

/** A failed poll: the feed's health line and its failure streak. */
export async function recordFeedFailure(db: DataSource, feedId: string, message: string): Promise<void> {
  await db.query(`UPDATE feeds SET last_polled_at = now(), last_error = $2, last_error_at = now(), consecutive_failures = consecutive_failures + 1 WHERE id = $1`, [
    feedId,
    message.slice(0, 1000),
  ]);
}

/** A poll that found the feed unchanged (304): healthy again. */
export async function recordFeedNotModified(db: DataSource, feedId: string): Promise<void> {
  await db.query(`UPDATE feeds SET last_polled_at = now(), last_success_at = now(), consecutive_failures = 0, last_error = NULL, failure_alerted_at = NULL WHERE id = $1`, [feedId]);
}

export interface PolledFeed {
  feedId: string;
  etag: string | null;
  lastModified: string | null;
  /** The poll's workflow id (articles.ingest_run), or null. */
  pollId: string | null;
  itemsSkipped: number;
  skipReason: string | null;
}

/** The poll's new articles and the feed's healthy state (validators, counters) in one transaction. */
export async function storePolledArticles(db: DataSource, poll: PolledFeed, articles: ArticleWithTickers[]): Promise<StoredArticle[]> {
  return db.transaction(async (tx) => {
    const rows = await insertArticles(tx, 'feed', poll.feedId, articles, poll.pollId);
    await tx.query(
      `UPDATE feeds SET etag = $2, last_modified = $3, last_polled_at = now(), last_success_at = now(),
         consecutive_failures = 0, last_error = NULL, failure_alerted_at = NULL, articles_ingested = articles_ingested + $4,
         items_skipped = $5, last_skip_reason = $6 WHERE id = $1`,
      [poll.feedId, poll.etag, poll.lastModified, rows.length, poll.itemsSkipped, poll.skipReason],
    );
    return rows;
  });
}

/** The new feed's id, or null when a feed with that URL exists (URLs are unique). */
export async function insertFeed(db: DataSource, url: string, name: string, pollIntervalSeconds: number): Promise<string | null> {
  const inserted: Array<{ id: string }> = await db.query(`INSERT INTO feeds (url, name, poll_interval_seconds) VALUES ($1, $2, $3) ON CONFLICT (url) DO NOTHING RETURNING id`, [
    url,
    name,
    pollIntervalSeconds,
  ]);
  return inserted[0]?.id ?? null;
}
