/**
 * What a signal is computed from, read as of a time: sentiment observations, daily bars and
 * article arrivals; and evaluateSignalAt, the one path from those reads to a decision
 * (domain/signals computeSignal) that live signals, replays and backtests share.
 */
import type { PriceBar } from '../domain/prices';
import { computeSignal, EMOTION_BASELINE_MS, EMOTION_RECENT_MS, emotionFeatures, NEWS_INTENSITY_WINDOW_MS, newsIntensityFeatures, resolveSignalParams, vsaFeatures, type SentimentObservation, type SignalParams, type SignalParamsOverrides, type TradingSignal } from '../domain/signals';
import type { Queryable } from '../events/publish';
import { loadEmotionObservations } from './emotion-store';
import { tickerScoreLateralSql, tierRankSql } from './sentiment-preference';

/** Bars fed to the technical features: the Hurst exponent needs 257, the rest far fewer. */
export const SIGNAL_BAR_LOOKBACK = 300;
export const SIGNAL_BAR_INTERVAL = '1d';
/**
 * One sentiment observation per (article, ticker) published in (from, to]. An article scored by
 * several models contributes the score of one: `preferModelVersion` first when given (a replay
 * pinned to one model), then the accurate tier beats the fast tier beats the lexicon fallback,
 * then the most recently scored version wins; a per-ticker score from the accurate tier's entity
 * head replaces the article-level one for its ticker (under a pin, only the pinned model's).
 * Unscored rows (score NULL) never count.
 */
export async function loadObservations(db: Queryable, ticker: string, from: Date | null, to: Date, preferModelVersion?: string | null): Promise<SentimentObservation[]> {
  const rows = (await db.query(
    `SELECT p.article_id, p.published_at, p.relevance, p.story_id,
            CASE WHEN ts.score IS NOT NULL AND ($4::text IS NULL OR ts.model_version = $4::text) THEN ts.score ELSE p.score END AS score,
            CASE WHEN ts.score IS NOT NULL AND ($4::text IS NULL OR ts.model_version = $4::text) THEN ts.label ELSE p.label END AS label,
            CASE WHEN ts.score IS NOT NULL AND ($4::text IS NULL OR ts.model_version = $4::text) THEN ts.model_version ELSE p.model_version END AS model_version
     FROM (
       SELECT DISTINCT ON (at.article_id) at.article_id, at.ticker, a.published_at, a.story_id, at.relevance, s.score, s.label, s.model_version
       FROM article_tickers at
       JOIN articles a ON a.id = at.article_id
       JOIN sentiment_scores s ON s.article_id = at.article_id AND s.score IS NOT NULL
       WHERE at.ticker = $1 AND at.published_at <= $2 AND a.published_at <= $2
         AND ($3::timestamptz IS NULL OR (at.published_at > $3 AND a.published_at > $3))
       ORDER BY at.article_id, (s.model_version IS NOT DISTINCT FROM $4::text) DESC, ${tierRankSql('s')}, s.scored_at DESC, s.id DESC) p
     ${tickerScoreLateralSql('p.article_id', 'p.ticker')}
     ORDER BY p.article_id`,
    [ticker, to.toISOString(), from ? from.toISOString() : null, preferModelVersion ?? null],
  )) as Array<{ article_id: string; published_at: Date; story_id: string | null; relevance: number; score: number; label: string | null; model_version: string }>;
  return rows.map((r) => ({
    articleId: r.article_id,
    // Copies of one story (syndicated, rewritten) pool into one story in the signal rules.
    storyKey: r.story_id ?? r.article_id,
    publishedAt: new Date(r.published_at),
    relevance: Number(r.relevance),
    score: Number(r.score),
    label: r.label ?? '',
    modelVersion: r.model_version,
  }));
}

/** Bars with time in [from, to], oldest-first; `limit` keeps only the latest ones. */
export async function loadBars(db: Queryable, ticker: string, interval: string, from: Date | null, to: Date, limit?: number): Promise<PriceBar[]> {
  const rows = (await db.query(
    `SELECT time, open, high, low, close, volume FROM (
       SELECT time, open, high, low, close, volume FROM price_bars
       WHERE ticker = $1 AND interval = $2 AND time <= $3 AND ($4::timestamptz IS NULL OR time >= $4)
       ORDER BY time DESC LIMIT $5
     ) latest ORDER BY time`,
    [ticker, interval, to.toISOString(), from ? from.toISOString() : null, limit ?? null],
  )) as Array<{ time: Date; open: number; high: number; low: number; close: number; volume: number | null }>;
  return rows.map((r) => ({ time: new Date(r.time), open: r.open, high: r.high, low: r.low, close: r.close, volume: r.volume }));
}

/** Publication times of the ticker's articles (at or above minRelevance) in (from, to], for the news-intensity feature. */
export async function loadArticleTimes(db: Queryable, ticker: string, from: Date, to: Date, minRelevance: number): Promise<Date[]> {
  const rows = (await db.query(
    `SELECT published_at FROM article_tickers WHERE ticker = $1 AND published_at > $2 AND published_at <= $3 AND relevance >= $4 ORDER BY published_at`,
    [ticker, from.toISOString(), to.toISOString(), minRelevance],
  )) as Array<{ published_at: Date }>;
  return rows.map((r) => new Date(r.published_at));
}

export interface EvaluateSignalOptions {
  overrides?: SignalParamsOverrides;
  /** Score of this model version first, where an article has one (replays pinned to a model). */
  preferModelVersion?: string | null;
  /** The previous signal of the same series (novelty); unset = the rules' default. */
  previousSignalAt?: Date | null;
}

/** Why evaluateSignalAt made no signal (live: the `skipped` reason). */
export const NO_SIGNAL_BASIS = 'no scored articles in the lookback window and no fresh daily bars (technical score) up to asOf';

/**
 * THE computation of one ticker's signal at `asOf`, from what was published and priced by then:
 * live signals (signalForTicker below) and replayed history (signal-replay.activities.ts) both
 * call this and nothing else. With no scored news in the lookback window the fresh bars decide
 * alone (a PRICE_ONLY signal, README "No recent news"); null when there is neither (no signal is
 * stored then, live or replayed).
 */
export async function evaluateSignalAt(db: Queryable, ticker: string, asOf: Date, opts: EvaluateSignalOptions = {}): Promise<TradingSignal | null> {
  const overrides = opts.overrides ?? {};
  const params = resolveSignalParams(overrides);
  const lookbackMs = signalLookbackMs(params);
  const observations = await loadObservations(db, ticker, new Date(asOf.getTime() - lookbackMs), asOf, opts.preferModelVersion);
  const bars = await loadBars(db, ticker, SIGNAL_BAR_INTERVAL, null, asOf, SIGNAL_BAR_LOOKBACK);
  if (observations.length === 0 && bars.length === 0) return null;
  const signal = computeSignal({ ticker, asOf, observations, bars, previousSignalAt: opts.previousSignalAt ?? undefined }, overrides);
  // Neither news nor a technical score from fresh bars: nothing to say, as before.
  if (observations.length === 0 && signal.features.technicalComponent === null) return null;
  // Reported beside the decision, not voting in it (yet): news intensity (Hawkes) and VSA, on the
  // one path live signals and replays share, so a replay at T equals the live signal at T.
  const articleTimes = await loadArticleTimes(db, ticker, new Date(asOf.getTime() - NEWS_INTENSITY_WINDOW_MS), asOf, params.minRelevance);
  // Emotions too: the recent day's emotion shares against the ticker's 30-day baseline.
  const emotionRows = await loadEmotionObservations(db, ticker, new Date(asOf.getTime() - EMOTION_RECENT_MS - EMOTION_BASELINE_MS), asOf, params.minRelevance);
  return {
    ...signal,
    features: { ...signal.features, newsIntensity: newsIntensityFeatures(articleTimes, asOf), vsa: vsaFeatures(bars, asOf), emotions: emotionFeatures(emotionRows, asOf) },
  };
}

/** How far back news can still move a signal: twice the longest window (momentum compares two windows). */
export function signalLookbackMs(params: SignalParams): number {
  return 2 * Math.max(...params.windows.map((w) => w.ms));
}

