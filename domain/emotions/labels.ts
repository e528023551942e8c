/** The emotion classes (EmTract's seven: Ekman's six with happy for joy, plus neutral). */
export type EmotionLabel = 'neutral' | 'happy' | 'sad' | 'anger' | 'disgust' | 'surprise' | 'fear';

/** Class order of every emotion tensor, metric table, artifact and stored row. */
export const EMOTION_LABELS: readonly EmotionLabel[] = ['neutral', 'happy', 'sad', 'anger', 'disgust', 'surprise', 'fear'];

export type EmotionProbabilities = Record<EmotionLabel, number>;

export interface EmotionScore {
  label: EmotionLabel;
  probabilities: EmotionProbabilities;
  modelVersion: string;
}

/** GoEmotions' Ekman names for the same classes (joy is happy, sadness is sad). */
const ALIASES: Record<string, EmotionLabel> = { joy: 'happy', sadness: 'sad', happiness: 'happy', angry: 'anger' };

/** A label name in any case, or an alias; throws on anything else. */
export function parseEmotionLabel(raw: string): EmotionLabel {
  const value = raw.trim().toLowerCase();
  if ((EMOTION_LABELS as readonly string[]).includes(value)) return value as EmotionLabel;
  const alias = ALIASES[value];
  if (alias) return alias;
  throw new Error(`unknown emotion label "${raw}" (expected one of ${EMOTION_LABELS.join(', ')})`);
}

export function emotionIndex(label: EmotionLabel): number {
  return EMOTION_LABELS.indexOf(label);
}

/** A probability row (EMOTION_LABELS order) as a labelled score. */
export function emotionScoreFrom(row: ArrayLike<number>, modelVersion: string): EmotionScore {
  if (row.length !== EMOTION_LABELS.length) throw new Error(`emotion row of ${row.length} values, expected ${EMOTION_LABELS.length}`);
  let best = 0;
  for (let k = 1; k < row.length; k++) if (row[k] > row[best]) best = k;
  const probabilities = Object.fromEntries(EMOTION_LABELS.map((l, k) => [l, row[k]])) as EmotionProbabilities;
  return { label: EMOTION_LABELS[best], probabilities, modelVersion };
}
