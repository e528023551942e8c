/**
 * Reading signals: cursor pages (newest as-of first, point-in-time `asOf` filter), a per-ticker
 * sentiment time series, CSV exports, and a short shared cache so one published signal is read
 * from the database once per API process however many subscribers receive it.
 */
import { tickerScoreLateralSql, tierRankSql } from './sentiment-preference';
import type { DataSource } from 'typeorm';
import { columnsFor, readRows } from '../db/read-rows';
import { ServiceError } from './errors';
import { SettledLoader } from './settled-loader';
import { Signal, type SignalType } from '../entities';
import { csvLimit, toCsv } from './csv';
import { decodeCursor, encodeCursor } from './cursor';

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
  /** Why that score has its label: the phrases that pushed it there (null when not explained). */
  explanation: Array<{ text: string; weight: number }> | null;
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
type ProvenanceRow = {
  signal_id: string;
  id: string;
  title: string;
  url: string | null;
  published_at: Date;
  relevance: number | null;
  score: number | null;
  model_version: string | null;
  explanation?: Array<{ text: string; weight: number }> | null;
};

export class SignalService {
  private readonly shared = new Map<string, { at: number; value: Promise<Signal | null> }>();

  constructor(private readonly db: DataSource) {}

  /** The filter as SQL over `signals s`; raw rows, no entity hydration (the hot read path). */
  private filterSql(filter: SignalFilter, params: unknown[]): string {
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

  /** `fields`: the row fields the caller reads (id and asOf, the cursor, always); all without. */
  private select(filter: SignalFilter, limit: number, after?: { time: string; id: string }, fields?: Iterable<string>): Promise<Signal[]> {
    const params: unknown[] = [];
    let where = this.filterSql(filter, params);
    if (after) where += `${where ? ' AND' : 'WHERE'} (s.as_of, s.id) < ($${params.push(after.time)}::timestamptz, $${params.push(after.id)}::uuid)`;
    const columns = columnsFor(SIGNAL_COLUMN, ['id', 'asOf'], fields);
    return readRows(this.db, `SELECT ${columns} FROM signals s ${where} ORDER BY s.as_of DESC, s.id DESC LIMIT $${params.push(limit)}`, params);
  }

  /**
   * A page of the filter's signals. `fields` names the row fields the caller will read (a
   * GraphQL selection): only those columns are fetched (no `features` JSON when no one reads
   * it), and the rows hold nothing else. Without it, whole rows.
   */
  async page(filter: SignalFilter, first: number, after?: string | null, fields?: Iterable<string>) {
    if (!Number.isInteger(first) || first < 1 || first > MAX_SIGNAL_PAGE) throw new ServiceError('BAD_USER_INPUT', `first must be 1 to ${MAX_SIGNAL_PAGE}`, { field: 'first' });
    const rows = await this.select(filter, first + 1, after ? decodeCursor(after) : undefined, fields);
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

  /**
   * Provenance of several signals in one query: the articles each was computed from, newest
   * first, with the relevance for the signal's ticker and the sentiment the signal used (the
   * same preference as the activity: a trained model over the lexicon, then the latest scoring,
   * among the model versions the signal records).
   */
  async articlesOf(signalIds: readonly string[]): Promise<Map<string, SignalArticleRow[]>> {
    const rows = await readRows<ProvenanceRow>(
      this.db,
      `SELECT sa.signal_id, a.id, a.title, a.url, a.published_at, at.relevance, sc.score, sc.model_version, sc.explanation
       FROM signal_articles sa
       JOIN signals s ON s.id = sa.signal_id
       JOIN articles a ON a.id = sa.article_id
       LEFT JOIN article_tickers at ON at.article_id = a.id AND at.ticker = s.ticker
       LEFT JOIN LATERAL (
         SELECT score, model_version, explanation FROM sentiment_scores
         WHERE article_id = a.id AND score IS NOT NULL AND model_version = ANY(s.model_versions)
         ORDER BY ${tierRankSql('sentiment_scores')}, scored_at DESC, id DESC LIMIT 1
       ) sc ON true
       WHERE sa.signal_id = ANY($1::uuid[])
       ORDER BY a.published_at DESC, a.id`,
      [signalIds],
    );
    return this.provenanceBySignal(signalIds, rows);
  }

  /**
   * The same provenance, same articles in the same order, without the relevance and sentiment
   * (null here): for a page that asks only for the articles themselves, the per-article score
   * lookup is most of the query's cost. `fields`: which of id, title, url, publishedAt the caller
   * reads (id always); only those columns are fetched. All four without.
   */
  async articlesOfWithoutSentiment(signalIds: readonly string[], fields?: Iterable<string>): Promise<Map<string, SignalArticleRow[]>> {
    const rows = await readRows<ProvenanceRow>(
      this.db,
      `SELECT sa.signal_id, ${columnsFor(PROVENANCE_ARTICLE_COLUMN, ['id'], fields)}
       FROM signal_articles sa
       JOIN articles a ON a.id = sa.article_id
       WHERE sa.signal_id = ANY($1::uuid[])
       ORDER BY a.published_at DESC, a.id`,
      [signalIds],
    );
    return this.provenanceBySignal(signalIds, rows);
  }

  private provenanceBySignal(signalIds: readonly string[], rows: ProvenanceRow[]): Map<string, SignalArticleRow[]> {
    const bySignal = new Map<string, SignalArticleRow[]>(signalIds.map((id) => [id, []]));
    for (const r of rows) {
      // Columns not read (a narrow selection) stay undefined; the sentiment ones are null then.
      bySignal.get(r.signal_id)?.push({
        id: r.id,
        title: r.title,
        url: r.url,
        publishedAt: r.published_at,
        relevance: r.relevance ?? null,
        score: r.score ?? null,
        modelVersion: r.model_version ?? null,
        explanation: r.explanation ?? null,
      });
    }
    return bySignal;
  }

  /**
   * Per-request loaders: a page of signals asks for its provenance in one query, not one per
   * signal. `articlesWithoutSentiment` takes the article fields the caller reads (one loader per
   * distinct set of columns); only those are filled in.
   */
  loaders() {
    const withoutSentiment = new Map<string, SettledLoader<string, SignalArticleRow[]>>();
    return {
      articles: new SettledLoader<string, SignalArticleRow[]>(async (ids) => {
        const bySignal = await this.articlesOf(ids);
        return ids.map((id) => bySignal.get(id) ?? []);
      }),
      articlesWithoutSentiment: (fields?: Iterable<string>) => {
        const columns = columnsFor(PROVENANCE_ARTICLE_COLUMN, ['id'], fields);
        let loader = withoutSentiment.get(columns);
        if (!loader) {
          loader = new SettledLoader<string, SignalArticleRow[]>(async (ids) => {
            const bySignal = await this.articlesOfWithoutSentiment(ids, fields);
            return ids.map((id) => bySignal.get(id) ?? []);
          });
          withoutSentiment.set(columns, loader);
        }
        return loader;
      },
    };
  }

  async tickerSentiment(ticker: string, from: Date, to: Date, interval: SentimentInterval): Promise<SentimentBucket[]> {
    if (!(from < to)) throw new ServiceError('BAD_USER_INPUT', 'from must be before to', { field: 'from' });
    const unit = { HOUR: 'hour', DAY: 'day', WEEK: 'week' }[interval];
    const maxBuckets = { HOUR: 24 * 366, DAY: 3660, WEEK: 1000 }[interval];
    const span = (to.getTime() - from.getTime()) / ({ HOUR: 3.6e6, DAY: 8.64e7, WEEK: 6.048e8 }[interval]);
    if (span > maxBuckets) throw new ServiceError('BAD_USER_INPUT', `at most ${maxBuckets} ${unit}s per request`, { field: 'to' });
    // One score per article: the per-ticker score when the accurate tier gave one, else the
    // preferred article score (accurate > fast > lexicon, newest first).
    const rows = await readRows<{ bucket: Date; n: number; mean: number | null; pos: number; neu: number; neg: number }>(
      this.db,
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
    const rows = await this.select(filter, csvLimit(limit));
    return toCsv(
      ['id', 'ticker', 'as_of', 'type', 'confidence', 'risk_level', 'suggested_position_size', 'model_versions', 'created_at'],
      rows.map((s) => [s.id, s.ticker, s.asOf, s.type, s.confidence, s.riskLevel, s.suggestedPositionSize, s.modelVersions.join(' '), s.createdAt]),
    );
  }
}
