/**
 * Near-duplicate detection for news: one story told by several feeds (a wire original, its
 * syndicated reprints, rewrites by other outlets). Text -> normalised content words -> shingles
 * (words and word pairs) -> a MinHash signature, whose share of equal slots estimates the Jaccard
 * similarity of the shingle sets. Signatures are small fixed-size integer arrays, so they can be
 * stored with the article and compared later without the text.
 *
 * Why words and word pairs rather than character n-grams: syndicated copies keep whole sentences
 * (pairs match), rewrites keep the facts (names, numbers, key nouns: single words match), and
 * different stories about the same company share little beyond its name.
 */

/** Slots in a signature: the similarity estimate's standard error is about sqrt(J(1-J)/128) <= 0.045. */
export const SIGNATURE_SIZE = 128;

const STOPWORDS = new Set(
  ('a an and are as at be been but by for from has have he her his in into is it its of on or our that the their this to was were will with ' +
    'after about over than said says say would could also more new its inc corp co ltd plc company companies percent per cent ' +
    'on monday tuesday wednesday thursday friday saturday sunday year years quarter quarterly').split(' '),
);

/** Outlet boilerplate that syndicated copies append: never part of the story. */
const BOILERPLATE = [
  /\b(read more|click here|stay informed|sign up|subscribe)\b[^.]*\.?/gi,
  /\bcopyright \d{4}[^.]*\.?/gi,
  /\ball rights reserved\.?/gi,
  /\bthis (story|article) was (syndicated|originally published)[^.]*\.?/gi,
  /\breporting by [^.]*\.?/gi,
  /^\s*\(?(reuters|bloomberg|ap|afp|dow jones)\)?\s*[-–—:]\s*/i,
];

/** A crude suffix strip so "rises"/"rise", "deliveries"/"delivery" meet; not a full stemmer. */
function stem(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 4 && word.endsWith('es') && /(ss|sh|ch|x)es$/.test(word)) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/** Lower-case content words of a text, boilerplate and stopwords removed; numbers kept ("4.2", "9,000" -> "9000"). */
export function contentWords(text: string): string[] {
  let t = text;
  for (const re of BOILERPLATE) t = t.replace(re, ' ');
  t = t
    .toLowerCase()
    .replace(/(\d),(\d{3})/g, '$1$2')
    .replace(/[’']s\b/g, '')
    .replace(/[^a-z0-9.$%]+/g, ' ')
    .replace(/(?<!\d)\.|\.(?!\d)/g, ' ');
  return t
    .split(/\s+/)
    .filter((w) => w && !STOPWORDS.has(w))
    .map(stem);
}

/** The shingle set: every content word and every pair of neighbouring content words. */
export function shingles(text: string): Set<string> {
  const words = contentWords(text);
  const out = new Set<string>(words);
  for (let i = 1; i < words.length; i++) out.add(`${words[i - 1]} ${words[i]}`);
  return out;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's 32-bit finaliser: a cheap, well-mixing permutation of 32-bit integers. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const SEEDS = Uint32Array.from({ length: SIGNATURE_SIZE }, (_, i) => mix(0x9e3779b9 ^ Math.imul(i + 1, 0x7feb352d)));

/** MinHash signature of a text (title and summary joined). Empty text: all slots 0xffffffff. */
export function minhashSignature(text: string): number[] {
  const sig = new Uint32Array(SIGNATURE_SIZE).fill(0xffffffff);
  for (const s of shingles(text)) {
    const h = fnv1a(s);
    for (let i = 0; i < SIGNATURE_SIZE; i++) {
      const v = mix(h ^ SEEDS[i]);
      if (v < sig[i]) sig[i] = v;
    }
  }
  return Array.from(sig);
}

/** Estimated Jaccard similarity of two signatures: the share of equal slots (0 when either is empty). */
export function signatureSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== SIGNATURE_SIZE || b.length !== SIGNATURE_SIZE) throw new RangeError(`signatures must have ${SIGNATURE_SIZE} slots`);
  let same = 0;
  let empty = true;
  for (let i = 0; i < SIGNATURE_SIZE; i++) {
    if (a[i] === b[i]) same++;
    if (a[i] !== 0xffffffff) empty = false;
  }
  return empty ? 0 : same / SIGNATURE_SIZE;
}

/** Exact Jaccard similarity of the two texts' shingle sets (the quantity MinHash estimates). */
export function jaccard(a: string, b: string): number {
  const x = shingles(a);
  const y = shingles(b);
  if (x.size === 0 || y.size === 0) return 0;
  let inter = 0;
  for (const s of x) if (y.has(s)) inter++;
  return inter / (x.size + y.size - inter);
}

/** The text a story signature is taken from: title and summary, as stored. */
export const storyText = (title: string, summary: string | null | undefined): string => `${title}\n${summary ?? ''}`;

/**
 * Threshold chosen on the labelled pairs of this project (test/fixtures/stories; see
 * near-duplicate.test.ts, which re-derives it on one half and measures precision and recall on
 * the other): the highest-F1 cut of the signature similarity. It is low because independent
 * rewrites share only the facts (names, figures), about 0.04-0.2 of their shingles; different
 * stories of one ticker share about 0.02. Candidates are limited to articles that share a ticker
 * and fall within STORY_WINDOW_MS, which keeps unrelated stories that happen to share words apart.
 */
export const STORY_SIMILARITY_THRESHOLD = 0.07;

/** Articles more than this apart are different stories whatever their text (a recurring headline). */
export const STORY_WINDOW_MS = 48 * 3_600_000;

export interface StoryCandidate {
  id: string;
  storyId: string;
  publishedAt: Date;
  signature: ArrayLike<number>;
}

/**
 * The story an article joins: that of its most similar candidate within the window and at or
 * above the threshold, or null (a new story). Ties go to the earlier candidate, so the result does
 * not depend on the order candidates were loaded in.
 */
export function matchStory(
  article: { publishedAt: Date; signature: ArrayLike<number> },
  candidates: StoryCandidate[],
  threshold = STORY_SIMILARITY_THRESHOLD,
  windowMs = STORY_WINDOW_MS,
): { storyId: string; similarity: number; matchedId: string } | null {
  let best: { storyId: string; similarity: number; matchedId: string; t: number } | null = null;
  for (const c of candidates) {
    if (Math.abs(c.publishedAt.getTime() - article.publishedAt.getTime()) > windowMs) continue;
    const similarity = signatureSimilarity(article.signature, c.signature);
    if (similarity < threshold) continue;
    const t = c.publishedAt.getTime();
    if (!best || similarity > best.similarity || (similarity === best.similarity && (t < best.t || (t === best.t && c.id < best.matchedId)))) {
      best = { storyId: c.storyId, similarity, matchedId: c.id, t };
    }
  }
  return best && { storyId: best.storyId, similarity: best.similarity, matchedId: best.matchedId };
}

export interface PairScore {
  score: number;
  same: boolean;
}

export interface PrecisionRecall {
  threshold: number;
  precision: number;
  recall: number;
  f1: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
}

/** Precision and recall of "same story" = score >= threshold over labelled pairs. */
export function precisionRecall(pairs: PairScore[], threshold: number): PrecisionRecall {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const p of pairs) {
    const predicted = p.score >= threshold;
    if (predicted && p.same) tp++;
    else if (predicted) fp++;
    else if (p.same) fn++;
  }
  const precision = tp + fp ? tp / (tp + fp) : 1;
  const recall = tp + fn ? tp / (tp + fn) : 1;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { threshold, precision, recall, f1, truePositives: tp, falsePositives: fp, falseNegatives: fn };
}

/** The threshold on a 0.01 grid with the best F1 (ties: the higher threshold, fewer false merges). */
export function chooseThreshold(pairs: PairScore[]): PrecisionRecall {
  let best = precisionRecall(pairs, 1);
  for (let k = 100; k >= 1; k--) {
    const r = precisionRecall(pairs, k / 100);
    if (r.f1 > best.f1) best = r;
  }
  return best;
}
