/**
 * Emotion features reported beside a signal (not voting in its decision): the share of each
 * emotion among the ticker's recent articles, and how far it sits from the ticker's own
 * baseline (the window before). Fear rising against a ticker's usual tone is the example the
 * issue names: investors' fear, joy and anger move prices differently from plain polarity.
 * Point in time like every feature: only articles published at or before asOf count.
 */
import { EMOTION_LABELS, type EmotionLabel } from '../emotions/labels';

export interface EmotionFeatureInput {
  articleId: string;
  publishedAt: Date;
  label: EmotionLabel;
  modelVersion: string;
}

export interface EmotionFeatures {
  recentHours: number;
  baselineDays: number;
  /** Articles with an emotion in (asOf − recent, asOf] and in the baseline window before it. */
  recentArticles: number;
  baselineArticles: number;
  /** Label shares in the recent window (sum to 1). */
  recentShares: Record<EmotionLabel, number>;
  /** Label shares in the baseline window; null without baseline articles. */
  baselineShares: Record<EmotionLabel, number> | null;
  fearShare: number;
  /** fearShare − baseline fear share; null without a baseline. */
  fearShareChange: number | null;
  happyShareChange: number | null;
  angerShareChange: number | null;
  /** The emotion whose share rose most against the baseline (null without one). */
  risingEmotion: EmotionLabel | null;
  /** Provenance: the emotion model versions and the recent articles behind the shares. */
  modelVersions: string[];
  articleIds: string[];
}

export const EMOTION_RECENT_MS = 24 * 3600 * 1000;
export const EMOTION_BASELINE_MS = 30 * 24 * 3600 * 1000;
export const EMOTION_MIN_ARTICLES = 3;
const MAX_PROVENANCE_IDS = 50;

function shares(rows: readonly EmotionFeatureInput[]): Record<EmotionLabel, number> {
  const out = Object.fromEntries(EMOTION_LABELS.map((l) => [l, 0])) as Record<EmotionLabel, number>;
  for (const r of rows) out[r.label] += 1 / rows.length;
  return out;
}

/**
 * Features from the ticker's articles of (asOf − recent − baseline, asOf]; null with fewer than
 * minArticles in the recent window (a share of one or two articles says little).
 */
export function emotionFeatures(articles: readonly EmotionFeatureInput[], asOf: Date, opts: { recentMs?: number; baselineMs?: number; minArticles?: number } = {}): EmotionFeatures | null {
  const recentMs = opts.recentMs ?? EMOTION_RECENT_MS;
  const baselineMs = opts.baselineMs ?? EMOTION_BASELINE_MS;
  const t = asOf.getTime();
  const recent = articles.filter((a) => a.publishedAt.getTime() > t - recentMs && a.publishedAt.getTime() <= t);
  const baseline = articles.filter((a) => a.publishedAt.getTime() > t - recentMs - baselineMs && a.publishedAt.getTime() <= t - recentMs);
  if (recent.length < (opts.minArticles ?? EMOTION_MIN_ARTICLES)) return null;
  const recentShares = shares(recent);
  const baselineShares = baseline.length ? shares(baseline) : null;
  const change = (l: EmotionLabel) => (baselineShares ? recentShares[l] - baselineShares[l] : null);
  let risingEmotion: EmotionLabel | null = null;
  if (baselineShares) {
    let best = 0;
    for (const l of EMOTION_LABELS) {
      const d = recentShares[l] - baselineShares[l];
      if (l !== 'neutral' && d > best + 1e-12) [best, risingEmotion] = [d, l];
    }
  }
  return {
    recentHours: recentMs / 3.6e6,
    baselineDays: baselineMs / 8.64e7,
    recentArticles: recent.length,
    baselineArticles: baseline.length,
    recentShares,
    baselineShares,
    fearShare: recentShares.fear,
    fearShareChange: change('fear'),
    happyShareChange: change('happy'),
    angerShareChange: change('anger'),
    risingEmotion,
    modelVersions: [...new Set(recent.map((a) => a.modelVersion))].sort(),
    articleIds: recent.slice(-MAX_PROVENANCE_IDS).map((a) => a.articleId),
  };
}
