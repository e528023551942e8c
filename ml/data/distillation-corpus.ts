/**
 * Text the fast tier is distilled on: real financial (and some general) text scored by the
 * accurate tier. Labelled rows keep their gold label beside the soft one; unlabelled text
 * (StockTwits messages, feed titles, GoEmotions comments) contributes soft labels only.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { articlesFromFeedBody } from '../../domain/feeds/articles-from-feed';
import { splitSentences } from '../../domain/sentiment/long-text';
import { buildSplits, readLabelledCsv, seededRandom, shuffleInPlace, type SentimentDataFiles } from './datasets';
import { entitySplit, readSentfinEntities } from './entity-data';
import type { SentimentLabel } from '../../domain/sentiment/types';

export type CorpusSource = 'early-stopping' | 'twitter-valid' | 'sentfin-test-20' | 'stocktwits' | 'feeds' | 'twitter-train' | 'sentfin-train' | 'goemotions';

export interface CorpusText {
  text: string;
  source: CorpusSource;
}

export interface CorpusDirs {
  /** ../shared/data/emotions (emtract/train.csv, goemotions-ekman/{train,dev,test}.tsv): text only is used. */
  emotionsDir?: string;
  /** ../shared/data/feeds: every RSS/Atom file's item titles and the sentences of their summaries. */
  feedsDir?: string;
}

/**
 * The texts of the accurate tier's fine-tuning, in the order cli/train-finetune.ts collects them
 * (sentence rows, then entity-only headlines), and its early-stopping tenth: the first 10 % after a
 * shuffle seeded with seed + 1. The accurate tier never trained on these, so they are where its
 * calibration and decision rule are chosen.
 */
export function earlyStoppingCut<T>(items: readonly T[], seed: number, fraction = 0.1): { fit: T[]; stop: T[] } {
  const shuffled = shuffleInPlace([...items], seededRandom(seed + 1));
  const stopCount = Math.round(shuffled.length * fraction);
  return { stop: shuffled.slice(0, stopCount), fit: shuffled.slice(stopCount) };
}

/** Early-stopping rows (with a sentence label) of an accurate-tier fine-tuning run with `seed`. */
export function accurateEarlyStoppingRows(files: SentimentDataFiles, seed = 7, splitSeed = 42): Array<{ text: string; label: SentimentLabel }> {
  const splits = buildSplits(files, splitSeed);
  const entities = entitySplit(files.sentfin, splitSeed);
  const texts = new Map<string, { text: string; label?: SentimentLabel }>();
  for (const r of splits.train) if (!texts.has(r.text)) texts.set(r.text, { text: r.text, label: r.label });
  for (const h of entities.train) if (!texts.has(h.text)) texts.set(h.text, { text: h.text });
  return earlyStoppingCut([...texts.values()], seed).stop.flatMap((t) => (t.label ? [{ text: t.text, label: t.label }] : []));
}

/** The emotion-tagged StockTwits messages' text (their emotion labels are not used here). */
export function readEmtractTexts(file: string): string[] {
  const records = parse(fs.readFileSync(file), { columns: true, skip_empty_lines: true, bom: true, relax_quotes: true }) as Array<{ text?: string }>;
  return records.map((r) => r.text ?? '').filter((t) => t.trim().length > 0);
}

export function readGoEmotionsTexts(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.split('\t')[0])
    .filter((t) => t && t.trim().length > 0);
}

/**
 * Every RSS/Atom file's item titles, then the sentences of the items' summaries (descriptions),
 * as the scoring activity cuts an article body (`splitSentences`): more real financial text.
 */
export function readFeedTexts(dir: string): string[] {
  const titles: string[] = [];
  const sentences: string[] = [];
  for (const name of fs.readdirSync(dir).sort()) {
    if (!/\.(xml|rss|atom)$/i.test(name)) continue;
    const { articles } = articlesFromFeedBody(fs.readFileSync(path.join(dir, name)), { fetchedAt: new Date(0), maxItems: 100_000 });
    for (const a of articles) {
      if (a.title) titles.push(a.title);
      for (const s of splitSentences(a.summary)) if (/\p{L}{3}/u.test(s.text)) sentences.push(s.text);
    }
  }
  return [...titles, ...sentences];
}

/** Every text of a labelled source (train and evaluation files), to leave a source out entirely. */
export function sourceTexts(files: SentimentDataFiles, source: 'twitter' | 'sentfin'): Set<string> {
  if (source === 'twitter') return new Set([...readLabelledCsv(files.twitterTrain), ...readLabelledCsv(files.twitterValid)].map((r) => r.text));
  return new Set(readSentfinEntities(files.sentfin).map((h) => h.text));
}

/** Every text, deduplicated, in priority order (see cli/soft-labels.ts). */
export function distillationCorpus(files: SentimentDataFiles, dirs: CorpusDirs, seed = 7, splitSeed = 42): CorpusText[] {
  const splits = buildSplits(files, splitSeed);
  const seen = new Set<string>();
  const out: CorpusText[] = [];
  const add = (source: CorpusSource, texts: Iterable<string>) => {
    for (const text of texts) {
      if (seen.has(text)) continue;
      seen.add(text);
      out.push({ text, source });
    }
  };
  add('early-stopping', accurateEarlyStoppingRows(files, seed, splitSeed).map((r) => r.text));
  for (const e of splits.evaluations) add(e.name as CorpusSource, e.rows.map((r) => r.text));
  if (dirs.emotionsDir) add('stocktwits', readEmtractTexts(path.join(dirs.emotionsDir, 'emtract', 'train.csv')));
  if (dirs.feedsDir) add('feeds', readFeedTexts(dirs.feedsDir));
  const twitterTrain = new Set(readLabelledCsv(files.twitterTrain).map((r) => r.text));
  add('twitter-train', [...twitterTrain]);
  add('sentfin-train', splits.train.map((r) => r.text).filter((t) => !twitterTrain.has(t)));
  if (dirs.emotionsDir) {
    // GoEmotions' dev and test comments too: only their text is used, and nothing evaluates on them
    const goemotions = ['train.tsv', 'dev.tsv', 'test.tsv'].map((f) => path.join(dirs.emotionsDir!, 'goemotions-ekman', f)).filter((f) => fs.existsSync(f));
    add('goemotions', shuffleInPlace(goemotions.flatMap(readGoEmotionsTexts), seededRandom(seed)));
  }
  return out;
}
