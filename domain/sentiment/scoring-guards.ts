/** Decides which texts a scorer can honestly score, and trims the rest to a scoreable size. */
import { MAX_SCORED_CHARS } from './types';

export type Scoreable = { text: string; truncated: boolean } | { unscoredReason: string };

/**
 * The models were trained on English finance headlines: text without letters, or mostly in
 * a non-Latin script, would get a confident-looking but meaningless score, so it is
 * reported as unscored instead.
 */
export function prepareForScoring(raw: unknown): Scoreable {
  if (typeof raw !== 'string') return { unscoredReason: 'not_text' };
  const trimmed = raw.trim();
  if (trimmed.length === 0) return { unscoredReason: 'empty_text' };
  const truncated = trimmed.length > MAX_SCORED_CHARS;
  const text = truncated ? trimmed.slice(0, MAX_SCORED_CHARS) : trimmed;
  const letters = text.match(/\p{L}/gu)?.length ?? 0;
  if (letters === 0) return { unscoredReason: 'no_words' };
  const latinLetters = text.match(/\p{Script=Latin}/gu)?.length ?? 0;
  if (latinLetters / letters < 0.5) return { unscoredReason: 'unsupported_language' };
  return { text, truncated };
}
