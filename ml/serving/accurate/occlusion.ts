/**
 * Explanations for the accurate tier by occlusion: the text is scored again without each word, and
 * a word's weight is how much the label's log-probability falls without it (positive: it pushed
 * toward the label). Unlike the fast tier's exact n-gram shares this costs one encoder pass per
 * word, so texts are cut to their first MAX_OCCLUDED_WORDS words.
 */
import type { ExplanationPhrase } from '../../../domain/sentiment/types';

export const MAX_OCCLUDED_WORDS = 24;

/** The text's words (as written, punctuation trimmed) and the text without each of them. */
export function occlusionVariants(text: string, maxWords = MAX_OCCLUDED_WORDS): Array<{ word: string; without: string }> {
  const matches = [...text.matchAll(/\S+/g)].slice(0, maxWords);
  return matches
    .map((m) => ({
      word: m[0].replace(/^[^\p{L}\p{N}$%]+|[^\p{L}\p{N}%]+$/gu, ''),
      without: (text.slice(0, m.index) + text.slice(m.index! + m[0].length)).replace(/\s+/g, ' ').trim(),
    }))
    .filter((v) => v.word.length > 0 && v.without.length > 0);
}

/**
 * Weights from the label's probability with the whole text and without each word; the `top`
 * words that pushed toward the label, strongest first. A word seen twice keeps its larger weight.
 */
export function occlusionExplanation(words: readonly string[], labelProbability: number, withoutProbabilities: readonly number[], top = 5): ExplanationPhrase[] {
  const base = Math.log(Math.max(labelProbability, 1e-12));
  const best = new Map<string, number>();
  words.forEach((word, i) => {
    const weight = base - Math.log(Math.max(withoutProbabilities[i], 1e-12));
    if (!(best.get(word)! >= weight)) best.set(word, weight);
  });
  return [...best]
    .map(([text, weight]) => ({ text, weight }))
    .filter((p) => p.weight > 0)
    .sort((a, b) => b.weight - a.weight)
    .slice(0, top);
}
