/**
 * Reading signals: cursor pages (newest as-of first, point-in-time `asOf` filter), a per-ticker
 * sentiment time series, CSV exports, and a short shared cache so one published signal is read
 * from the database once per API process however many subscribers receive it.
 */
import { tickerScoreLateralSql, tierRankSql } from './sentiment-preference';
import type { DataSource } from 'typeorm';
import { apiError } from '../api/errors';
import { Signal, type SignalType } from '../entities';
import { decodeCursor, encodeCursor } from './cursor';
import { signalArticles, type SignalArticleRow } from './signal-queries';

export interface SignalFilter {
  tickers?: string[];
  from?: Date;
  to?: Date;
  type?: SignalType;
  minConfidence?: number;
  /** Only signals that existed at this time (as_of <= asOf): what a trader saw then. */
  asOf?: Date;
}

export type SentimentInterval = 'HOUR' | 'DAY' | 'WEEK';

export interface SentimentBucket {
  bucketStart: Date;
  count: number;
  meanScore: number | null;
  positiveShare: number;
  neutralShare: number;
  negativeShare: number;
}

export const MAX_SIGNAL_PAGE = 200;
export const MAX_CSV_ROWS = 10_000;

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value);
  // Quote when needed; a leading =,+,-,@ is neutralised so spreadsheets never run it as a formula.
  const safe = /^[=+\-@]/.test(text) && Number.isNaN(Number(text)) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function toCsv(header: string[], rows: unknown[][]): string {
  return [header.join(','), ...rows.map((r) => r.map(csvCell).join(','))].join('\n') + '\n';
}

export class SignalService {
  private readonly shared = new Map<string, { at: number; value: Promise<Signal | null> }>();

  constructor(private readonly db: DataSource) {}

  private query(filter: SignalFilter) {
    const qb = this.db.getRepository(Signal).createQueryBuilder('s');
    if (filter.tickers?.length) qb.andWhere('s.ticker = ANY(:tickers)', { tickers: filter.tickers.map((t) => t.trim().toUpperCase()) });
    if (filter.from) qb.andWhere('s.as_of >= :from', { from: filter.from });
    if (filter.to) qb.andWhere('s.as_of < :to', { to: filter.to });
    if (filter.asOf) qb.andWhere('s.as_of <= :asOf AND s.created_at <= :asOf', { asOf: filter.asOf });
    if (filter.type) qb.andWhere('s.type = :type', { type: filter.type });
    if (filter.minConfidence !== undefined) qb.andWhere('s.confidence >= :minConfidence', { minConfidence: filter.minConfidence });
    return qb.orderBy('s.as_of', 'DESC').addOrderBy('s.id', 'DESC');
  }

  async page(filter: SignalFilter, first: number, after?: string | null) {
    if (!Number.isInteger(first) || first < 1 || first > MAX_SIGNAL_PAGE) throw apiError('BAD_USER_INPUT', `first must be 1 to ${MAX_SIGNAL_PAGE}`, { field: 'first' });
    const qb = this.query(filter);
    if (after) {
      const c = decodeCursor(after);
      qb.andWhere('(s.as_of, s.id) < (:cAsOf, :cId)', { cAsOf: c.time, cId: c.id });
    }
    const rows = await qb.limit(first + 1).getMany();
    const signals = rows.slice(0, first);
    const cursors = signals.map((s) => encodeCursor(s.asOf, s.id));
    return { signals, cursors, hasNextPage: rows.length > first, endCursor: cursors.at(-1) ?? null };
  }

  /** One read per signal per process for a burst of subscribers (kept 30 s). */
  loadShared(id: string): Promise<Signal | null> {
    const now = Date.now();
    const hit = this.shared.get(id);
    if (hit && now - hit.at < 30_000) return hit.value;
    if (this.shared.size > 1000) for (const [k, v] of this.shared) if (now - v.at >= 30_000) this.shared.delete(k);
    const value = this.db.getRepository(Signal).findOneBy({ id });
    this.shared.set(id, { at: now, value });
    return value;
  }

  /** Provenance: the articles the signal was computed from, with the scores it used. */
  articles(signalId: string): Promise<SignalArticleRow[]> {
    return signalArticles(this.db, signalId);
  }

  async tickerSentiment(ticker: string, from: Date, to: Date, interval: SentimentInterval): Promise<SentimentBucket[]> {
    if (!(from < to)) throw apiError('BAD_USER_INPUT', 'from must be before to', { field: 'from' });
    const unit = { HOUR: 'hour', DAY: 'day', WEEK: 'week' }[interval];
    const maxBuckets = { HOUR: 24 * 366, DAY: 3660, WEEK: 1000 }[interval];
    const span = (to.getTime() - from.getTime()) / ({ HOUR: 3.6e6, DAY: 8.64e7, WEEK: 6.048e8 }[interval]);
    if (span > maxBuckets) throw apiError('BAD_USER_INPUT', `at most ${maxBuckets} ${unit}s per request`, { field: 'to' });
    // One score per article: the per-ticker score when the accurate tier gave one, else the
    // preferred article score (accurate > fast > lexicon, newest first).
    const rows: Array<{ bucket: Date; n: number; mean: number | null; pos: number; neu: number; neg: number }> = await this.db.query(
      `WITH preferred AS (
         SELECT DISTINCT ON (t.article_id) t.article_id, t.ticker, t.published_at, s.score, s.label
         FROM article_tickers t JOIN sentiment_scores s ON s.article_id = t.article_id
         WHERE t.ticker = $1 AND t.published_at >= $2 AND t.published_at < $3
         ORDER BY t.article_id, ${tierRankSql('s')}, s.scored_at DESC),
       scored AS (
         SELECT p.published_at, COALESCE(ts.score, p.score) AS score, COALESCE(ts.label, p.label) AS label
         FROM preferred p ${tickerScoreLateralSql('p.article_id', 'p.ticker')})
       SELECT date_trunc('${unit}', published_at, 'UTC') AS bucket, count(*)::int AS n, avg(score)::float8 AS mean,
              avg((label = 'positive')::int)::float8 AS pos, avg((label = 'neutral')::int)::float8 AS neu, avg((label = 'negative')::int)::float8 AS neg
       FROM scored GROUP BY 1 ORDER BY 1`,
      [ticker.trim().toUpperCase(), from, to],
    );
    return rows.map((r) => ({ bucketStart: r.bucket, count: r.n, meanScore: r.mean, positiveShare: r.pos ?? 0, neutralShare: r.neu ?? 0, negativeShare: r.neg ?? 0 }));
  }

  async signalsCsv(filter: SignalFilter, limit: number): Promise<string> {
    const rows = await this.query(filter).limit(Math.min(Math.max(1, limit), MAX_CSV_ROWS)).getMany();
    return toCsv(
      ['id', 'ticker', 'as_of', 'type', 'confidence', 'risk_level', 'suggested_position_size', 'model_versions', 'created_at'],
      rows.map((s) => [s.id, s.ticker, s.asOf, s.type, s.confidence, s.riskLevel, s.suggestedPositionSize, s.modelVersions.join(' '), s.createdAt]),
    );
  }
}
