/** The Python-made reference fixture (scripts/encoder_reference.py) the encoder tests compare against. */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { repoRoot } from '../../config/paths';
import { halfToFloat } from '../../ml';

export interface EncoderReference {
  encoder: string;
  maxLength: number;
  texts: string[];
  ids: number[][];
  embeddingCount: number;
  dim: number;
  /** embeddingCount x dim, decoded from float16 */
  embeddings: Float32Array;
}

export function readEncoderReference(file = path.join(repoRoot(), 'test', 'fixtures', 'encoder', 'minilm-reference.json.gz')): EncoderReference {
  const raw = JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8')) as Omit<EncoderReference, 'embeddings'> & { embeddingsFloat16Base64: string };
  const bytes = Buffer.from(raw.embeddingsFloat16Base64, 'base64');
  const halves = new Uint16Array(new Uint8Array(bytes).buffer);
  const embeddings = new Float32Array(halves.length);
  for (let i = 0; i < halves.length; i++) embeddings[i] = halfToFloat(halves[i]);
  return { encoder: raw.encoder, maxLength: raw.maxLength, texts: raw.texts, ids: raw.ids, embeddingCount: raw.embeddingCount, dim: raw.dim, embeddings };
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}
