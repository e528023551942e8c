/** Reading the labelled emotion data: `text,label` CSVs (EmTract) and GoEmotions' Ekman TSVs. */
import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { EMOTION_LABELS, emotionIndex, parseEmotionLabel, type EmotionLabel } from '../../domain/emotions/labels';

export interface EmotionRow {
  text: string;
  label: EmotionLabel;
}

/** A `text,label` CSV; a row whose label is not an emotion is an error naming the row. */
export function readEmotionCsv(file: string): EmotionRow[] {
  const records = parse(fs.readFileSync(file), { columns: true, skip_empty_lines: true, bom: true, relax_quotes: true }) as Array<Record<string, string>>;
  return records.map((r, i) => {
    if (r.text === undefined || r.label === undefined) throw new Error(`${file}: row ${i + 2} lacks a text or label column (header must be "text,label")`);
    try {
      return { text: r.text, label: parseEmotionLabel(r.label) };
    } catch (err) {
      throw new Error(`${file}: row ${i + 2}: ${(err as Error).message}`, { cause: err });
    }
  });
}

export interface MultiLabelRow {
  text: string;
  /** Indexes into EMOTION_LABELS, one or more. */
  labels: number[];
}

/**
 * GoEmotions `text<TAB>ids<TAB>comment id`, ids indexing `labelNames` (labels.txt: anger,
 * disgust, fear, joy, neutral, sadness, surprise), mapped to our class order.
 */
export function parseGoEmotionsTsv(body: string, labelNames: readonly string[]): MultiLabelRow[] {
  const map = labelNames.map((n) => emotionIndex(parseEmotionLabel(n)));
  const rows: MultiLabelRow[] = [];
  for (const line of body.split('\n')) {
    if (!line.trim()) continue;
    const [text, ids] = line.split('\t');
    if (!text || ids === undefined) continue;
    const labels = [...new Set(ids.split(',').map((id) => map[Number(id)]))];
    if (labels.some((l) => l === undefined || l < 0)) throw new Error(`GoEmotions row with unknown label ids "${ids}"`);
    rows.push({ text, labels });
  }
  return rows;
}

/** A multi-label row as a soft target: equal mass on each of its labels. */
export function softTarget(labels: readonly number[]): Float32Array {
  const t = new Float32Array(EMOTION_LABELS.length);
  for (const l of labels) t[l] = 1 / labels.length;
  return t;
}
