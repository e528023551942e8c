/**
 * Features reported beside a signal that do not (yet) vote in its decision: news intensity as a
 * Hawkes process and volume spread analysis. Both take asOf and ignore anything after it, like
 * every other feature (see README "Point in time").
 */
import { classifyVsaBars, fitHawkes, type VsaClass } from '../indicators';
import type { PriceBar } from '../prices';

export interface NewsIntensityFeatures {
  windowHours: number;
  events: number;
  /** Baseline articles per hour (μ). */
  baseline: number;
  /** Expected follow-up articles per article (α, in [0, 1)). */
  branchingRatio: number;
  /** Decay per hour (β); 1/β is the mean lag of a follow-up. */
  decayPerHour: number;
  /** λ(asOf), articles per hour. */
  currentIntensity: number;
  /** currentIntensity / baseline: above 1 while a burst of news is under way. */
  intensityRatio: number;
  logLikelihood: number;
}

export interface VsaFeatures {
  lastBarTime: string;
  lastClass: VsaClass;
  /** Classes of the last `recentBars` classified bars. */
  recentBars: number;
  counts: Record<VsaClass, number>;
  /** Mean bias (+1 strength, −1 weakness) over the recent bars. */
  bias: number;
}

export const NEWS_INTENSITY_WINDOW_MS = 14 * 24 * 3600 * 1000;
export const NEWS_INTENSITY_MIN_EVENTS = 5;
export const VSA_RECENT_BARS = 20;

/** Hawkes fit on the article times of (asOf − window, asOf]; null with fewer than minEvents articles. */
export function newsIntensityFeatures(articleTimes: readonly Date[], asOf: Date, windowMs = NEWS_INTENSITY_WINDOW_MS, minEvents = NEWS_INTENSITY_MIN_EVENTS): NewsIntensityFeatures | null {
  const start = asOf.getTime() - windowMs;
  const hours = articleTimes.map((t) => t.getTime()).filter((t) => t > start && t <= asOf.getTime()).map((t) => (t - start) / 3.6e6);
  const fit = fitHawkes(hours, windowMs / 3.6e6, { minEvents });
  if (!fit) return null;
  return {
    windowHours: fit.windowHours,
    events: fit.events,
    baseline: fit.mu,
    branchingRatio: fit.alpha,
    decayPerHour: fit.beta,
    currentIntensity: fit.currentIntensity,
    intensityRatio: fit.intensityRatio,
    logLikelihood: fit.logLikelihood,
  };
}

/** VSA of the bars known at asOf; null when no bar can be classified (too few bars, no volume). */
export function vsaFeatures(bars: readonly PriceBar[], asOf: Date, recentBars = VSA_RECENT_BARS): VsaFeatures | null {
  const known = bars.filter((b) => b.time.getTime() <= asOf.getTime());
  const classified = classifyVsaBars(known);
  if (classified.length === 0) return null;
  const recent = classified.slice(-recentBars);
  const counts: Record<VsaClass, number> = { 'buying-climax': 0, 'selling-climax': 0, test: 0, 'no-supply': 0, 'no-demand': 0, none: 0 };
  for (const b of recent) counts[b.class]++;
  const last = classified[classified.length - 1]!;
  return {
    lastBarTime: last.time.toISOString(),
    lastClass: last.class,
    recentBars: recent.length,
    counts,
    bias: recent.reduce((s, b) => s + b.bias, 0) / recent.length,
  };
}
