/**
 * Reading articles (filters + cursor pagination, newest first; tickers and sentiment batched
 * through DataLoaders so a page costs three queries, not one per article) and the push path
 * (`importArticles`): the same normalisation, dedupe and ticker extraction as feeds.
 */
import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { ServiceError } from './errors';
import { SettledLoader } from './settled-loader';
import { dedupeArticles, normaliseItem, type NormalisedArticle } from '../domain/feeds';
import type { Article } from '../entities';
import {
  findArticle, preferredScoreRows, selectArticles, sentimentColumns, tickerColumns, tickerRows, type ArticleFilter, type ArticleRow, type ArticleTickerRow, type SentimentScoreRow,
} from '../store/article-read-store';

export { ARTICLE_ROW_FIELDS, type ArticleFilter, type ArticleRow, type ArticleTickerRow, type SentimentScoreRow } from '../store/article-read-store';
import { insertArticles } from '../store/article-store';
import type { ApiMetrics } from '../observability/metrics';
import { csvLimit, toCsv } from './csv';
import { decodeCursor, encodeCursor } from './cursor';
import { currentTickerExtractor, withTickers } from '../store/ticker-extraction-store';
import { scoreArticlesWorkflow } from '../workflows/sentiment.workflow';
import { workflowQueue } from '../domain/task-queues';

export interface ArticlePage {
  articles: ArticleRow[];
  hasNextPage: boolean;
  endCursor: string | null;
  cursors: string[];
}

export interface ImportItem {
  title?: string | null;
  url?: string | null;
  guid?: string | null;
  summary?: string | null;
  publishedAt?: string | null;
  author?: string | null;
  categories?: string[] | null;
}

export interface ImportReport {
  insertedIds: string[];
  duplicates: number;
  errors: Array<{ index: number; reason: string }>;
}

export const MAX_PAGE = 200;
export const MAX_IMPORT = 1000;

export class ArticleService {
  constructor(
    private readonly db: DataSource,
    private readonly temporal: Client,
    private readonly taskQueue: string,
    private readonly metrics?: Pick<ApiMetrics, 'ingested'>,
  ) {}

  /**
   * A page of the filter's articles. `fields` names the row fields the caller will read (a
   * GraphQL selection): only those columns are fetched, and the rows hold nothing else. Without
   * it, whole rows.
   */
  async page(filter: ArticleFilter, first: number, after?: string | null, fields?: Iterable<string>): Promise<ArticlePage> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) throw new ServiceError('BAD_USER_INPUT', `first must be 1 to ${MAX_PAGE}`, { field: 'first' });
    const rows = await selectArticles(this.db, filter, first + 1, after ? decodeCursor(after) : undefined, fields);
    const articles = rows.slice(0, first);
    const cursors = articles.map((a) => encodeCursor(a.publishedAt, a.id));
    return { articles, hasNextPage: rows.length > first, endCursor: cursors.at(-1) ?? null, cursors };
  }

  /** The filter's articles as CSV (newest first), with tickers and the preferred sentiment score. */
  async articlesCsv(filter: ArticleFilter, limit: number): Promise<string> {
    const articles = await selectArticles(this.db, filter, csvLimit(limit));
    const l = this.loaders();
    const [tickers, scores] = await Promise.all([l.tickers().loadMany(articles.map((a) => a.id)), l.sentiment().loadMany(articles.map((a) => a.id))]);
    return toCsv(
      ['id', 'published_at', 'title', 'url', 'tickers', 'sentiment_label', 'sentiment_score', 'model_version'],
      articles.map((a, i) => {
        const t = tickers[i] instanceof Error ? [] : (tickers[i] as ArticleTickerRow[]);
        const s = scores[i] instanceof Error ? null : (scores[i] as SentimentScoreRow | null);
        return [a.id, a.publishedAt, a.title, a.url, t.map((x) => `${x.ticker}:${x.relevance.toFixed(3)}`).join(' '), s?.label, s?.score, s?.modelVersion];
      }),
    );
  }

  find(id: string): Promise<Article | null> {
    return findArticle(this.db, id);
  }

  /**
   * Per-request loaders (DataLoader caches per instance, so never share one across requests).
   * Each takes the row fields the caller reads (whole rows without): one loader, and one query
   * per batch, per distinct set of columns.
   */
  loaders() {
    const tickers = new Map<string, SettledLoader<string, ArticleTickerRow[]>>();
    const sentiment = new Map<string, SettledLoader<string, SentimentScoreRow | null>>();
    return {
      tickers: (fields?: Iterable<string>) => {
        const columns = tickerColumns(fields);
        let loader = tickers.get(columns);
        if (!loader) {
          loader = new SettledLoader<string, ArticleTickerRow[]>(async (ids) => {
            const rows = await tickerRows(this.db, columns, ids);
            const byArticle = new Map<string, ArticleTickerRow[]>(ids.map((id) => [id, []]));
            for (const r of rows) byArticle.get(r.articleId)?.push(r);
            return ids.map((id) => byArticle.get(id)!);
          });
          tickers.set(columns, loader);
        }
        return loader;
      },
      // One score per article: store/article-read-store.ts preferredScoreRows.
      sentiment: (fields?: Iterable<string>) => {
        const columns = sentimentColumns(fields);
        let loader = sentiment.get(columns);
        if (!loader) {
          loader = new SettledLoader<string, SentimentScoreRow | null>(async (ids) => {
            const rows = await preferredScoreRows(this.db, columns, ids);
            const byId = new Map(rows.map((r) => [r.articleId, r]));
            return ids.map((id) => byId.get(id) ?? null);
          });
          sentiment.set(columns, loader);
        }
        return loader;
      },
    };
  }

  /** Good items are stored even when others are rejected; every rejection names its index. */
  async import(items: ImportItem[]): Promise<ImportReport> {
    if (items.length === 0 || items.length > MAX_IMPORT) throw new ServiceError('BAD_USER_INPUT', `send 1 to ${MAX_IMPORT} items`, { field: 'items' });
    const fetchedAt = new Date();
    const errors: ImportReport['errors'] = [];
    const accepted: Array<{ index: number; article: NormalisedArticle }> = [];
    items.forEach((item, index) => {
      // PostgreSQL cannot store U+0000 in text: refuse that item alone, as the API edge does for other arguments.
      const nul = (['title', 'url', 'guid', 'summary', 'publishedAt'] as const).find((k) => typeof item[k] === 'string' && item[k]!.includes('\u0000'));
      if (nul) {
        errors.push({ index, reason: `${nul} contains a NUL character (U+0000), which cannot be stored` });
        return;
      }
      if (item.publishedAt && Number.isNaN(Date.parse(item.publishedAt))) {
        errors.push({ index, reason: `publishedAt "${item.publishedAt.slice(0, 40)}" is not a date` });
        return;
      }
      const result = normaliseItem(
        {
          title: item.title ?? null,
          link: item.url ?? null,
          guid: item.guid ?? null,
          guidIsPermaLink: false,
          summary: item.summary ?? null,
          content: null,
          published: item.publishedAt ?? null,
          updated: null,
          author: item.author ?? null,
          categories: item.categories ?? [],
          base: null,
        },
        { fetchedAt },
      );
      if ('reason' in result) errors.push({ index, reason: result.reason });
      else accepted.push({ index, article: result });
    });
    const { unique, duplicates } = dedupeArticles(accepted.map((a) => a.article));
    const tagged = withTickers(unique, await currentTickerExtractor(this.db));
    const stored = await this.db.transaction((tx) => insertArticles(tx, 'import', null, tagged));
    const insertedIds = stored.map((s) => s.id);
    if (insertedIds.length > 0) {
      await this.temporal.workflow.start(scoreArticlesWorkflow, {
        taskQueue: workflowQueue(this.taskQueue, scoreArticlesWorkflow),
        workflowId: `score-import-${insertedIds[0]}`,
        args: [{ articleIds: insertedIds, accurate: true }],
      });
    }
    const report = { insertedIds, duplicates: duplicates.length + (unique.length - stored.length), errors };
    this.metrics?.ingested('import', { stored: insertedIds.length, duplicates: report.duplicates, skipped: errors.length });
    return report;
  }
}
