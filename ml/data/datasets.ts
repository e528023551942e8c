/** Reading the labelled sentiment data sets and building the fixed train/eval splits. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { SENTIMENT_LABELS, type SentimentLabel } from '../../domain/sentiment/types';

export interface LabelledText {
  text: string;
  label: SentimentLabel;
}

/** The twitter-financial-news encoding: 0 = bearish, 1 = bullish, 2 = neutral. */
const TWITTER_LABELS: Record<string, SentimentLabel> = { '0': 'negative', '1': 'positive', '2': 'neutral' };

/** Accepts a label name (any case) or the twitter numeric encoding. */
export function parseLabel(raw: string): SentimentLabel {
  const value = raw.trim().toLowerCase();
  if ((SENTIMENT_LABELS as readonly string[]).includes(value)) return value as SentimentLabel;
  const twitter = TWITTER_LABELS[value];
  if (twitter) return twitter;
  if (value === 'bearish') return 'negative';
  if (value === 'bullish') return 'positive';
  throw new Error(`unknown sentiment label "${raw}" (expected negative|neutral|positive or 0|1|2)`);
}

function readRecords(file: string): Record<string, string>[] {
  return parse(fs.readFileSync(file), { columns: true, skip_empty_lines: true, bom: true, relax_quotes: true, trim: false });
}

/** A `text,label` CSV (our eval format and the twitter files). */
export function readLabelledCsv(file: string): LabelledText[] {
  return readRecords(file).map((record, i) => {
    if (record.text === undefined || record.label === undefined) {
      throw new Error(`${file}: row ${i + 2} lacks a text or label column (header must be "text,label")`);
    }
    return { text: record.text, label: parseLabel(record.label) };
  });
}

/**
 * Entity labels from a SEntFiN `Decisions` cell. The cell is a Python dict literal whose
 * entity names may hold unescaped apostrophes ("{'Lakshmi Vilas' Bank': 'negative'}"), so
 * only the `': '<label>'` endings are trusted.
 */
export function parseSentfinDecisions(decisions: string): SentimentLabel[] {
  const labels: SentimentLabel[] = [];
  for (const match of decisions.matchAll(/['"]\s*:\s*['"](positive|negative|neutral)['"]/gi)) {
    labels.push(match[1].toLowerCase() as SentimentLabel);
  }
  return labels;
}

/** SEntFiN headlines whose entities all carry one label; mixed headlines have no single answer. */
export function readSentfinConsistent(file: string): LabelledText[] {
  const rows: LabelledText[] = [];
  for (const record of readRecords(file)) {
    const labels = new Set(parseSentfinDecisions(record.Decisions ?? ''));
    if (labels.size !== 1 || !record.Title) continue;
    rows.push({ text: record.Title, label: [...labels][0] });
  }
  return rows;
}

/** mulberry32: a tiny seeded PRNG so splits and shuffles repeat exactly for a seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** Splits each label's rows separately so both parts keep the class balance. */
export function stratifiedSplit<T extends { label: SentimentLabel }>(
  rows: readonly T[],
  testFraction: number,
  seed: number,
): { train: T[]; test: T[] } {
  const random = seededRandom(seed);
  const train: T[] = [];
  const test: T[] = [];
  for (const label of SENTIMENT_LABELS) {
    const ofLabel = shuffleInPlace(rows.filter((r) => r.label === label), random);
    const testCount = Math.round(ofLabel.length * testFraction);
    test.push(...ofLabel.slice(0, testCount));
    train.push(...ofLabel.slice(testCount));
  }
  return { train, test };
}

export function sha256File(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

export interface SentimentDataFiles {
  twitterTrain: string;
  twitterValid: string;
  sentfin: string;
}

export interface SentimentSplits {
  train: LabelledText[];
  evaluations: Array<{ name: string; rows: LabelledText[] }>;
}

/**
 * train = twitter train + 80% of consistent SEntFiN; evaluate = twitter valid and the other
 * 20%. The split seed is fixed apart from the training seed so every model version is
 * scored on the same held-out headlines.
 */
export function buildSplits(files: SentimentDataFiles, splitSeed = 42): SentimentSplits {
  const sentfin = stratifiedSplit(readSentfinConsistent(files.sentfin), 0.2, splitSeed);
  return {
    train: [...readLabelledCsv(files.twitterTrain), ...sentfin.train],
    evaluations: [
      { name: 'twitter-valid', rows: readLabelledCsv(files.twitterValid) },
      { name: 'sentfin-test-20', rows: sentfin.test },
    ],
  };
}
