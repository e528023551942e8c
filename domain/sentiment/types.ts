export type SentimentLabel = 'negative' | 'neutral' | 'positive';

/** Class order used by every model tensor, metric table and artifact. */
export const SENTIMENT_LABELS: readonly SentimentLabel[] = ['negative', 'neutral', 'positive'];

export interface ClassProbabilities {
  negative: number;
  neutral: number;
  positive: number;
}

/** A phrase of the scored text and how hard it pushed toward the label (log-odds; > 0 toward it). */
export interface ExplanationPhrase {
  text: string;
  weight: number;
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
  /** The phrases that pushed the text to its label, strongest first (when the scorer was asked to explain). */
  explanation?: ExplanationPhrase[];
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
