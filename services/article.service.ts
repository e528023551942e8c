/**
 * Reading articles (filters + cursor pagination, newest first; tickers and sentiment batched
 * through DataLoaders so a page costs three queries, not one per article) and the push path
 * (`importArticles`): the same normalisation, dedupe and ticker extraction as feeds.
 */
import { tierRankSql } from './sentiment-preference';
import type { Client } from '@temporalio/client';
import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { apiError } from '../api/errors';
import { dedupeArticles, normaliseItem, type NormalisedArticle } from '../domain/feeds';
import { Article, ArticleTicker, SentimentScore } from '../entities';
import { insertArticles } from '../db/article-store';
import { MAX_CSV_ROWS, toCsv } from './signal.service';
import { decodeCursor, encodeCursor } from './cursor';
import { sharedTickerExtractor } from './ticker-extraction';

export interface ArticleFilter {
  tickers?: string[];
  from?: Date;
  to?: Date;
  feedId?: string;
  search?: string;
}

export interface ArticlePage {
  articles: Article[];
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
  ) {}

  private query(filter: ArticleFilter) {
    const qb = this.db.getRepository(Article).createQueryBuilder('a');
    if (filter.tickers?.length) {
      qb.andWhere('EXISTS (SELECT 1 FROM article_tickers t WHERE t.article_id = a.id AND t.ticker = ANY(:tickers))', {
        tickers: filter.tickers.map((t) => t.trim().toUpperCase()),
      });
    }
    if (filter.from) qb.andWhere('a.published_at >= :from', { from: filter.from });
    if (filter.to) qb.andWhere('a.published_at < :to', { to: filter.to });
    if (filter.feedId) qb.andWhere('a.feed_id = :feedId', { feedId: filter.feedId });
    if (filter.search?.trim()) {
      const pattern = `%${filter.search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      qb.andWhere('(a.title ILIKE :pattern OR a.summary ILIKE :pattern)', { pattern });
    }
    return qb.orderBy('a.published_at', 'DESC').addOrderBy('a.id', 'DESC');
  }

  async page(filter: ArticleFilter, first: number, after?: string | null): Promise<ArticlePage> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) throw apiError('BAD_USER_INPUT', `first must be 1 to ${MAX_PAGE}`, { field: 'first' });
    const qb = this.query(filter);
    if (after) {
      const c = decodeCursor(after);
      qb.andWhere('(a.published_at, a.id) < (:cPub, :cId)', { cPub: c.time, cId: c.id });
    }
    const rows = await qb.limit(first + 1).getMany();
    const articles = rows.slice(0, first);
    const cursors = articles.map((a) => encodeCursor(a.publishedAt, a.id));
    return { articles, hasNextPage: rows.length > first, endCursor: cursors.at(-1) ?? null, cursors };
  }

  /** The filter's articles as CSV (newest first), with tickers and the preferred sentiment score. */
  async articlesCsv(filter: ArticleFilter, limit: number): Promise<string> {
    const articles = await this.query(filter).limit(Math.min(Math.max(1, limit), MAX_CSV_ROWS)).getMany();
    const l = this.loaders();
    const [tickers, scores] = await Promise.all([l.tickers.loadMany(articles.map((a) => a.id)), l.sentiment.loadMany(articles.map((a) => a.id))]);
    return toCsv(
      ['id', 'published_at', 'title', 'url', 'tickers', 'sentiment_label', 'sentiment_score', 'model_version'],
      articles.map((a, i) => {
        const t = tickers[i] instanceof Error ? [] : (tickers[i] as ArticleTicker[]);
        const s = scores[i] instanceof Error ? null : (scores[i] as SentimentScore | null);
        return [a.id, a.publishedAt, a.title, a.url, t.map((x) => `${x.ticker}:${x.relevance.toFixed(3)}`).join(' '), s?.label, s?.score, s?.modelVersion];
      }),
    );
  }

  find(id: string): Promise<Article | null> {
    return this.db.getRepository(Article).findOneBy({ id });
  }

  /** Per-request loaders (DataLoader caches per instance, so never share one across requests). */
  loaders() {
    return {
      tickers: new DataLoader<string, ArticleTicker[]>(async (ids) => {
        const rows = await this.db
          .getRepository(ArticleTicker)
          .createQueryBuilder('t')
          .where('t.article_id = ANY(:ids)', { ids: [...ids] })
          .orderBy('t.relevance', 'DESC')
          .getMany();
        return ids.map((id) => rows.filter((r) => r.articleId === id));
      }),
      // The accurate tier beats the fast tier beats the lexicon; then the newest score.
      sentiment: new DataLoader<string, SentimentScore | null>(async (ids) => {
        const rows = await this.db
          .getRepository(SentimentScore)
          .createQueryBuilder('s')
          .distinctOn(['s.article_id'])
          .where('s.article_id = ANY(:ids)', { ids: [...ids] })
          .orderBy('s.article_id')
          .addOrderBy(tierRankSql('s'), 'ASC')
          .addOrderBy('s.scored_at', 'DESC')
          .getMany();
        const byId = new Map(rows.map((r) => [r.articleId, r]));
        return ids.map((id) => byId.get(id) ?? null);
      }),
    };
  }

  /** Good items are stored even when others are rejected; every rejection names its index. */
  async import(items: ImportItem[]): Promise<ImportReport> {
    if (items.length === 0 || items.length > MAX_IMPORT) throw apiError('BAD_USER_INPUT', `send 1 to ${MAX_IMPORT} items`, { field: 'items' });
    const fetchedAt = new Date();
    const errors: ImportReport['errors'] = [];
    const accepted: Array<{ index: number; article: NormalisedArticle }> = [];
    items.forEach((item, index) => {
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
          author: null,
          categories: [],
          base: null,
        },
        { fetchedAt },
      );
      if ('reason' in result) errors.push({ index, reason: result.reason });
      else accepted.push({ index, article: result });
    });
    const { unique, duplicates } = dedupeArticles(accepted.map((a) => a.article));
    const withTickers = unique.map((article) => ({
      article,
      tickers: sharedTickerExtractor().extract({ title: article.title, summary: article.summary, url: article.url ?? undefined, guid: article.guid ?? undefined }),
    }));
    const stored = await this.db.transaction((tx) => insertArticles(tx, 'import', null, withTickers));
    const insertedIds = stored.map((s) => s.id);
    if (insertedIds.length > 0) {
      await this.temporal.workflow.start('scoreArticlesWorkflow', {
        taskQueue: this.taskQueue,
        workflowId: `score-import-${insertedIds[0]}`,
        args: [{ articleIds: insertedIds, accurate: true }],
      });
    }
    return { insertedIds, duplicates: duplicates.length + (unique.length - stored.length), errors };
  }
}
