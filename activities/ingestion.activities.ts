import { heartbeat } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { DataSource } from 'typeorm';
import type { Logger } from '../config/logger';
import { articlesFromFeedBody, DEFAULT_MAX_ITEMS, DEFAULT_USER_AGENT, fetchFeed, FeedFetchError, FeedParseError, type SkippedItem } from '../domain/feeds';
import { STRICT_POLICY, type DestinationPolicy } from '../domain/net/destination-guard';
import { articleIdsOfIngestRun, findFeed, recordFeedFailure, recordFeedNotModified, storePolledArticles } from '../store/feed-store';
import { createWorkerMetrics, type WorkerMetrics } from '../observability/metrics';
import { isFeatureEnabled } from '../store/feature-flag-store';
import { currentTickerExtractor, withTickers } from '../store/ticker-extraction-store';
import type { PollOutcome } from '../contracts';
import { alertOperatorsIfFailing } from './webhook-fanout';
import type { WebhookOptions } from './webhook-options';

/** What the worker's config says about fetching feeds; strict defaults when not given. */
export interface FeedIngestOptions {
  destinationPolicy?: DestinationPolicy;
  maxItems?: number;
  /** Operator alerts when a feed keeps failing (threshold, delivery retry options). */
  operatorAlerts?: WebhookOptions;
}

const nothing = { newArticleIds: [], parsed: 0, skippedItems: 0, duplicates: 0 };

/** The feed's health line for skipped items: the first reasons, with item indexes, and how many more. */
export function skipSummary(skipped: SkippedItem[], capReason: string | null): string | null {
  const parts: string[] = [];
  if (capReason) parts.push(capReason);
  const shown = skipped.slice(0, 3).map((s) => `item ${s.index}: ${s.reason}`);
  parts.push(...shown);
  if (skipped.length > shown.length) parts.push(`and ${skipped.length - shown.length} more skipped item(s)`);
  return parts.length ? parts.join('; ').slice(0, 1000) : null;
}

/** SQLSTATE class 22 (data exception): the same bytes would fail again, so retrying is pointless. */
const isDataError = (err: unknown) => typeof (err as { code?: unknown })?.code === 'string' && (err as { code: string }).code.startsWith('22');

export function ingestionActivities(db: DataSource, log: Logger, options: FeedIngestOptions = {}, metrics: WorkerMetrics = createWorkerMetrics()) {
  const destinationPolicy = options.destinationPolicy ?? STRICT_POLICY;
  const maxItems = options.maxItems ?? DEFAULT_MAX_ITEMS;
  const polled = (outcome: PollOutcome): PollOutcome => {
    metrics.feedPoll(outcome.status);
    return outcome;
  };
  /** Records a failed poll, then tells operators once the feed has failed N polls in a row. */
  const failed = async (feedId: string, message: string): Promise<void> => {
    await recordFeedFailure(db, feedId, message);
    await alertOperatorsIfFailing(db, feedId, options.operatorAlerts ?? {}).catch((err: Error) =>
      // Not fatal to the poll: the alert's deliveries stay PENDING and the next failed poll starts them.
      log.warn({ feedId, err: err.message }, 'operator alert for a failing feed could not be started'),
    );
  };
  return {
    /**
     * Fetch (conditional GET) -> parse -> normalise -> dedupe -> tickers -> store, for one feed.
     * Transient fetch failures throw (Temporal retries with backoff, honouring Retry-After);
     * permanent ones are recorded on the feed and returned, so a dead feed cannot cause a
     * retry storm. Idempotent: a retry re-fetches and the unique keys absorb what was stored.
     */
    async pollFeed(input: { feedId: string; /** the poll's workflow id; see storedBy */ pollId?: string }): Promise<PollOutcome> {
      const pollId = input.pollId ?? null;
      // Articles an earlier attempt of this same poll committed before its worker died.
      const storedBy = async (): Promise<string[]> =>
        pollId ? articleIdsOfIngestRun(db, pollId) : [];
      const feed = await findFeed(db, input.feedId);
      if (!feed) return polled({ status: 'skipped', reason: 'feed no longer exists', ...nothing });
      // Fresh, not cached: a poll that starts after rss_polling was switched off must not fetch.
      if (!(await isFeatureEnabled(db, 'rss_polling', { fresh: true }))) return polled({ status: 'skipped', reason: 'rss_polling is off', ...nothing });
      if (feed.paused) return polled({ status: 'skipped', reason: 'feed is paused', ...nothing });

      const fetchedAt = new Date();
      let fetched;
      try {
        fetched = await fetchFeed(feed.url, { etag: feed.etag ?? undefined, lastModified: feed.lastModified ?? undefined, userAgent: DEFAULT_USER_AGENT, destinationPolicy });
      } catch (err) {
        if (!(err instanceof FeedFetchError)) throw err;
        metrics.feedFailure(err.code);
        await failed(feed.id, `${err.code}: ${err.message}`);
        if (err.kind === 'transient') {
          throw ApplicationFailure.create({
            type: err.code,
            message: err.message,
            nextRetryDelay: err.retryAfterSeconds ? `${err.retryAfterSeconds} seconds` : undefined,
          });
        }
        log.warn({ feedId: feed.id, code: err.code }, 'feed fetch failed permanently');
        return polled({ status: 'failed', reason: `${err.code}: ${err.message}`, ...nothing });
      }
      heartbeat();
      if (fetched.status === 'not-modified') {
        await recordFeedNotModified(db, feed.id);
        return polled({ status: 'not-modified', ...nothing, newArticleIds: await storedBy() });
      }

      let items;
      try {
        items = articlesFromFeedBody(fetched.body, { fetchedAt, feedUrl: fetched.finalUrl ?? feed.url, contentType: fetched.contentType, maxItems });
      } catch (err) {
        if (!(err instanceof FeedParseError)) throw err;
        metrics.feedFailure(err.code);
        await failed(feed.id, `${err.code}: ${err.message}`);
        return polled({ status: 'failed', reason: `${err.code}: ${err.message}`, ...nothing });
      }
      const articles = withTickers(items.articles, await currentTickerExtractor(db));
      heartbeat();

      const itemsSkipped = items.skipped.length + items.itemsOverCap;
      const skipReason = skipSummary(items.skipped, items.capReason);
      let stored;
      try {
        stored = await storePolledArticles(db, { feedId: feed.id, etag: fetched.etag, lastModified: fetched.lastModified, pollId, itemsSkipped, skipReason }, articles);
      } catch (err) {
        // Never fail silently: the feed's health says why, whether or not Temporal retries.
        const reason = `STORE_FAILED: ${(err as Error).message}`;
        await failed(feed.id, reason).catch(() => undefined);
        if (!isDataError(err)) throw err;
        log.warn({ feedId: feed.id, code: (err as { code?: string }).code }, 'feed items could not be stored');
        return polled({ status: 'failed', reason, ...nothing });
      }
      const earlier = pollId ? await storedBy() : [];
      const duplicates = items.duplicates.length + (items.articles.length - stored.length);
      metrics.ingested(feed.id, { stored: stored.length, duplicates, skipped: itemsSkipped });
      // Published -> stored, for items whose feed gave a real date (an estimated one is the fetch time).
      const storedHashes = new Set(stored.map((s) => s.urlHash));
      const storedAt = Date.now();
      for (const { article } of articles) {
        if (storedHashes.has(article.urlHash) && !article.publishedAtEstimated) metrics.stageLatency('published_to_stored', (storedAt - article.publishedAt.getTime()) / 1000);
      }
      return polled({
        status: 'ok',
        newArticleIds: [...new Set([...stored.map((s) => s.id), ...earlier])],
        parsed: items.articles.length,
        skippedItems: itemsSkipped,
        duplicates,
      });
    },
  };
}
