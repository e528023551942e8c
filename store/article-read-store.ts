/**
 * Articles as read by the API (services/article.service.ts): filtered cursor pages with a
 * select list per GraphQL selection, and the batched ticker and preferred-score reads behind
 * its DataLoaders. Raw rows through db/read-rows.ts: the hottest read path.
 */
import type { DataSource } from 'typeorm';
import { columnsFor, readRows } from '../db/read-rows';
import { Article, type ArticleTicker, type SentimentScore } from '../entities';
import { tierRankSql } from './sentiment-preference';

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
  textMode: 's.text_mode AS "textMode"',
};

/**
 * The filter as SQL over `articles a`, newest first. Raw SQL rather than the query builder:
 * this is the hottest read path, and plain rows need no entity hydration (see `npm run bench -- graphql`).
 */
function filterSql(filter: ArticleFilter, params: unknown[]): string {
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

/** The filter's articles, newest first, after the cursor position. `fields`: the row fields the caller reads (id and publishedAt, the cursor, always); all without. */
export function selectArticles(db: DataSource, filter: ArticleFilter, limit: number, after?: { time: string; id: string }, fields?: Iterable<string>): Promise<ArticleRow[]> {
  const params: unknown[] = [];
  let where = filterSql(filter, params);
  if (after) where += `${where ? ' AND' : 'WHERE'} (a.published_at, a.id) < ($${params.push(after.time)}::timestamptz, $${params.push(after.id)}::uuid)`;
  const columns = columnsFor(ARTICLE_COLUMN, ['id', 'publishedAt'], fields);
  return readRows(db, `SELECT ${columns} FROM articles a ${where} ORDER BY a.published_at DESC, a.id DESC LIMIT $${params.push(limit)}`, params);
}

export function findArticle(db: DataSource, id: string): Promise<Article | null> {
  return db.getRepository(Article).findOneBy({ id });
}

/** The select list of a ticker read for the fields the caller reads (articleId always): also the loader's key. */
export function tickerColumns(fields?: Iterable<string>): string {
  return columnsFor(TICKER_COLUMN, ['articleId'], fields);
}

/** The ticker links of the given articles, most relevant first; `columns` from tickerColumns. */
export function tickerRows(db: DataSource, columns: string, articleIds: readonly string[]): Promise<ArticleTickerRow[]> {
  return readRows<ArticleTickerRow>(db, `SELECT ${columns} FROM article_tickers WHERE article_id = ANY($1::uuid[]) ORDER BY relevance DESC`, [articleIds]);
}

/** The select list of a score read for the fields the caller reads (articleId always): also the loader's key. */
export function sentimentColumns(fields?: Iterable<string>): string {
  return columnsFor(SENTIMENT_COLUMN, ['articleId'], fields);
}

/** One score per article: the accurate tier beats the fast tier beats the lexicon; then the newest. `columns` from sentimentColumns. */
export function preferredScoreRows(db: DataSource, columns: string, articleIds: readonly string[]): Promise<SentimentScoreRow[]> {
  return readRows<SentimentScoreRow>(
    db,
    `SELECT DISTINCT ON (s.article_id) ${columns} FROM sentiment_scores s
     WHERE s.article_id = ANY($1::uuid[]) ORDER BY s.article_id, ${tierRankSql('s')}, s.scored_at DESC`,
    [articleIds],
  );
}
