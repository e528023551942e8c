import type { DataSource } from 'typeorm';
import type { Logger } from '../config/logger';
import { articlesAfter, replaceArticleTickers } from '../store/article-ticker-store';
import { currentTickerExtractor } from '../store/ticker-extraction-store';

export interface RetagPageInput {
  afterId: string | null;
  limit: number;
}

export interface RetagPageResult {
  /** The last article id read: the next page starts after it. Null when the page was empty. */
  lastId: string | null;
  scanned: number;
  changed: number;
}

/**
 * One page of the re-tag workflow: the next `limit` articles by id, re-extracted with the current
 * universe (listed companies, built-ins and admin instruments) as of each article's publication
 * date, and their stored tickers made equal to the result. Idempotent: a retried page finds
 * nothing to change.
 */
export function retagActivities(db: DataSource, log: Logger) {
  return {
    async retagArticlesPage(input: RetagPageInput): Promise<RetagPageResult> {
      const articles = await articlesAfter(db, input.afterId, input.limit);
      if (articles.length === 0) return { lastId: null, scanned: 0, changed: 0 };
      const extractor = await currentTickerExtractor(db);
      const tagged = articles.map((article) => ({
        article,
        tickers: extractor
          .extract({ title: article.title, summary: article.summary, url: article.url, guid: article.guid, publishedAt: article.publishedAt })
          .map((m) => ({ ticker: m.ticker, relevance: m.relevance, matchedBy: m.matchedBy, verified: !m.unverified })),
      }));
      const changed = await replaceArticleTickers(db, tagged);
      if (changed > 0) log.info({ scanned: articles.length, changed }, 're-tagged a page of articles');
      return { lastId: articles[articles.length - 1]!.id, scanned: articles.length, changed };
    },
  };
}
