/**
 * Reading articles (filters + cursor pagination, newest first; tickers and sentiment batched
 * through DataLoaders so a page costs three queries, not one per article) and the push path
 * (`importArticles`): the same normalisation, dedupe and ticker extraction as feeds.
 */
import { tierRankSql } from './sentiment-preference';
import type { Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { columnsFor, readRows } from '../db/read-rows';
import { ServiceError } from './errors';
import { SettledLoader } from './settled-loader';
import { dedupeArticles, normaliseItem, type NormalisedArticle } from '../domain/feeds';
import { Article, ArticleTicker, SentimentScore } from '../entities';
import { insertArticles } from './article-store';
import type { ApiMetrics } from '../observability/metrics';
import { csvLimit, toCsv } from './csv';
import { decodeCursor, encodeCursor } from './cursor';
import { currentTickerExtractor, withTickers } from './ticker-extraction';
import { scoreArticlesWorkflow } from '../workflows/sentiment.workflow';

export interface ArticleFilter {
  tickers?: string[];
  from?: Date;
  to?: Date;
  feedId?: string;
  search?: string;
  /** Articles with any of these feed categories (case-insensitive, exact words). */
  categories?: string[];
  /** Articles by this author (case-insensitive, exact). */
  author?: string;
}

/** What the API reads of an article, ticker link and score: plain rows, no entity hydration. */
export type ArticleRow = Pick<Article, 'id' | 'feedId' | 'source' | 'guid' | 'url' | 'title' | 'summary' | 'publishedAt' | 'publishedAtEstimated' | 'createdAt' | 'author' | 'categories'>;
export type ArticleTickerRow = Pick<ArticleTicker, 'articleId' | 'ticker' | 'relevance' | 'matchedBy' | 'publishedAt' | 'verified'>;
export type SentimentScoreRow = Omit<SentimentScore, 'article'>;

/** Each ArticleRow field as a column of `articles a`, aliased to the entity's name. */
const ARTICLE_COLUMN: Readonly<Record<keyof ArticleRow, string>> = {
  id: 'a.id',
  feedId: 'a.feed_id AS "feedId"',
  source: 'a.source',
  guid: 'a.guid',
  url: 'a.url',
  title: 'a.title',
  summary: 'a.summary',
  publishedAt: 'a.published_at AS "publishedAt"',
  publishedAtEstimated: 'a.published_at_estimated AS "publishedAtEstimated"',
  createdAt: 'a.created_at AS "createdAt"',
  author: 'a.author',
  categories: 'a.categories',
};
/** The fields of an article row, for callers that say which ones they read. */
export const ARTICLE_ROW_FIELDS = Object.keys(ARTICLE_COLUMN) as ReadonlyArray<keyof ArticleRow>;
const TICKER_COLUMN: Readonly<Record<keyof ArticleTickerRow, string>> = {
  articleId: 'article_id AS "articleId"',
  ticker: 'ticker',
  relevance: 'relevance',
  matchedBy: 'matched_by AS "matchedBy"',
  publishedAt: 'published_at AS "publishedAt"',
  verified: 'verified',
};
const SENTIMENT_COLUMN: Readonly<Record<keyof SentimentScoreRow, string>> = {
  id: 's.id',
  articleId: 's.article_id AS "articleId"',
  modelVersion: 's.model_version AS "modelVersion"',
  label: 's.label',
  score: 's.score',
  probNegative: 's.prob_negative AS "probNegative"',
  probNeutral: 's.prob_neutral AS "probNeutral"',
  probPositive: 's.prob_positive AS "probPositive"',
  unscoredReason: 's.unscored_reason AS "unscoredReason"',
  explanation: 's.explanation',
  scoredAt: 's.scored_at AS "scoredAt"',
  tier: `CASE WHEN s.model_version LIKE 'lexicon-%' THEN 'lexicon' ELSE s.tier END AS tier`,
};

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
   * The filter as SQL over `articles a`, newest first. Raw SQL rather than the query builder:
   * this is the hottest read path, and plain rows need no entity hydration (see `npm run bench -- graphql`).
   */
  private filterSql(filter: ArticleFilter, params: unknown[]): string {
    const where: string[] = [];
    const param = (value: unknown) => `$${params.push(value)}`;
    if (filter.tickers?.length) {
      where.push(`EXISTS (SELECT 1 FROM article_tickers t WHERE t.article_id = a.id AND t.ticker = ANY(${param(filter.tickers.map((t) => t.trim().toUpperCase()))}::text[]))`);
    }
    if (filter.from) where.push(`a.published_at >= ${param(filter.from)}`);
    if (filter.to) where.push(`a.published_at < ${param(filter.to)}`);
    if (filter.feedId) where.push(`a.feed_id = ${param(filter.feedId)}`);
    const categories = (filter.categories ?? []).map((c) => c.trim().toLowerCase()).filter(Boolean);
    if (categories.length > 0) {
      where.push(`EXISTS (SELECT 1 FROM unnest(a.categories) AS c WHERE lower(c) = ANY(${param(categories)}::text[]))`);
    }
    if (filter.author?.trim()) where.push(`lower(a.author) = ${param(filter.author.trim().toLowerCase())}`);
    if (filter.search?.trim()) {
      const pattern = param(`%${filter.search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
      where.push(`(a.title ILIKE ${pattern} OR a.summary ILIKE ${pattern})`);
    }
    return where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  }

  /** `fields`: the row fields the caller reads (id and publishedAt, the cursor, always); all without. */
  private select(filter: ArticleFilter, limit: number, after?: { time: string; id: string }, fields?: Iterable<string>): Promise<ArticleRow[]> {
    const params: unknown[] = [];
    let where = this.filterSql(filter, params);
    if (after) where += `${where ? ' AND' : 'WHERE'} (a.published_at, a.id) < ($${params.push(after.time)}::timestamptz, $${params.push(after.id)}::uuid)`;
    const columns = columnsFor(ARTICLE_COLUMN, ['id', 'publishedAt'], fields);
    return readRows(this.db, `SELECT ${columns} FROM articles a ${where} ORDER BY a.published_at DESC, a.id DESC LIMIT $${params.push(limit)}`, params);
  }

  /**
   * A page of the filter's articles. `fields` names the row fields the caller will read (a
   * GraphQL selection): only those columns are fetched, and the rows hold nothing else. Without
   * it, whole rows.
   */
  async page(filter: ArticleFilter, first: number, after?: string | null, fields?: Iterable<string>): Promise<ArticlePage> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) throw new ServiceError('BAD_USER_INPUT', `first must be 1 to ${MAX_PAGE}`, { field: 'first' });
    const rows = await this.select(filter, first + 1, after ? decodeCursor(after) : undefined, fields);
    const articles = rows.slice(0, first);
    const cursors = articles.map((a) => encodeCursor(a.publishedAt, a.id));
    return { articles, hasNextPage: rows.length > first, endCursor: cursors.at(-1) ?? null, cursors };
  }

  /** The filter's articles as CSV (newest first), with tickers and the preferred sentiment score. */
  async articlesCsv(filter: ArticleFilter, limit: number): Promise<string> {
    const articles = await this.select(filter, csvLimit(limit));
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
    return this.db.getRepository(Article).findOneBy({ id });
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
        const columns = columnsFor(TICKER_COLUMN, ['articleId'], fields);
        let loader = tickers.get(columns);
        if (!loader) {
          loader = new SettledLoader<string, ArticleTickerRow[]>(async (ids) => {
            const rows = await readRows<ArticleTickerRow>(this.db, `SELECT ${columns} FROM article_tickers WHERE article_id = ANY($1::uuid[]) ORDER BY relevance DESC`, [ids]);
            const byArticle = new Map<string, ArticleTickerRow[]>(ids.map((id) => [id, []]));
            for (const r of rows) byArticle.get(r.articleId)?.push(r);
            return ids.map((id) => byArticle.get(id)!);
          });
          tickers.set(columns, loader);
        }
        return loader;
      },
      // The accurate tier beats the fast tier beats the lexicon; then the newest score.
      sentiment: (fields?: Iterable<string>) => {
        const columns = columnsFor(SENTIMENT_COLUMN, ['articleId'], fields);
        let loader = sentiment.get(columns);
        if (!loader) {
          loader = new SettledLoader<string, SentimentScoreRow | null>(async (ids) => {
            const rows = await readRows<SentimentScoreRow>(
              this.db,
              `SELECT DISTINCT ON (s.article_id) ${columns} FROM sentiment_scores s
               WHERE s.article_id = ANY($1::uuid[]) ORDER BY s.article_id, ${tierRankSql('s')}, s.scored_at DESC`,
              [ids],
            );
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
        taskQueue: this.taskQueue,
        workflowId: `score-import-${insertedIds[0]}`,
        args: [{ articleIds: insertedIds, accurate: true }],
      });
    }
    const report = { insertedIds, duplicates: duplicates.length + (unique.length - stored.length), errors };
    this.metrics?.ingested('import', { stored: insertedIds.length, duplicates: report.duplicates, skipped: errors.length });
    return report;
  }
}
