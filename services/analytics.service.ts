/**
 * Cross-ticker analytics: correlation matrices of daily returns or daily sentiment, and
 * sentiment by GICS sector (the S&P 500 list's sector, or the sector an admin gave an instrument).
 */
import type { DataSource } from 'typeorm';
import { ServiceError } from './errors';
import { correlationMatrix, logReturnsByDay, type DatedSeries } from '../domain/analytics/correlation';
import { loadSp500Companies, normaliseTicker } from '../domain/tickers';
import { tierRankSql } from '../store/sentiment-preference';

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
    const rows = (await this.db.query(
      `SELECT ticker, time, close FROM price_bars WHERE ticker = ANY($1::text[]) AND interval = '1d' AND time >= $2 AND time <= $3 ORDER BY ticker, time`,
      [tickers, from, to],
    )) as Array<{ ticker: string; time: Date; close: number }>;
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
    const rows = (await this.db.query(
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
    const admin = (await this.db.query(`SELECT symbol, sector FROM instruments WHERE sector IS NOT NULL`)) as Array<{ symbol: string; sector: string }>;
    for (const a of admin) map.set(a.symbol, a.sector);
    return map;
  }

  async sectorSentiment(from: Date, to: Date, minRelevance = 0.2): Promise<SectorSentimentRow[]> {
    this.checkSpan(from, to);
    const sectors = await this.sectorMap();
    const rows = (await this.db.query(
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
    return rows.map((r) => ({ sector: r.sector, articles: r.articles, tickers: r.tickers, meanScore: r.mean, positiveShare: r.pos ?? 0, negativeShare: r.neg ?? 0 }));
  }
}
