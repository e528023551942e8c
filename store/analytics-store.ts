/** The reads behind cross-ticker analytics (services/analytics.service.ts): daily closes, daily sentiment, sectors. */
import type { DataSource } from 'typeorm';
import { tierRankSql } from './sentiment-preference';

/** Daily closes of the tickers in [from, to], by ticker then time. */
export async function dailyCloses(db: DataSource, tickers: string[], from: Date, to: Date): Promise<Array<{ ticker: string; time: Date; close: number }>> {
  const rows = (await db.query(
    `SELECT ticker, time, close FROM price_bars WHERE ticker = ANY($1::text[]) AND interval = '1d' AND time >= $2 AND time <= $3 ORDER BY ticker, time`,
    [tickers, from, to],
  )) as Array<{ ticker: string; time: Date; close: number }>;
  return rows;
}

/**
 * Per ticker and UTC day in [from, to): the relevance-weighted mean sentiment, one score per
 * article (the preferred tier, then the newest).
 */
export async function dailySentimentMeans(db: DataSource, tickers: string[], from: Date, to: Date): Promise<Array<{ ticker: string; day: string; mean: number | null }>> {
  const rows = (await db.query(
    `WITH scored AS (
       SELECT DISTINCT ON (t.ticker, t.article_id) t.ticker, t.published_at, t.relevance, s.score
       FROM article_tickers t JOIN sentiment_scores s ON s.article_id = t.article_id AND s.score IS NOT NULL
       WHERE t.ticker = ANY($1::text[]) AND t.published_at >= $2 AND t.published_at < $3
       ORDER BY t.ticker, t.article_id, ${tierRankSql('s')}, s.scored_at DESC, s.id DESC)
     SELECT ticker, to_char(date_trunc('day', published_at, 'UTC'), 'YYYY-MM-DD') AS day,
            (sum(relevance * score) / NULLIF(sum(relevance), 0))::float8 AS mean
     FROM scored GROUP BY 1, 2`,
    [tickers, from, to],
  )) as Array<{ ticker: string; day: string; mean: number | null }>;
  return rows;
}

/** Admin instruments that name a sector. */
export async function instrumentSectors(db: DataSource): Promise<Array<{ symbol: string; sector: string }>> {
  const rows = (await db.query(`SELECT symbol, sector FROM instruments WHERE sector IS NOT NULL`)) as Array<{ symbol: string; sector: string }>;
  return rows;
}

/** Per sector (ticker -> sector map): articles, tickers, weighted mean score and label shares in [from, to). */
export async function sectorSentimentRows(
  db: DataSource,
  sectors: Map<string, string>,
  from: Date,
  to: Date,
  minRelevance: number,
): Promise<Array<{ sector: string; articles: number; tickers: number; mean: number | null; pos: number | null; neg: number | null }>> {
  const rows = (await db.query(
    `WITH sectors AS (SELECT * FROM unnest($1::text[], $2::text[]) AS x(ticker, sector)),
     scored AS (
       SELECT DISTINCT ON (t.ticker, t.article_id) t.ticker, t.article_id, t.relevance, s.score, s.label
       FROM article_tickers t JOIN sentiment_scores s ON s.article_id = t.article_id AND s.score IS NOT NULL
       WHERE t.published_at >= $3 AND t.published_at < $4 AND t.relevance >= $5
       ORDER BY t.ticker, t.article_id, ${tierRankSql('s')}, s.scored_at DESC, s.id DESC)
     SELECT x.sector, count(DISTINCT sc.article_id)::int AS articles, count(DISTINCT sc.ticker)::int AS tickers,
            (sum(sc.relevance * sc.score) / NULLIF(sum(sc.relevance), 0))::float8 AS mean,
            avg((sc.label = 'positive')::int)::float8 AS pos, avg((sc.label = 'negative')::int)::float8 AS neg
     FROM scored sc JOIN sectors x ON x.ticker = sc.ticker
     GROUP BY x.sector ORDER BY x.sector`,
    [[...sectors.keys()], [...sectors.values()], from, to, minRelevance],
  )) as Array<{ sector: string; articles: number; tickers: number; mean: number | null; pos: number | null; neg: number | null }>;
  return rows;
}
