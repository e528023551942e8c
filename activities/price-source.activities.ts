import { heartbeat } from '@temporalio/activity';
import type { DataSource } from 'typeorm';
import type { Logger } from '../config/logger';
import type { PriceFetchResult, TickerPriceResult } from '../contracts';
import { DEFAULT_USER_AGENT, fetchFeed, FeedFetchError } from '../domain/feeds';
import { STRICT_POLICY, type DestinationPolicy } from '../domain/net/destination-guard';
import { expandUrlTemplate } from '../domain/prices';
import { PriceFormat } from '../entities/price-source.entity';
import { PriceFileError, writePriceFile } from '../store/price-bar-store';
import { followedTickers, priceSourceToFetch, recordPriceFetch } from '../store/price-source-store';

export interface PriceFetchOptions {
  destinationPolicy?: DestinationPolicy;
}

const DELIMITERS: Record<PriceFormat, ',' | '\t' | ';' | undefined> = {
  [PriceFormat.AUTO]: undefined,
  [PriceFormat.CSV]: ',',
  [PriceFormat.TSV]: '\t',
  [PriceFormat.SEMICOLON]: ';',
};

export function priceSourceActivities(db: DataSource, log: Logger, options: PriceFetchOptions = {}) {
  const destinationPolicy = options.destinationPolicy ?? STRICT_POLICY;
  return {
    /**
     * Fetches every followed ticker of one source (same guard, time and size limits as feeds)
     * and upserts the bars. Idempotent: a re-run stores nothing new. A ticker that fails is
     * reported and does not stop the others; the source's health says what failed.
     */
    async fetchPriceSource(input: { sourceId: string }): Promise<PriceFetchResult> {
      const source = await priceSourceToFetch(db, input.sourceId);
      if (!source) return { sourceId: input.sourceId, changedTickers: [], results: [] };
      const results: TickerPriceResult[] = [];
      for (const ticker of source.tickers) {
        const url = expandUrlTemplate(source.url_template, ticker);
        try {
          const fetched = await fetchFeed(url, { destinationPolicy, userAgent: DEFAULT_USER_AGENT, accept: 'text/csv, text/tab-separated-values, text/plain;q=0.9, */*;q=0.1' });
          if (fetched.status !== 'ok') {
            results.push({ ticker, inserted: 0, updated: 0, rejected: 0 });
            continue;
          }
          // The source's tickers and interval were validated when it was saved (services/price-source.service.ts).
          const report = await writePriceFile(db, { ticker, csv: fetched.body.toString('utf8'), interval: source.interval, delimiter: DELIMITERS[source.format] });
          results.push({ ticker, inserted: report.inserted, updated: report.updated, rejected: report.rejected.length });
        } catch (err) {
          if (!(err instanceof FeedFetchError) && !(err instanceof PriceFileError)) throw err;
          const code = err instanceof FeedFetchError ? err.code : 'BAD_FILE';
          results.push({ ticker, inserted: 0, updated: 0, rejected: 0, error: `${code}: ${err.message}`.slice(0, 500) });
        }
        heartbeat({ ticker });
      }
      const errors = results.filter((r) => r.error);
      const stored = results.reduce((n, r) => n + r.inserted, 0);
      const lastError = errors.length ? errors.slice(0, 3).map((r) => `${r.ticker}: ${r.error}`).join('; ') + (errors.length > 3 ? `; and ${errors.length - 3} more` : '') : null;
      await recordPriceFetch(db, source.id, lastError, stored);
      if (errors.length) log.warn({ sourceId: source.id, failed: errors.length }, 'price source: some tickers failed');
      return { sourceId: source.id, changedTickers: results.filter((r) => r.inserted + r.updated > 0).map((r) => r.ticker), results };
    },

    /** Every ticker any price source follows (the daily recompute's universe). */
    async followedTickers(): Promise<string[]> {
      return followedTickers(db);
    },
  };
}
