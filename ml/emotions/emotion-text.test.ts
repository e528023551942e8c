import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tfRuntime } from '../runtime/tf-runtime';
import { argmaxRows, oneHot, trainEmotionHead, uploadEmotionHead } from './emotion-head';
import { readEmotionModel, saveEmotionModel } from './emotion-model-store';
import { EMOTION_NGRAM_CONFIG, emojiAsWords, emotionSparse, fitEmotionIdf } from './emotion-text';

describe('emotion n-gram features', () => {
  it('spells each emoji as a word of letters, so different emoji get different features', () => {
    const rocket = emojiAsWords('to the moon 🚀🚀');
    expect(rocket).toMatch(/^to the moon {2}xemo[a-z]+x {2}xemo[a-z]+x $/);
    expect(emojiAsWords('😭')).not.toBe(emojiAsWords('😂'));
    expect(emojiAsWords('no emoji here')).toBe('no emoji here');
    const idf = fitEmotionIdf(['🚀 moon', '😭 bags', 'plain text']);
    const a = emotionSparse('🚀', EMOTION_NGRAM_CONFIG, idf);
    const b = emotionSparse('😭', EMOTION_NGRAM_CONFIG, idf);
    expect(a.indices.length).toBeGreaterThan(0);
    expect(Array.from(a.indices)).not.toEqual(Array.from(b.indices));
  });

  it('a head with an n-gram part learns from emoji alone (the dense part carries nothing) and round-trips through its artifact', async () => {
    const { tf } = await tfRuntime();
    const texts = ['🚀', '😭', '😡', '🤮', '😱', '😮', 'ok'];
    // class k <-> texts[k]; the dense input is the same zero vector for every row
    const features = { ...EMOTION_NGRAM_CONFIG, buckets: 1 << 10 };
    const idf = fitEmotionIdf(texts, features);
    const examples = Array.from({ length: 70 }, (_, i) => ({ dense: new Float32Array(4), target: oneHot(i % 7), weight: 1, sparse: emotionSparse(`${texts[i % 7]} stock`, features, idf) }));
    const config = { seed: 1, hidden: 4, learningRate: 0.05, batchSize: 16, epochs: 20, dropout: 0, l2: 0 };
    const weights = trainEmotionHead(tf, config, examples, undefined, { features, idf });
    const head = uploadEmotionHead(tf, weights);
    const rows = texts.map(() => new Float32Array(4));
    const sparse = texts.map((t) => emotionSparse(`${t} stock`, features, idf));
    expect(argmaxRows(head.predict(rows, sparse))).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(() => head.predict(rows)).toThrow(/n-gram part/);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emotion-ngram-'));
    saveEmotionModel(dir, { version: 'ng', encoderVersion: 'x', head: weights }, { version: 'ng', createdAt: '', encoderVersion: 'x', classes: [], hyperParameters: {}, data: {}, metrics: {} });
    const loaded = uploadEmotionHead(tf, readEmotionModel(dir, 'ng').head);
    expect(loaded.ngram?.features).toEqual(features);
    expect(Array.from(loaded.predict(rows, sparse))).toEqual(Array.from(head.predict(rows, sparse)));
    head.dispose();
    loaded.dispose();
  });
});
