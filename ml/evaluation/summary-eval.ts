/**
 * Labelled title + summary pairs built from what exists (there is no labelled set of whole
 * articles): measures of whether scoring the summary beside the title helps or hurts.
 *
 * - `withUnrelatedSummaries`: each labelled headline gets a real feed summary about something
 *   else (SEC press releases and filings: neutral, regulatory prose). The label stays the
 *   headline's. Shows robustness: how much a summary that carries no sentiment of its own
 *   drags the score away from the headline's. It cannot show a gain.
 * - `withAgreeingSummaries`: each labelled headline gets another headline of the same label
 *   from the same file as its "summary". Shows whether more text that agrees adds evidence.
 *   Real summaries usually restate the title rather than add an independent sentence, so
 *   this is an optimistic stand-in for a gain, not a measurement of one.
 */
import { seededRandom, shuffleInPlace, type LabelledText } from '../data/datasets';
import { articleText } from './article-text';

export interface TitledExample {
  title: string;
  summary: string;
  /** articleText(title, summary) */
  text: string;
  label: LabelledText['label'];
}

export function withUnrelatedSummaries(rows: readonly LabelledText[], summaries: readonly string[]): TitledExample[] {
  const pool = [...new Set(summaries.map((s) => s.trim()).filter(Boolean))];
  if (pool.length === 0) throw new Error('no summaries to append');
  return rows.map((r, i) => {
    const summary = pool[i % pool.length];
    return { title: r.text, summary, text: articleText(r.text, summary), label: r.label };
  });
}

/** Pairs each row with a different row of the same label, drawn by a seeded shuffle; rows whose label has no partner are left out. */
export function withAgreeingSummaries(rows: readonly LabelledText[], seed = 7): TitledExample[] {
  const random = seededRandom(seed);
  const byLabel = new Map<string, number[]>();
  rows.forEach((r, i) => byLabel.set(r.label, [...(byLabel.get(r.label) ?? []), i]));
  const partner = new Map<number, number>();
  for (const indices of byLabel.values()) {
    if (indices.length < 2) continue;
    const shuffled = [...indices];
    shuffleInPlace(shuffled, random);
    // a cyclic shift of a shuffle: everyone gets a partner other than themselves
    shuffled.forEach((at, k) => partner.set(at, shuffled[(k + 1) % shuffled.length]));
  }
  return rows.flatMap((r, i) => {
    const j = partner.get(i);
    if (j === undefined) return [];
    const summary = rows[j].text;
    return [{ title: r.text, summary, text: articleText(r.text, summary), label: r.label }];
  });
}
