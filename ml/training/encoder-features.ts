/** Frozen-encoder features for texts and entity spans, through the on-disk cache. */
import { EmbeddingCache } from './embedding-cache';
import type { SentenceEncoder } from '../serving/accurate/encoder';

export interface EmbedItem {
  text: string;
  /** Character spans whose contextual embeddings are wanted too. */
  spans?: Array<[number, number]>;
}

export function sentenceKey(encoder: SentenceEncoder, encoderId: string, text: string): string {
  return EmbeddingCache.key(encoderId, encoder.maxLength, text);
}

export function spanKey(encoder: SentenceEncoder, encoderId: string, text: string, span: [number, number]): string {
  return EmbeddingCache.key(encoderId, encoder.maxLength, text, span[0], span[1]);
}

/**
 * Computes whatever the cache lacks, shortest texts first in batches of `batchSize`
 * (sequence-length bucketing), and stores it. `onProgress(done, total)` after each batch.
 */
export function ensureEmbeddings(
  encoder: SentenceEncoder,
  encoderId: string,
  cache: EmbeddingCache,
  items: readonly EmbedItem[],
  opts: { batchSize?: number; onProgress?: (done: number, total: number) => void } = {},
): void {
  const byText = new Map<string, Set<string>>();
  for (const item of items) {
    const spans = byText.get(item.text) ?? new Set<string>();
    for (const s of item.spans ?? []) spans.add(`${s[0]}:${s[1]}`);
    byText.set(item.text, spans);
  }
  const todo: Array<{ text: string; ids: number[]; charSpans: Array<[number, number]> }> = [];
  for (const [text, spanSet] of byText) {
    const charSpans = [...spanSet].map((s) => s.split(':').map(Number) as [number, number]).filter((s) => !cache.has(spanKey(encoder, encoderId, text, s)));
    if (cache.has(sentenceKey(encoder, encoderId, text)) && charSpans.length === 0) continue;
    todo.push({ text, ids: encoder.tokenizer.encode(text, encoder.maxLength).ids, charSpans });
  }
  todo.sort((a, b) => a.ids.length - b.ids.length || (a.text < b.text ? -1 : 1));
  const batchSize = opts.batchSize ?? 32;
  for (let start = 0; start < todo.length; start += batchSize) {
    const batch = todo.slice(start, start + batchSize);
    const tokenSpans = batch.map((b) => b.charSpans.map((s) => encoder.tokenSpan(b.text, s[0], s[1])));
    const { pooled, spans } = encoder.embedIdsWithSpans(
      batch.map((b) => b.ids),
      tokenSpans,
    );
    const entries: Array<[string, Float32Array]> = [];
    batch.forEach((b, row) => {
      entries.push([sentenceKey(encoder, encoderId, b.text), pooled.slice(row * encoder.dim, (row + 1) * encoder.dim)]);
      b.charSpans.forEach((s, k) => entries.push([spanKey(encoder, encoderId, b.text, s), spans[row][k]]));
    });
    cache.putMany(entries);
    opts.onProgress?.(Math.min(start + batchSize, todo.length), todo.length);
  }
}
