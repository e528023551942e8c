/**
 * Cross-ticker analytics: correlation matrices of daily returns or daily sentiment, and
 * sentiment by GICS sector (the S&P 500 list's sector, or the sector an admin gave an instrument).
 */
import type { DataSource } from 'typeorm';
import { ServiceError } from './errors';
import { correlationMatrix, logReturnsByDay, type DatedSeries } from '../domain/analytics/correlation';
import { loadSp500Companies, normaliseTicker } from '../domain/tickers';
import { dailyCloses, dailySentimentMeans, instrumentSectors, sectorSentimentRows } from '../store/analytics-store';

export type CorrelationOf = 'RETURNS' | 'SENTIMENT';

export interface CorrelationResult {
  tickers: string[];
  of: CorrelationOf;
  from: Date;
  to: Date;
  matrix: (number | null)[][];
  observations: number[][];
}

export interface SectorSentimentRow {
  sector: string;
  articles: number;
  tickers: number;
  /** Relevance-weighted mean score in [-1, 1]; one score per (article, ticker). */
  meanScore: number | null;
  positiveShare: number;
  negativeShare: number;
}

const MAX_TICKERS = 50;
const MAX_SPAN_MS = 20 * 366 * 86_400_000;
const day = (d: Date) => d.toISOString().slice(0, 10);

export class AnalyticsService {
  private sp500Sectors?: Map<string, string>;

  constructor(private readonly db: DataSource) {}

  private checkSpan(from: Date, to: Date) {
    if (!(from < to)) throw new ServiceError('BAD_USER_INPUT', 'from must be before to', { field: 'from' });
    if (to.getTime() - from.getTime() > MAX_SPAN_MS) throw new ServiceError('BAD_USER_INPUT', 'at most 20 years per request', { field: 'to' });
  }

  async correlation(rawTickers: string[], from: Date, to: Date, of: CorrelationOf): Promise<CorrelationResult> {
    const tickers = [...new Set(rawTickers.map((t) => normaliseTicker(t)).filter(Boolean))];
    if (tickers.length < 2 || tickers.length > MAX_TICKERS) throw new ServiceError('BAD_USER_INPUT', `give 2 to ${MAX_TICKERS} distinct tickers`, { field: 'tickers' });
    this.checkSpan(from, to);
    const series = of === 'RETURNS' ? await this.returnSeries(tickers, from, to) : await this.sentimentSeries(tickers, from, to);
    const { matrix, observations } = correlationMatrix(tickers.map((t) => series.get(t) ?? new Map()));
    return { tickers, of, from, to, matrix, observations };
  }

  /** Daily log returns from the daily bars in [from, to] (the first bar in range has no return). */
  private async returnSeries(tickers: string[], from: Date, to: Date): Promise<Map<string, DatedSeries>> {
    const rows = await dailyCloses(this.db, tickers, from, to);
    const closes = new Map<string, Array<{ day: string; close: number }>>();
    for (const r of rows) {
      let list = closes.get(r.ticker);
      if (!list) closes.set(r.ticker, (list = []));
      list.push({ day: day(new Date(r.time)), close: Number(r.close) });
    }
    return new Map([...closes].map(([t, c]) => [t, logReturnsByDay(c)]));
  }

  /** Daily relevance-weighted mean sentiment; one score per article (a trained model over the lexicon, then the latest). */
  private async sentimentSeries(tickers: string[], from: Date, to: Date): Promise<Map<string, DatedSeries>> {
    const rows = await dailySentimentMeans(this.db, tickers, from, to);
    const out = new Map<string, Map<string, number>>();
    for (const r of rows) {
      if (r.mean === null) continue;
      let m = out.get(r.ticker);
      if (!m) out.set(r.ticker, (m = new Map()));
      m.set(r.day, r.mean);
    }
    return out;
  }

  /** ticker -> GICS sector: the S&P 500 list, overridden by admin instruments that name a sector. */
  async sectorMap(): Promise<Map<string, string>> {
    this.sp500Sectors ??= new Map(loadSp500Companies().filter((c) => c.sector).map((c) => [c.ticker, c.sector!]));
    const map = new Map(this.sp500Sectors);
    const admin = await instrumentSectors(this.db);
    for (const a of admin) map.set(a.symbol, a.sector);
    return map;
  }

  async sectorSentiment(from: Date, to: Date, minRelevance = 0.2): Promise<SectorSentimentRow[]> {
    this.checkSpan(from, to);
    const sectors = await this.sectorMap();
    const rows = await sectorSentimentRows(this.db, sectors, from, to, minRelevance);
    return rows.map((r) => ({ sector: r.sector, articles: r.articles, tickers: r.tickers, meanScore: r.mean, positiveShare: r.pos ?? 0, negativeShare: r.neg ?? 0 }));
  }
}
