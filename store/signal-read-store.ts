/**
 * Signals as read by the API (services/signal.service.ts): cursor pages with a select list per
 * GraphQL selection, provenance articles with the sentiment each signal used, and per-ticker
 * sentiment buckets. Raw rows through db/read-rows.ts on the hot paths.
 */
import type { DataSource } from 'typeorm';
import { columnsFor, readRows } from '../db/read-rows';
import { Signal, type SignalType } from '../entities';
import { tickerScoreLateralSql, tierRankSql } from './sentiment-preference';

export interface SignalFilter {
  tickers?: string[];
  from?: Date;
  to?: Date;
  type?: SignalType;
  minConfidence?: number;
  /** Only signals that existed at this time (as_of <= asOf): what a trader saw then. */
  asOf?: Date;
}

/** A provenance article with the relevance for the signal's ticker and the score the signal used. */
export interface SignalArticleRow {
  id: string;
  title: string;
  url: string | null;
  publishedAt: Date;
  relevance: number | null;
  score: number | null;
  modelVersion: string | null;
}

/** Each field of a signal row as a column of `signals s`, aliased to the entity's name. */
const SIGNAL_COLUMN: Readonly<Record<SignalRowField, string>> = {
  id: 's.id',
  ticker: 's.ticker',
  asOf: 's.as_of AS "asOf"',
  type: 's.type',
  confidence: 's.confidence',
  riskLevel: 's.risk_level AS "riskLevel"',
  suggestedPositionSize: 's.suggested_position_size AS "suggestedPositionSize"',
  features: 's.features',
  modelVersions: 's.model_versions AS "modelVersions"',
  params: 's.params',
  createdAt: 's.created_at AS "createdAt"',
};
type SignalRowField = 'id' | 'ticker' | 'asOf' | 'type' | 'confidence' | 'riskLevel' | 'suggestedPositionSize' | 'features' | 'modelVersions' | 'params' | 'createdAt';
/** The provenance article fields that need no per-signal lookup, as columns of `articles a`. */
const PROVENANCE_ARTICLE_COLUMN: Readonly<Record<'id' | 'title' | 'url' | 'publishedAt', string>> = {
  id: 'a.id',
  title: 'a.title',
  url: 'a.url',
  publishedAt: 'a.published_at',
};
export type ProvenanceRow = { signal_id: string; id: string; title: string; url: string | null; published_at: Date; relevance: number | null; score: number | null; model_version: string | null };

/** The filter as SQL over `signals s`. */
function filterSql(filter: SignalFilter, params: unknown[]): string {
  const where: string[] = [];
  const param = (value: unknown) => `$${params.push(value)}`;
  if (filter.tickers?.length) where.push(`s.ticker = ANY(${param(filter.tickers.map((t) => t.trim().toUpperCase()))}::text[])`);
  if (filter.from) where.push(`s.as_of >= ${param(filter.from)}`);
  if (filter.to) where.push(`s.as_of < ${param(filter.to)}`);
  if (filter.asOf) {
    const asOf = param(filter.asOf);
    where.push(`s.as_of <= ${asOf} AND s.created_at <= ${asOf}`);
  }
  if (filter.type) where.push(`s.type = ${param(filter.type)}`);
  if (filter.minConfidence !== undefined) where.push(`s.confidence >= ${param(filter.minConfidence)}`);
  return where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
}

/**
 * The filter's signals, newest as-of first, after the cursor position; raw rows, no entity
 * hydration (the hot read path). `fields`: the row fields the caller reads (id and asOf, the
 * cursor, always); all without.
 */
export function selectSignals(db: DataSource, filter: SignalFilter, limit: number, after?: { time: string; id: string }, fields?: Iterable<string>): Promise<Signal[]> {
  const params: unknown[] = [];
  let where = filterSql(filter, params);
  if (after) where += `${where ? ' AND' : 'WHERE'} (s.as_of, s.id) < ($${params.push(after.time)}::timestamptz, $${params.push(after.id)}::uuid)`;
  const columns = columnsFor(SIGNAL_COLUMN, ['id', 'asOf'], fields);
  return readRows(db, `SELECT ${columns} FROM signals s ${where} ORDER BY s.as_of DESC, s.id DESC LIMIT $${params.push(limit)}`, params);
}

export function findSignal(db: DataSource, id: string): Promise<Signal | null> {
  return db.getRepository(Signal).findOneBy({ id });
}

/** The select-list key of a provenance read without sentiment (id always; all four fields without `fields`). */
export function provenanceColumns(fields?: Iterable<string>): string {
  return columnsFor(PROVENANCE_ARTICLE_COLUMN, ['id'], fields);
}

/** The articles each signal was computed from, newest first, with the relevance for its ticker and the score it used. */
export async function provenanceRows(db: DataSource, signalIds: readonly string[]): Promise<ProvenanceRow[]> {
  const rows = await readRows<ProvenanceRow>(
    db,
    `SELECT sa.signal_id, a.id, a.title, a.url, a.published_at, at.relevance, sc.score, sc.model_version
     FROM signal_articles sa
     JOIN signals s ON s.id = sa.signal_id
     JOIN articles a ON a.id = sa.article_id
     LEFT JOIN article_tickers at ON at.article_id = a.id AND at.ticker = s.ticker
     LEFT JOIN LATERAL (
       SELECT score, model_version FROM sentiment_scores
       WHERE article_id = a.id AND score IS NOT NULL AND model_version = ANY(s.model_versions)
       ORDER BY ${tierRankSql('sentiment_scores')}, scored_at DESC, id DESC LIMIT 1
     ) sc ON true
     WHERE sa.signal_id = ANY($1::uuid[])
     ORDER BY a.published_at DESC, a.id`,
    [signalIds],
  );
  return rows;
}

/** The same articles in the same order, only the article columns `fields` names (id always). */
export async function provenanceRowsWithoutSentiment(db: DataSource, signalIds: readonly string[], fields?: Iterable<string>): Promise<ProvenanceRow[]> {
  const rows = await readRows<ProvenanceRow>(
    db,
    `SELECT sa.signal_id, ${provenanceColumns(fields)}
     FROM signal_articles sa
     JOIN articles a ON a.id = sa.article_id
     WHERE sa.signal_id = ANY($1::uuid[])
     ORDER BY a.published_at DESC, a.id`,
    [signalIds],
  );
  return rows;
}

/** Per `unit` (hour, day, week; UTC) bucket: count, mean score and label shares of one ticker's articles in [from, to). */
export async function sentimentBuckets(db: DataSource, ticker: string, from: Date, to: Date, unit: 'hour' | 'day' | 'week'): Promise<Array<{ bucket: Date; n: number; mean: number | null; pos: number; neu: number; neg: number }>> {
  // One score per article: the per-ticker score when the accurate tier gave one, else the
  // preferred article score (accurate > fast > lexicon, newest first). One story (its copies
  // across feeds) counts once: its earliest scored article in the range, in that article's bucket.
  const rows = await readRows<{ bucket: Date; n: number; mean: number | null; pos: number; neu: number; neg: number }>(
    db,
    `WITH preferred AS (
       SELECT DISTINCT ON (t.article_id) t.article_id, t.ticker, t.published_at, COALESCE(a.story_id, a.id) AS story, s.score, s.label
       FROM article_tickers t JOIN articles a ON a.id = t.article_id JOIN sentiment_scores s ON s.article_id = t.article_id
       WHERE t.ticker = $1 AND t.published_at >= $2 AND t.published_at < $3
       ORDER BY t.article_id, ${tierRankSql('s')}, s.scored_at DESC),
     scored AS (
       SELECT DISTINCT ON (p.story) p.published_at, COALESCE(ts.score, p.score) AS score, COALESCE(ts.label, p.label) AS label
       FROM preferred p ${tickerScoreLateralSql('p.article_id', 'p.ticker')}
       ORDER BY p.story, p.published_at, p.article_id)
     SELECT date_trunc('${unit}', published_at, 'UTC') AS bucket, count(*)::int AS n, avg(score)::float8 AS mean,
            avg((label = 'positive')::int)::float8 AS pos, avg((label = 'neutral')::int)::float8 AS neu, avg((label = 'negative')::int)::float8 AS neg
     FROM scored GROUP BY 1 ORDER BY 1`,
    [ticker.trim().toUpperCase(), from, to],
  );
  return rows;
}
