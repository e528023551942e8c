/**
 * Turns a headline into a sparse TF-IDF vector over hashed word/bigram/char n-grams.
 * Hashing keeps the artifact small and fixed-size (no vocabulary file to grow) and lets
 * unseen words still share char n-grams with known ones, which is what generalises on
 * short, ticker-heavy finance text.
 */

export interface FeatureConfig {
  /** Number of hash buckets; a power of two. */
  buckets: number;
  wordNgrams: number;
  charNgramMin: number;
  charNgramMax: number;
  /** Mark words after a negator so "not higher" and "higher" land in different buckets. */
  negationScope: boolean;
}

export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

export const DEFAULT_FEATURE_CONFIG: FeatureConfig = {
  buckets: 1 << 18,
  wordNgrams: 2,
  charNgramMin: 2,
  charNgramMax: 5,
  negationScope: true,
};

const URL_PATTERN = /\bhttps?:\/\/\S+|\bwww\.\S+/g;
const TICKER_PATTERN = /\$[a-z][a-z0-9.-]{0,9}\b/g;
const NUMBER_PATTERN = /\d+(?:[.,]\d+)*/g;
const TOKEN_PATTERN = /[\p{L}\p{N}_]+|[!?%]/gu;
const NEGATORS = new Set(['not', 'no', 'never', 'without', 'nor', 'cannot', 'dont', 'doesnt', 'didnt', 'isnt', 'wont', 'cant', 'fails', 'failed']);
const CLAUSE_END = new Set(['!', '?']);

/**
 * Lower-cases and replaces things whose exact value carries no sentiment (URLs, cashtags,
 * numbers) by placeholders, so "$AAPL up 3%" and "$MSFT up 7%" share features.
 */
export function normaliseText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(URL_PATTERN, ' xurlx ')
    .replace(TICKER_PATTERN, ' xtickerx ')
    .replace(/[’‘`]/g, "'")
    .replace(/n't\b/g, 'nt')
    .replace(NUMBER_PATTERN, '0');
}

export function tokenise(normalised: string): string[] {
  return normalised.match(TOKEN_PATTERN) ?? [];
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

function fnvContinue(hash: number, text: string, start: number, end: number): number {
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ text.charCodeAt(i), FNV_PRIME);
  return hash;
}

/** 32-bit FNV-1a over UTF-16 code units: stable across platforms and Node versions. */
export function fnv1a(text: string): number {
  return fnvContinue(FNV_OFFSET, text, 0, text.length) >>> 0;
}

/** Word unigrams, negation-scoped unigrams and word n-grams of a tokenised text. */
function wordFeatures(words: readonly string[], config: FeatureConfig): string[] {
  const features: string[] = [];
  let negated = false;
  for (const token of words) {
    if (CLAUSE_END.has(token)) negated = false;
    features.push('w:' + token);
    if (config.negationScope && negated && !NEGATORS.has(token)) features.push('n:' + token);
    if (NEGATORS.has(token)) negated = true;
  }
  for (let n = 2; n <= config.wordNgrams; n++) {
    for (let i = 0; i + n <= words.length; i++) features.push(`g${n}:` + words.slice(i, i + n).join(' '));
  }
  return features;
}

/**
 * Feature strings, namespaced so a word and an identical char n-gram never share a bucket
 * on purpose. Scoring hashes the same features without building the char n-gram strings.
 */
export function extractFeatures(text: string, config: FeatureConfig): string[] {
  const words = tokenise(normaliseText(text));
  const features = wordFeatures(words, config);
  for (const word of words) {
    const padded = ` ${word} `;
    for (let n = config.charNgramMin; n <= config.charNgramMax && n <= padded.length; n++) {
      for (let i = 0; i + n <= padded.length; i++) features.push('c:' + padded.slice(i, i + n));
    }
  }
  return features;
}

const CHAR_PREFIX_STATE = fnvContinue(FNV_OFFSET, 'c:', 0, 2);

/**
 * Raw hashed term counts of one text per feature group (0 = word features, 1 = char
 * n-grams), as bucket -> count. Char n-grams are far more numerous than word features, so
 * each group is normalised on its own and neither drowns the other. Char n-grams are hashed
 * in place (the same value as fnv1a('c:' + gram)) because building those strings dominated
 * scoring time.
 */
export function hashedCountsByGroup(text: string, config: FeatureConfig): Array<Map<number, number>> {
  const mask = config.buckets - 1;
  const wordCounts = new Map<number, number>();
  const charCounts = new Map<number, number>();
  const add = (counts: Map<number, number>, hash: number): void => {
    const bucket = (hash >>> 0) & mask;
    counts.set(bucket, (counts.get(bucket) ?? 0) + 1);
  };
  const words = tokenise(normaliseText(text));
  for (const feature of wordFeatures(words, config)) add(wordCounts, fnv1a(feature));
  for (const word of words) {
    const padded = ` ${word} `;
    for (let n = config.charNgramMin; n <= config.charNgramMax && n <= padded.length; n++) {
      for (let i = 0; i + n <= padded.length; i++) add(charCounts, fnvContinue(CHAR_PREFIX_STATE, padded, i, i + n));
    }
  }
  return [wordCounts, charCounts];
}

/** Smoothed IDF per bucket, as scikit-learn computes it: ln((1+N)/(1+df)) + 1. */
export function fitIdf(texts: readonly string[], config: FeatureConfig): Float32Array {
  const documentFrequency = new Uint32Array(config.buckets);
  for (const text of texts) {
    const seen = new Set<number>();
    for (const counts of hashedCountsByGroup(text, config)) for (const bucket of counts.keys()) seen.add(bucket);
    for (const bucket of seen) documentFrequency[bucket]++;
  }
  const idf = new Float32Array(config.buckets);
  for (let b = 0; b < config.buckets; b++) idf[b] = Math.log((1 + texts.length) / (1 + documentFrequency[b])) + 1;
  return idf;
}

/**
 * Sublinear TF x IDF, each feature group L2-normalised; buckets hit by both groups add up.
 * Indices come out sorted so equal texts give identical vectors.
 */
export function vectorise(text: string, config: FeatureConfig, idf: Float32Array): SparseVector {
  const merged = new Map<number, number>();
  for (const counts of hashedCountsByGroup(text, config)) {
    let squaredNorm = 0;
    const weighted: Array<[number, number]> = [];
    for (const [bucket, count] of counts) {
      const value = (1 + Math.log(count)) * idf[bucket];
      weighted.push([bucket, value]);
      squaredNorm += value * value;
    }
    const norm = Math.sqrt(squaredNorm) || 1;
    for (const [bucket, value] of weighted) merged.set(bucket, (merged.get(bucket) ?? 0) + value / norm);
  }
  const indices = Int32Array.from(merged.keys()).sort();
  const values = Float32Array.from(indices, (bucket) => merged.get(bucket)!);
  return { indices, values };
}
