/**
 * Read side of signals for the API: latest signals per ticker (keyset-paged), one signal, and
 * the articles it was computed from. Signals are written only by activities/signal.activities.ts.
 */
import { tierRankSql } from './sentiment-preference';
import type { DataSource } from 'typeorm';
import { Signal, SignalType } from '../entities';

export interface ListSignalsOptions {
  ticker?: string;
  type?: SignalType;
  /** Only signals with asOf strictly before this (keyset paging: pass the last row's asOf). */
  before?: Date;
  /** 1..200, default 50. */
  limit?: number;
}

export interface SignalArticleRow {
  id: string;
  title: string;
  url: string | null;
  publishedAt: Date;
  relevance: number | null;
  score: number | null;
  modelVersion: string | null;
}

/** Newest asOf first. */
export async function listSignals(db: DataSource, opts: ListSignalsOptions = {}): Promise<Signal[]> {
  const limit = Math.max(1, Math.min(200, Math.floor(opts.limit ?? 50)));
  const q = db.getRepository(Signal).createQueryBuilder('s').orderBy('s.as_of', 'DESC').addOrderBy('s.created_at', 'DESC').limit(limit);
  if (opts.ticker) q.andWhere('s.ticker = :ticker', { ticker: opts.ticker.trim().toUpperCase() });
  if (opts.type) q.andWhere('s.type = :type', { type: opts.type });
  if (opts.before) q.andWhere('s.as_of < :before', { before: opts.before });
  return q.getMany();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function getSignal(db: DataSource, id: string): Promise<Signal | null> {
  if (!UUID.test(id)) return null;
  return db.getRepository(Signal).findOneBy({ id });
}

/**
 * The provenance articles of a signal, newest first, each with the relevance for the signal's
 * ticker and the sentiment the signal used (the same model preference as the activity:
 * a trained model over the lexicon, then the latest scoring).
 */
export async function signalArticles(db: DataSource, signalId: string): Promise<SignalArticleRow[]> {
  if (!UUID.test(signalId)) return [];
  const rows = (await db.query(
    `SELECT a.id, a.title, a.url, a.published_at, at.relevance, sc.score, sc.model_version
     FROM signal_articles sa
     JOIN signals s ON s.id = sa.signal_id
     JOIN articles a ON a.id = sa.article_id
     LEFT JOIN article_tickers at ON at.article_id = a.id AND at.ticker = s.ticker
     LEFT JOIN LATERAL (
       SELECT score, model_version FROM sentiment_scores
       WHERE article_id = a.id AND score IS NOT NULL AND model_version = ANY(s.model_versions)
       ORDER BY ${tierRankSql('sentiment_scores')}, scored_at DESC, id DESC LIMIT 1
     ) sc ON true
     WHERE sa.signal_id = $1
     ORDER BY a.published_at DESC, a.id`,
    [signalId],
  )) as Array<{ id: string; title: string; url: string | null; published_at: Date; relevance: number | null; score: number | null; model_version: string | null }>;
  return rows.map((r) => ({
    id: r.id,
    title: r.title,
    url: r.url,
    publishedAt: new Date(r.published_at),
    relevance: r.relevance,
    score: r.score,
    modelVersion: r.model_version,
  }));
}
