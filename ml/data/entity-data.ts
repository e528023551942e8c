/**
 * SEntFiN at entity level: every (headline, entity, label), and the split that keeps the
 * headline-level test headlines out of every training set.
 */
import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { readSentfinConsistent, stratifiedSplit, seededRandom, shuffleInPlace } from './datasets';
import type { SentimentLabel } from '../../domain/sentiment/types';

export interface EntityMention {
  entity: string;
  label: SentimentLabel;
  /** Character span of the entity in the headline, or undefined when it is not found verbatim. */
  span?: [number, number];
}

export interface EntityHeadline {
  text: string;
  entities: EntityMention[];
  /** More than one distinct label among its entities. */
  mixed: boolean;
}

/**
 * Entity names and labels from a `Decisions` cell. Names may hold unescaped apostrophes
 * ("{'Lakshmi Vilas' Bank': 'negative'}"), so a name is everything between an opening quote
 * after `{` or `, ` and the `': '<label>'` that ends it.
 */
export function parseSentfinEntities(decisions: string): Array<{ entity: string; label: SentimentLabel }> {
  const out: Array<{ entity: string; label: SentimentLabel }> = [];
  for (const m of decisions.matchAll(/(?:^\s*\{|,\s*)\s*['"](.*?)['"]\s*:\s*['"](positive|negative|neutral)['"]/gi)) {
    out.push({ entity: m[1], label: m[2].toLowerCase() as SentimentLabel });
  }
  return out;
}

/** Where the entity name occurs in the headline (case-insensitive, whole match preferred at a word start). */
export function findEntitySpan(text: string, entity: string): [number, number] | undefined {
  const lower = text.toLowerCase();
  const needle = entity.toLowerCase().trim();
  if (!needle) return undefined;
  let at = lower.indexOf(needle);
  while (at > 0 && /[\p{L}\p{N}]/u.test(lower[at - 1])) {
    const next = lower.indexOf(needle, at + 1);
    if (next < 0) break;
    at = next;
  }
  return at >= 0 ? [at, at + needle.length] : undefined;
}

export function readSentfinEntities(file: string): EntityHeadline[] {
  const records: Record<string, string>[] = parse(fs.readFileSync(file), { columns: true, skip_empty_lines: true, bom: true, relax_quotes: true });
  const out: EntityHeadline[] = [];
  for (const record of records) {
    if (!record.Title) continue;
    const parsed = parseSentfinEntities(record.Decisions ?? '');
    if (parsed.length === 0) continue;
    const entities = parsed.map((e) => ({ ...e, span: findEntitySpan(record.Title, e.entity) }));
    out.push({ text: record.Title, entities, mixed: new Set(entities.map((e) => e.label)).size > 1 });
  }
  return out;
}

/**
 * Entity-level split consistent with buildSplits: a consistent headline is test exactly when
 * it is in the headline-level SEntFiN test split (same seed); mixed headlines, which the
 * headline-level split leaves out, are split 80/20 with their own seeded shuffle.
 */
export function entitySplit(file: string, splitSeed = 42): { train: EntityHeadline[]; test: EntityHeadline[] } {
  const headlineTest = new Set(stratifiedSplit(readSentfinConsistent(file), 0.2, splitSeed).test.map((r) => r.text));
  const all = readSentfinEntities(file);
  const train: EntityHeadline[] = [];
  const test: EntityHeadline[] = [];
  const mixed: EntityHeadline[] = [];
  for (const h of all) {
    if (h.mixed) mixed.push(h);
    else (headlineTest.has(h.text) ? test : train).push(h);
  }
  shuffleInPlace(mixed, seededRandom(splitSeed + 1000));
  const testCount = Math.round(mixed.length * 0.2);
  test.push(...mixed.slice(0, testCount));
  train.push(...mixed.slice(testCount));
  return { train, test };
}
