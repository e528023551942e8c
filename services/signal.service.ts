/**
 * Reading signals: cursor pages (newest as-of first, point-in-time `asOf` filter), a per-ticker
 * sentiment time series, CSV exports, and a short shared cache so one published signal is read
 * from the database once per API process however many subscribers receive it.
 */
import type { DataSource } from 'typeorm';
import { ServiceError } from './errors';
import { SettledLoader } from './settled-loader';
import type { Signal } from '../entities';
import {
  findSignal, provenanceColumns, provenanceRows, provenanceRowsWithoutSentiment, selectSignals, sentimentBuckets, type ProvenanceRow, type SignalArticleRow, type SignalFilter,
} from '../store/signal-read-store';

export type { SignalArticleRow, SignalFilter } from '../store/signal-read-store';
import { csvLimit, toCsv } from './csv';
import { decodeCursor, encodeCursor } from './cursor';

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

export class SignalService {
  private readonly shared = new Map<string, { at: number; value: Promise<Signal | null> }>();

  constructor(private readonly db: DataSource) {}

  /**
   * A page of the filter's signals. `fields` names the row fields the caller will read (a
   * GraphQL selection): only those columns are fetched (no `features` JSON when no one reads
   * it), and the rows hold nothing else. Without it, whole rows.
   */
  async page(filter: SignalFilter, first: number, after?: string | null, fields?: Iterable<string>) {
    if (!Number.isInteger(first) || first < 1 || first > MAX_SIGNAL_PAGE) throw new ServiceError('BAD_USER_INPUT', `first must be 1 to ${MAX_SIGNAL_PAGE}`, { field: 'first' });
    const rows = await selectSignals(this.db, filter, first + 1, after ? decodeCursor(after) : undefined, fields);
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
    const value = findSignal(this.db, id);
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
    const rows = await provenanceRows(this.db, signalIds);
    return this.provenanceBySignal(signalIds, rows);
  }

  /**
   * The same provenance, same articles in the same order, without the relevance and sentiment
   * (null here): for a page that asks only for the articles themselves, the per-article score
   * lookup is most of the query's cost. `fields`: which of id, title, url, publishedAt the caller
   * reads (id always); only those columns are fetched. All four without.
   */
  async articlesOfWithoutSentiment(signalIds: readonly string[], fields?: Iterable<string>): Promise<Map<string, SignalArticleRow[]>> {
    const rows = await provenanceRowsWithoutSentiment(this.db, signalIds, fields);
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
        const columns = provenanceColumns(fields);
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
    const unit = ({ HOUR: 'hour', DAY: 'day', WEEK: 'week' } as const)[interval];
    const maxBuckets = { HOUR: 24 * 366, DAY: 3660, WEEK: 1000 }[interval];
    const span = (to.getTime() - from.getTime()) / ({ HOUR: 3.6e6, DAY: 8.64e7, WEEK: 6.048e8 }[interval]);
    if (span > maxBuckets) throw new ServiceError('BAD_USER_INPUT', `at most ${maxBuckets} ${unit}s per request`, { field: 'to' });
    const rows = await sentimentBuckets(this.db, ticker.trim().toUpperCase(), from, to, unit);
    return rows.map((r) => ({ bucketStart: r.bucket, count: r.n, meanScore: r.mean, positiveShare: r.pos ?? 0, neutralShare: r.neu ?? 0, negativeShare: r.neg ?? 0 }));
  }

  async signalsCsv(filter: SignalFilter, limit: number): Promise<string> {
    const rows = await selectSignals(this.db, filter, csvLimit(limit));
    return toCsv(
      ['id', 'ticker', 'as_of', 'type', 'confidence', 'risk_level', 'suggested_position_size', 'model_versions', 'created_at'],
      rows.map((s) => [s.id, s.ticker, s.asOf, s.type, s.confidence, s.riskLevel, s.suggestedPositionSize, s.modelVersions.join(' '), s.createdAt]),
    );
  }
}
