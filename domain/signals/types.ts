import type { NewsIntensityFeatures, VsaFeatures } from './extended-features';
import type { EmotionFeatures } from './emotion-features';
import type { PriceBar } from '../prices';

export type SignalType = 'BUY' | 'SELL' | 'HOLD';
export type RiskLevel = 'LOW' | 'MEDIUM' | 'HIGH';

/** One article's sentiment for one ticker, as produced by a sentiment model. */
export interface SentimentObservation {
  articleId: string;
  publishedAt: Date;
  /** In [-1, 1]. */
  score: number;
  label: string;
  /** How much the article is about this ticker, in [0, 1]. */
  relevance: number;
  modelVersion: string;
  /**
   * Near-duplicate key: stories with the same key are one story (syndicated copies, rewrites).
   * The article's story id (near-duplicates across feeds, domain/stories, assigned at ingest); defaults to articleId.
   */
  storyKey?: string;
}

export interface SentimentWindowSpec {
  name: string;
  ms: number;
}

export interface SentimentWindowFeatures {
  window: string;
  /** Distinct stories (near-duplicates collapsed by storyKey). */
  count: number;
  /** Raw articles, duplicates included. */
  articles: number;
  /** Relevance-weighted mean score; null when the window holds no (relevant) stories. */
  weightedMean: number | null;
  /** Relevance-weighted standard deviation of scores; null when empty. */
  dispersion: number | null;
  /** weightedMean minus that of the previous window of the same length; null when either is empty. */
  momentum: number | null;
  /** Share of the window's stories that are new: see README ("Novelty"). null when empty. */
  novelty: number | null;
}

export interface TechnicalFeatures {
  barsUsed: number;
  lastBarTime: string;
  lastClose: number;
  smaFast: number | null;
  smaSlow: number | null;
  emaFast?: number | null;
  emaSlow?: number | null;
  macdLine?: number | null;
  macdSignal?: number | null;
  /** +1 fast SMA above slow, -1 below, null when undefined. */
  smaCross: number | null;
  emaCross: number | null;
  rsi: number | null;
  macdHistogram: number | null;
  /** Annualised volatility of log returns over the volatility window. */
  volatility: number | null;
  hurst: number | null;
  /** In [-1, 1]: mean of the available votes (SMA cross, EMA cross, MACD sign, RSI extremes). */
  score: number | null;
}

/**
 * What the decision rested on: NEWS = the news rules (at least one story in the primary window);
 * PRICE_ONLY = no story in the primary window, so the technical score of fresh bars decides alone
 * (README "No recent news").
 */
export type SignalBasis = 'NEWS' | 'PRICE_ONLY';

export interface SignalFeatures {
  basis: SignalBasis;
  windows: Record<string, SentimentWindowFeatures>;
  sentimentComponent: number | null;
  momentumComponent: number | null;
  technicalComponent: number | null;
  composite: number;
  evidence: number;
  consensus: number;
  technical: TechnicalFeatures | null;
  /**
   * Reported beside the decision, not voting in it: news intensity (Hawkes) and volume spread
   * analysis. Filled by the activity that loads their inputs (the same path for live signals and
   * replays), absent from a bare computeSignal.
   */
  newsIntensity?: NewsIntensityFeatures | null;
  vsa?: VsaFeatures | null;
  /** Emotion shares of recent articles against the ticker's baseline (issue 22), also beside the decision. */
  emotions?: EmotionFeatures | null;
}

export interface TradingSignal {
  ticker: string;
  asOf: Date;
  type: SignalType;
  confidence: number;
  riskLevel: RiskLevel;
  /** Fraction of equity (>= 0; direction is given by `type`). */
  suggestedPositionSize: number;
  features: SignalFeatures;
  provenance: {
    articleIds: string[];
    modelVersions: string[];
    params: SignalParams;
    lastBarTime: string | null;
  };
}

export interface SignalParams {
  windows: SentimentWindowSpec[];
  /** Window whose weighted mean drives the sentiment component. */
  primaryWindow: string;
  /** Window whose momentum drives the momentum component. */
  momentumWindow: string;
  weights: { sentiment: number; momentum: number; technical: number };
  buyThreshold: number;
  sellThreshold: number;
  minArticles: number;
  /** n/(n+k) evidence shrinkage: k articles give half evidence. */
  evidenceHalfCount: number;
  /** |composite| at which strength saturates at 1. */
  fullStrengthAt: number;
  /** Observations with relevance below this are ignored. */
  minRelevance: number;
  technical: {
    smaFast: number;
    smaSlow: number;
    emaFast: number;
    emaSlow: number;
    rsiPeriod: number;
    macd: { fastPeriod: number; slowPeriod: number; signalPeriod: number };
    volatilityWindow: number;
    hurstLookback: number;
  };
  risk: { lowVolatility: number; highVolatility: number; highDispersion: number };
  sizing: { targetVolatility: number; assumedVolatility: number; maxPositionSize: number };
  /** The rule for a primary window without stories (README "No recent news"). */
  priceOnly: {
    /** Evidence when bars decide alone, before scaling by the share of technical votes available. */
    evidence: number;
    /** Fewer technical votes than this: HOLD. */
    minVotes: number;
    /** The last bar must be at most this old at asOf, or the technical score is not used. */
    maxBarAgeMs: number;
  };
}

export interface SignalInput {
  ticker: string;
  asOf: Date;
  observations: SentimentObservation[];
  bars?: PriceBar[];
  /** When the previous signal for this ticker was computed (for novelty); default asOf minus the primary window. */
  previousSignalAt?: Date;
}

/** Overrides for SignalParams: nested groups may be given partially. */
export type SignalParamsOverrides = Partial<Omit<SignalParams, 'weights' | 'technical' | 'risk' | 'sizing' | 'priceOnly'>> & {
  weights?: Partial<SignalParams['weights']>;
  technical?: Partial<Omit<SignalParams['technical'], 'macd'>> & { macd?: Partial<SignalParams['technical']['macd']> };
  risk?: Partial<SignalParams['risk']>;
  sizing?: Partial<SignalParams['sizing']>;
  priceOnly?: Partial<SignalParams['priceOnly']>;
};
