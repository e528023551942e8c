import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seededRandom } from '../../data/datasets';
import { EmbeddingCache } from '../../training/embedding-cache';
import { headAccuracy, trainHead, uploadHead, type HeadExample } from './encoder-head';
import { readEncoderHeadModel, saveEncoderHeadModel } from './encoder-model-store';
import { tfRuntime } from '../../runtime/tf-runtime';

/** Three separable clusters in 16 dimensions, drawn from a seeded generator. */
function clusters(n: number, seed: number): HeadExample[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const target = i % 3;
    const dense = new Float32Array(16).map((_, d) => (d % 3 === target ? 1 : 0) + (random() - 0.5) * 0.8);
    return { dense, target };
  });
}

describe('encoder heads', () => {
  const config = { seed: 3, hidden: 8, learningRate: 0.01, batchSize: 16, epochs: 6, dropout: 0.1, l2: 0 };

  test('training is deterministic for a seed and learns separable data', async () => {
    const { tf } = await tfRuntime();
    const train = clusters(300, 1);
    const holdout = clusters(90, 2);
    const a = trainHead(tf, config, train, undefined, holdout);
    const b = trainHead(tf, config, train, undefined, holdout);
    expect(Array.from(a.head.w1)).toEqual(Array.from(b.head.w1));
    expect(a.bestEpoch).toBe(b.bestEpoch);
    const uploaded = uploadHead(tf, a.head);
    expect(headAccuracy(tf, uploaded, holdout)).toBeGreaterThan(0.9);
    uploaded.dispose();
  });

  test('an artifact round-trips through model.json + weights.bin', async () => {
    const { tf } = await tfRuntime();
    const { head } = trainHead(tf, { ...config, epochs: 1 }, clusters(60, 4), undefined, undefined);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'enc-head-'));
    const encoder = { name: 'all-MiniLM-L6-v2', maxLength: 256, safetensorsSha256: 'x' };
    saveEncoderHeadModel(dir, { encoder, sentence: head, entity: head }, { version: 'enc-test', createdAt: new Date(0).toISOString() });
    const back = readEncoderHeadModel(dir, 'enc-test');
    expect(back.encoder).toEqual(encoder);
    expect(Array.from(back.sentence.w2)).toEqual(Array.from(head.w2));
    expect(Array.from(back.entity!.b1)).toEqual(Array.from(head.b1));
  });

  test('the embedding cache persists appended vectors and reopens them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'enc-cache-'));
    const cache = new EmbeddingCache(dir, 'x', 4);
    cache.putMany([[EmbeddingCache.key('a'), new Float32Array([1, 2, 3, 4])]]);
    cache.putMany([[EmbeddingCache.key('b'), new Float32Array([5, 6, 7, 8])]]);
    const reopened = new EmbeddingCache(dir, 'x', 4);
    expect(reopened.size).toBe(2);
    expect(Array.from(reopened.get(EmbeddingCache.key('b'))!)).toEqual([5, 6, 7, 8]);
  });
});
