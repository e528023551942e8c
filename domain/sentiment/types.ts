export type SentimentLabel = 'negative' | 'neutral' | 'positive';

/** Class order used by every model tensor, metric table and artifact. */
export const SENTIMENT_LABELS: readonly SentimentLabel[] = ['negative', 'neutral', 'positive'];

export interface ClassProbabilities {
  negative: number;
  neutral: number;
  positive: number;
}

export interface SentimentScore {
  label: SentimentLabel | null;
  /** P(positive) - P(negative) for the model; a squashed lexicon score for the fallback. */
  score: number | null;
  probabilities: ClassProbabilities | null;
  modelVersion: string;
  /** Set when the text was not scored (label/score/probabilities are then null). */
  unscoredReason?: string;
  /** True when only the leading part of an over-long text was scored. */
  truncated?: boolean;
}

/** fast: hashed n-gram model; accurate: pretrained encoder + heads; lexicon: the fallback. */
export type SentimentTier = 'fast' | 'accurate' | 'lexicon';

export interface SentimentScorer {
  readonly modelVersion: string;
  readonly tier?: SentimentTier;
  readonly backend: string;
  scoreBatch(texts: string[]): Promise<SentimentScore[]>;
  dispose?(): void;
}

/** Texts longer than this are cut: headlines and tweets are far shorter, and cost grows with length. */
export const MAX_SCORED_CHARS = 1000;

export function labelFromIndex(index: number): SentimentLabel {
  const label = SENTIMENT_LABELS[index];
  if (!label) throw new Error(`no sentiment label at index ${index}`);
  return label;
}

export function labelIndex(label: SentimentLabel): number {
  return SENTIMENT_LABELS.indexOf(label);
}
