/**
 * An on-disk cache of frozen-encoder embeddings (git-ignored, under .cache/), so training
 * and evaluation of heads over the encoder need one slow forward pass per text, ever.
 * Keys are sha256 of (encoder id, text[, entity span]); values are float32 vectors. The
 * cache is append-only: `<name>.keys` (one hex key a line) and `<name>.f32` (rows in order).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export class EmbeddingCache {
  private readonly index = new Map<string, number>();
  private readonly rows: Float32Array[] = [];
  private readonly keysFile: string;
  private readonly dataFile: string;

  constructor(
    dir: string,
    name: string,
    readonly dim: number,
  ) {
    fs.mkdirSync(dir, { recursive: true });
    this.keysFile = path.join(dir, `${name}.keys`);
    this.dataFile = path.join(dir, `${name}.f32`);
    if (fs.existsSync(this.keysFile) && fs.existsSync(this.dataFile)) {
      const keys = fs.readFileSync(this.keysFile, 'utf8').split('\n').filter(Boolean);
      const bytes = fs.readFileSync(this.dataFile);
      const complete = Math.min(keys.length, Math.floor(bytes.length / (dim * 4)));
      const all = new Float32Array(new Uint8Array(bytes.subarray(0, complete * dim * 4)).buffer);
      for (let i = 0; i < complete; i++) {
        this.index.set(keys[i], i);
        this.rows.push(all.subarray(i * dim, (i + 1) * dim));
      }
      if (complete !== keys.length || complete * dim * 4 !== bytes.length) this.rewrite();
    }
  }

  static key(...parts: Array<string | number>): string {
    return crypto.createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
  }

  get(key: string): Float32Array | undefined {
    const at = this.index.get(key);
    return at === undefined ? undefined : this.rows[at];
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  get size(): number {
    return this.rows.length;
  }

  /** Appends vectors (and flushes them to disk at once, so an interrupted run keeps its work). */
  putMany(entries: Array<[string, Float32Array]>): void {
    const fresh = entries.filter(([k]) => !this.index.has(k));
    if (fresh.length === 0) return;
    for (const [k, v] of fresh) {
      if (v.length !== this.dim) throw new Error(`embedding of length ${v.length}, cache holds ${this.dim}`);
      this.index.set(k, this.rows.length);
      this.rows.push(v);
    }
    fs.appendFileSync(this.dataFile, Buffer.concat(fresh.map(([, v]) => Buffer.from(v.buffer, v.byteOffset, v.byteLength))));
    fs.appendFileSync(this.keysFile, fresh.map(([k]) => k).join('\n') + '\n');
  }

  private rewrite(): void {
    const keys = [...this.index.keys()];
    fs.writeFileSync(this.keysFile, keys.map((k) => k + '\n').join(''));
    fs.writeFileSync(this.dataFile, Buffer.concat(this.rows.map((v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength))));
  }
}
