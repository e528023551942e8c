/**
 * Token hidden states of the frozen lower encoder layers, one [tokens, hidden] block per text,
 * kept in memory and on disk (git-ignored, under .cache/), so fine-tuning the top layers runs
 * the frozen part once per text, ever. The file is `<name>.f32` (blocks in order) beside
 * `<name>.json` (per block: key and token count).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { SentenceEncoder } from '../serving/accurate/encoder';

export class HiddenStateCache {
  private readonly blocks = new Map<string, Float32Array>();

  constructor(readonly dim: number) {}

  static key(encoderId: string, fromLayer: number, ids: readonly number[]): string {
    return crypto.createHash('sha256').update(`${encoderId}\u0000${fromLayer}\u0000${ids.join(',')}`).digest('hex').slice(0, 32);
  }

  get(key: string): Float32Array | undefined {
    return this.blocks.get(key);
  }

  has(key: string): boolean {
    return this.blocks.has(key);
  }

  get size(): number {
    return this.blocks.size;
  }

  put(key: string, states: Float32Array): void {
    if (states.length % this.dim !== 0) throw new Error(`hidden states of length ${states.length} are not rows of ${this.dim}`);
    this.blocks.set(key, states);
  }

  save(dir: string, name: string): void {
    fs.mkdirSync(dir, { recursive: true });
    const index = [...this.blocks.entries()].map(([key, v]) => ({ key, tokens: v.length / this.dim }));
    const tmp = path.join(dir, `${name}.f32.tmp`);
    const fd = fs.openSync(tmp, 'w');
    try {
      for (const v of this.blocks.values()) fs.writeSync(fd, new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, path.join(dir, `${name}.f32`));
    fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ dim: this.dim, blocks: index }));
  }

  /** Loads a saved cache, or returns an empty one when there is none. */
  static load(dir: string, name: string, dim: number): HiddenStateCache {
    const cache = new HiddenStateCache(dim);
    const indexFile = path.join(dir, `${name}.json`);
    const dataFile = path.join(dir, `${name}.f32`);
    if (!fs.existsSync(indexFile) || !fs.existsSync(dataFile)) return cache;
    const index = JSON.parse(fs.readFileSync(indexFile, 'utf8')) as { dim: number; blocks: Array<{ key: string; tokens: number }> };
    if (index.dim !== dim) return cache;
    const bytes = fs.readFileSync(dataFile);
    const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    let offset = 0;
    for (const { key, tokens } of index.blocks) {
      cache.blocks.set(key, all.subarray(offset, offset + tokens * dim));
      offset += tokens * dim;
    }
    return cache;
  }
}

/**
 * Computes the input of layer `fromLayer` for every token-id row the cache lacks, shortest
 * first in batches (each padded only to its own longest row).
 */
export function ensureHiddenStates(
  encoder: SentenceEncoder,
  encoderId: string,
  fromLayer: number,
  cache: HiddenStateCache,
  rowsIds: readonly number[][],
  opts: { batchSize?: number; onProgress?: (done: number, total: number) => void } = {},
): void {
  const seen = new Set<string>();
  const todo: Array<{ key: string; ids: readonly number[] }> = [];
  for (const ids of rowsIds) {
    const key = HiddenStateCache.key(encoderId, fromLayer, ids);
    if (cache.has(key) || seen.has(key)) continue;
    seen.add(key);
    todo.push({ key, ids });
  }
  todo.sort((a, b) => a.ids.length - b.ids.length || (a.key < b.key ? -1 : 1));
  const batchSize = opts.batchSize ?? 32;
  const H = encoder.dim;
  for (let start = 0; start < todo.length; start += batchSize) {
    const batch = todo.slice(start, start + batchSize);
    const { ids, mask, rows, length } = encoder.pad(batch.map((b) => [...b.ids]));
    const states = encoder.hiddenStates(ids, mask, rows, length, fromLayer);
    const flat = states.dataSync() as Float32Array;
    states.dispose();
    batch.forEach((b, row) => cache.put(b.key, flat.slice(row * length * H, (row * length + b.ids.length) * H)));
    opts.onProgress?.(Math.min(start + batchSize, todo.length), todo.length);
  }
}
