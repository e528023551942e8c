/**
 * The reads an event study needs: daily closes, and the events themselves (scored articles that
 * match a sentiment bin, keyword or emotion, or replayed signals that turned to a type). SQL lives here,
 * the study itself in domain/research/event-study.ts.
 */
import type { DataSource } from 'typeorm';
import { tierRankSql, tickerScoreLateralSql } from './sentiment-preference';

export interface DailyClose {
  ticker: string;
  day: string;
  close: number;
}

/** Daily closes ('1d' bars) of the tickers in [from, to], keyed by the bar's UTC day. */
export async function dailyCloses(db: DataSource, tickers: string[], from: Date, to: Date): Promise<DailyClose[]> {
  const rows = (await db.query(
    `SELECT ticker, to_char(time AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day, close::float8 AS close
     FROM price_bars WHERE ticker = ANY($1::text[]) AND interval = '1d' AND time >= $2 AND time <= $3
     ORDER BY ticker, time`,
    [tickers, from, to],
  )) as DailyClose[];
  return rows;
}

export interface ArticleEventQuery {
  tickers: string[];
  from: Date;
  to: Date;
  /** 'positive' | 'negative' | 'neutral' label of the preferred score. */
  label?: string;
  minScore?: number;
  maxScore?: number;
  /** Case-insensitive substring of the title or summary. */
  keyword?: string;
  /** An EMOTION_LABELS label: the article's latest stored emotion label (article_emotions). */
  emotion?: string;
  minRelevance: number;
}

export interface EventRow {
  ticker: string;
  time: Date;
  id: string;
}

/**
 * (article, ticker) pairs published in [from, to) that pass the filter; one preferred score per
 * pair (the per-ticker score over the article's, then the tier order of sentiment-preference.ts).
 */
export async function articleEvents(db: DataSource, q: ArticleEventQuery): Promise<EventRow[]> {
  const params: unknown[] = [q.tickers, q.from, q.to, q.minRelevance];
  const where: string[] = [];
  const needsScore = q.label !== undefined || q.minScore !== undefined || q.maxScore !== undefined;
  if (q.label !== undefined) {
    params.push(q.label);
    where.push(`coalesce(ts.label, s.label) = $${params.length}`);
  }
  if (q.minScore !== undefined) {
    params.push(q.minScore);
    where.push(`coalesce(ts.score, s.score) >= $${params.length}`);
  }
  if (q.maxScore !== undefined) {
    params.push(q.maxScore);
    where.push(`coalesce(ts.score, s.score) <= $${params.length}`);
  }
  if (q.keyword !== undefined) {
    params.push(`%${q.keyword.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    where.push(`(a.title ILIKE $${params.length} OR coalesce(a.summary, '') ILIKE $${params.length})`);
  }
  if (q.emotion !== undefined) {
    params.push(q.emotion);
    where.push(`(SELECT e.label FROM article_emotions e WHERE e.article_id = t.article_id ORDER BY e.scored_at DESC, e.id DESC LIMIT 1) = $${params.length}`);
  }
  const rows = (await db.query(
    `SELECT t.ticker, t.published_at AS time, t.article_id AS id
     FROM article_tickers t JOIN articles a ON a.id = t.article_id
     ${needsScore ? `LEFT JOIN LATERAL (
       SELECT s.score, s.label FROM sentiment_scores s WHERE s.article_id = t.article_id AND s.score IS NOT NULL
       ORDER BY ${tierRankSql('s')}, s.scored_at DESC, s.id DESC LIMIT 1) s ON true
     ${tickerScoreLateralSql('t.article_id', 't.ticker')}` : ''}
     WHERE t.ticker = ANY($1::text[]) AND t.published_at >= $2 AND t.published_at < $3 AND t.relevance >= $4
     ${needsScore ? 'AND coalesce(ts.score, s.score) IS NOT NULL' : ''}
     ${where.map((w) => `AND ${w}`).join(' ')}
     ORDER BY t.ticker, t.published_at`,
    params,
  )) as EventRow[];
  return rows.map((r) => ({ ...r, time: new Date(r.time) }));
}

/**
 * Replayed signals (signal_history) of the rules version that turned to `type` in [from, to): a
 * row of that type whose previous row in the same series had another type. A run of BUYs is one
 * event, not one per day. Per ticker the series is the one most recently written (as the
 * signalHistory query picks it).
 */
export async function signalEvents(db: DataSource, tickers: string[], from: Date, to: Date, type: string, rulesVersion: string): Promise<EventRow[]> {
  const rows = (await db.query(
    `WITH latest AS (
       SELECT DISTINCT ON (ticker) ticker, model_version FROM signal_history
       WHERE ticker = ANY($1::text[]) AND rules_version = $5 ORDER BY ticker, computed_at DESC),
     series AS (
       SELECT h.id, h.ticker, h.as_of, h.type, lag(h.type) OVER (PARTITION BY h.ticker ORDER BY h.as_of) AS previous
       FROM signal_history h JOIN latest l ON l.ticker = h.ticker AND l.model_version = h.model_version
       WHERE h.rules_version = $5 AND h.as_of < $3)
     SELECT ticker, as_of AS time, id FROM series
     WHERE type = $4 AND previous IS DISTINCT FROM type AND as_of >= $2
     ORDER BY ticker, as_of`,
    [tickers, from, to, type, rulesVersion],
  )) as EventRow[];
  return rows.map((r) => ({ ...r, time: new Date(r.time) }));
}
