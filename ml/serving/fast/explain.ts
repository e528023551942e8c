/**
 * Why the fast tier gave a text its label, exactly: its logits are bias + Σ_bucket x_b·K[b,·], so
 * each n-gram's share of the label's margin is known. A bucket's margin is
 * x_b·(K[b,label] − mean of K[b,other classes]) / T (T the model's temperature); it is credited to
 * the words that produced it (a word's unigram, negation-scoped unigram and char n-grams; a
 * bigram to its two words as one phrase), split by count where several did. The weights of all
 * phrases plus the bias term sum to the label's calibrated log-odds margin.
 */
import { CHAR_PREFIX_STATE, fnv1a, fnvContinue, normaliseText, tokenise, wordFeatures } from './text-features';
import type { HashedLinearModel } from './hashed-linear-model';
import { CLASS_COUNT } from './hashed-linear-model';
import type { ExplanationPhrase } from '../../../domain/sentiment/types';

export type { ExplanationPhrase };

export interface FastExplanation {
  phrases: ExplanationPhrase[];
  /** The bias term of the margin (what an empty text would get). */
  bias: number;
}

/** Tokens of `text` with the original word (whitespace-delimited) each came from. */
export function tokensWithOrigins(text: string): { tokens: string[]; words: string[]; wordOf: number[] } {
  const words: string[] = [];
  const tokens: string[] = [];
  const wordOf: number[] = [];
  for (const match of text.matchAll(/\S+/g)) {
    const word = match[0];
    const own = tokenise(normaliseText(word));
    if (own.length === 0) continue;
    words.push(word.replace(/^[^\p{L}\p{N}$%]+|[^\p{L}\p{N}%]+$/gu, '') || word);
    for (const token of own) {
      tokens.push(token);
      wordOf.push(words.length - 1);
    }
  }
  const whole = tokenise(normaliseText(text));
  // normalisation that spans words (it should not) would misalign: show the normalised tokens then
  if (whole.length !== tokens.length || whole.some((t, i) => t !== tokens[i])) {
    return { tokens: whole, words: whole, wordOf: whole.map((_, i) => i) };
  }
  return { tokens, words, wordOf };
}

/** Every phrase's exact share of the margin of class `label` (SENTIMENT_LABELS index), all of them. */
export function explainFastFull(text: string, model: HashedLinearModel, label: number, temperature = 1): FastExplanation {
  const { features, idf, kernel, bias } = model;
  const mask = features.buckets - 1;
  const { tokens, words, wordOf } = tokensWithOrigins(text);
  const phraseOf = (first: number, last: number): string => {
    const a = wordOf[first];
    const b = wordOf[last];
    return a === b ? words[a] : words.slice(a, b + 1).join(' ');
  };
  // per group: bucket -> (phrase -> count)
  const groups: Array<Map<number, Map<string, number>>> = [new Map(), new Map()];
  const add = (group: number, hash: number, phrase: string): void => {
    const bucket = (hash >>> 0) & mask;
    const byPhrase = groups[group].get(bucket) ?? new Map<string, number>();
    byPhrase.set(phrase, (byPhrase.get(phrase) ?? 0) + 1);
    groups[group].set(bucket, byPhrase);
  };
  const origins: Array<[number, number]> = [];
  wordFeatures(tokens, features, origins).forEach((feature, i) => add(0, fnv1a(feature), phraseOf(origins[i][0], origins[i][1])));
  tokens.forEach((token, i) => {
    const padded = ` ${token} `;
    for (let n = features.charNgramMin; n <= features.charNgramMax && n <= padded.length; n++) {
      for (let s = 0; s + n <= padded.length; s++) add(1, fnvContinue(CHAR_PREFIX_STATE, padded, s, s + n), phraseOf(i, i));
    }
  });
  const direction = (bucket: number): number => {
    let others = 0;
    for (let k = 0; k < CLASS_COUNT; k++) if (k !== label) others += kernel[bucket * CLASS_COUNT + k];
    return kernel[bucket * CLASS_COUNT + label] - others / (CLASS_COUNT - 1);
  };
  const weights = new Map<string, number>();
  for (const group of groups) {
    // the same sublinear TF x IDF and per-group L2 norm as vectorise()
    let squaredNorm = 0;
    const values = new Map<number, number>();
    for (const [bucket, byPhrase] of group) {
      let count = 0;
      for (const c of byPhrase.values()) count += c;
      const value = (1 + Math.log(count)) * idf[bucket];
      values.set(bucket, value);
      squaredNorm += value * value;
    }
    const norm = Math.sqrt(squaredNorm) || 1;
    for (const [bucket, byPhrase] of group) {
      let count = 0;
      for (const c of byPhrase.values()) count += c;
      const margin = ((values.get(bucket)! / norm) * direction(bucket)) / temperature;
      for (const [phrase, c] of byPhrase) weights.set(phrase, (weights.get(phrase) ?? 0) + (margin * c) / count);
    }
  }
  let others = 0;
  for (let k = 0; k < CLASS_COUNT; k++) if (k !== label) others += bias[k];
  return {
    phrases: [...weights].map(([text, weight]) => ({ text, weight })),
    bias: (bias[label] - others / (CLASS_COUNT - 1)) / temperature,
  };
}

/** The `top` phrases that pushed hardest toward the label, strongest first (only those with weight > 0). */
export function explainFast(text: string, model: HashedLinearModel, label: number, temperature = 1, top = 5): ExplanationPhrase[] {
  return explainFastFull(text, model, label, temperature)
    .phrases.filter((p) => p.weight > 0)
    .sort((a, b) => b.weight - a.weight)
    .slice(0, top);
}
