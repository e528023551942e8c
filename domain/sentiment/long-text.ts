/**
 * Long text (paragraphs, article bodies): the models were trained on headlines and sentences, and
 * a whole paragraph in one pass blurs (issue 22) and is cut at MAX_SCORED_CHARS. So a body is
 * scored by sentences (long sentences by windows of words), and the sentence scores are
 * aggregated: for the document, and per company over the sentences that name it. A body that
 * has nothing to do with its title (feed boilerplate, issue 10) is not scored: the title alone is.
 */
import type { ClassProbabilities, SentimentLabel, SentimentScore } from './types';

export interface TextSegment {
  text: string;
  start: number;
  end: number;
}

/** Abbreviations after which a full stop does not end a sentence. */
const ABBREVIATIONS = new Set(['inc', 'corp', 'co', 'ltd', 'plc', 'llc', 'mr', 'mrs', 'ms', 'dr', 'st', 'jr', 'sr', 'no', 'vs', 'etc', 'e.g', 'i.e', 'u.s', 'u.k', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec']);

/** Longest segment, in words, before a sentence is cut into windows (headline-like lengths). */
export const MAX_SEGMENT_WORDS = 40;

/**
 * Sentences of `text` with their character spans: a sentence ends at . ! or ? followed by
 * white space and an upper-case letter, digit or quote, except after a known abbreviation or a
 * single initial ("J. Smith"); line breaks between paragraphs end one too. Sentences longer
 * than `maxWords` are cut into windows of whole words.
 */
export function splitSentences(text: string, maxWords = MAX_SEGMENT_WORDS): TextSegment[] {
  const out: TextSegment[] = [];
  const push = (start: number, end: number) => {
    while (start < end && /\s/.test(text[start])) start++;
    while (end > start && /\s/.test(text[end - 1])) end--;
    if (end > start) out.push(...windows(text, start, end, maxWords));
  };
  let start = 0;
  const boundary = /([.!?])["'”’)]*\s+(?=["'“‘(]?[\p{Lu}\p{N}$])|\n\s*\n/gu;
  for (const match of text.matchAll(boundary)) {
    const at = match.index!;
    if (match[1] === '.') {
      const before = text.slice(start, at).match(/([\p{L}.]+)$/u)?.[1]?.toLowerCase() ?? '';
      if (ABBREVIATIONS.has(before) || /^\p{L}$/u.test(before)) continue;
    }
    const end = at + (match[1] ? match[0].length - match[0].replace(/^[.!?]["'”’)]*/u, '').length : 0);
    push(start, end);
    start = at + match[0].length;
  }
  push(start, text.length);
  return out;
}

function windows(text: string, start: number, end: number, maxWords: number): TextSegment[] {
  const words = [...text.slice(start, end).matchAll(/\S+/g)];
  if (words.length <= maxWords) return [{ text: text.slice(start, end), start, end }];
  const out: TextSegment[] = [];
  for (let i = 0; i < words.length; i += maxWords) {
    const first = words[i];
    const last = words[Math.min(i + maxWords, words.length) - 1];
    const s = start + first.index!;
    const e = start + last.index! + last[0].length;
    out.push({ text: text.slice(s, e), start: s, end: e });
  }
  return out;
}

const STOPWORDS = new Set(['the', 'a', 'an', 'of', 'to', 'in', 'on', 'for', 'and', 'or', 'with', 'as', 'at', 'by', 'its', 'it', 'is', 'are', 'was', 'be', 'from', 'that', 'this', 'after', 'over', 'new', 'says', 'said']);

function contentWords(text: string): Set<string> {
  return new Set((text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.length > 2 && !STOPWORDS.has(w)));
}

/**
 * Whether a body is about its title: it shares at least `minShared` of the title's content words.
 * Feed summaries that are boilerplate (a filing type's fixed description, a publisher's blurb)
 * share none, and scoring them with the title pulled both tiers toward neutral (issue 10:
 * twitter valid 0.838 -> 0.735 fast, 0.810 -> 0.760 accurate), so those stay title-only.
 */
export function bodyIsAboutTitle(title: string, body: string, minShared = 0.34): boolean {
  const titleWords = contentWords(title);
  if (titleWords.size === 0) return false;
  const bodyWords = contentWords(body);
  let shared = 0;
  for (const w of titleWords) if (bodyWords.has(w)) shared++;
  return shared / titleWords.size >= minShared;
}

export interface AggregatedSentiment {
  label: SentimentLabel;
  score: number;
  probabilities: ClassProbabilities;
  /** How many segment scores went in. */
  segments: number;
}

/**
 * One score from several segment scores: the mean of their probabilities, each weighted by how
 * far it is from neutral (0.05 + (1 − P(neutral))²), so one clear sentence among several
 * routine ones (dates, names, boilerplate) still carries the paragraph, while routine sentences
 * cannot outvote it just by number. Null when none of the segments was scored.
 */
export function aggregateScores(scores: readonly SentimentScore[]): AggregatedSentiment | null {
  const scored = scores.filter((s) => s.probabilities !== null);
  if (scored.length === 0) return null;
  let total = 0;
  const sum = { negative: 0, neutral: 0, positive: 0 };
  for (const s of scored) {
    const p = s.probabilities!;
    const weight = 0.05 + (1 - p.neutral) ** 2;
    total += weight;
    sum.negative += weight * p.negative;
    sum.neutral += weight * p.neutral;
    sum.positive += weight * p.positive;
  }
  const probabilities = { negative: sum.negative / total, neutral: sum.neutral / total, positive: sum.positive / total };
  const label: SentimentLabel =
    probabilities.positive >= probabilities.neutral && probabilities.positive >= probabilities.negative ? 'positive' : probabilities.negative >= probabilities.neutral ? 'negative' : 'neutral';
  return { label, score: probabilities.positive - probabilities.negative, probabilities, segments: scored.length };
}

/** Character spans of each company's mentions (any of its names or tickers, whole words, any case). */
export function companyMentions(text: string, companies: ReadonlyArray<{ key: string; names: readonly string[] }>): Map<string, Array<[number, number]>> {
  const out = new Map<string, Array<[number, number]>>();
  for (const company of companies) {
    const spans: Array<[number, number]> = [];
    for (const name of company.names) {
      if (!name.trim()) continue;
      const escaped = name.trim().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      for (const m of text.matchAll(new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'giu'))) spans.push([m.index!, m.index! + m[0].length]);
    }
    if (spans.length > 0) out.set(company.key, spans.sort((a, b) => a[0] - b[0]));
  }
  return out;
}
