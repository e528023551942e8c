import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tfRuntime } from '../runtime/tf-runtime';
import { seededRandom } from '../data/datasets';
import { argmaxRows, oneHot, trainEmotionHead, uploadEmotionHead, type EmotionExample } from './emotion-head';
import { activeEmotionVersion, readEmotionModel, saveEmotionModel, setActiveEmotionVersion } from './emotion-model-store';

/** Seven separable clusters in 16 dimensions: class k lives around the k-th axis. */
function clusters(n: number, seed: number): EmotionExample[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, (_, i) => {
    const k = i % 7;
    const dense = new Float32Array(16).map(() => (random() - 0.5) * 0.3);
    dense[k] += 1;
    return { dense, target: oneHot(k), weight: 1 };
  });
}

describe('emotion head', () => {
  it('learns separable classes, deterministically for a seed, and round-trips through its artifact', async () => {
    const { tf } = await tfRuntime();
    const config = { seed: 3, hidden: 8, learningRate: 0.01, batchSize: 16, epochs: 15, dropout: 0, l2: 0 };
    const train = clusters(210, 1);
    const test = clusters(70, 2);
    const weights = trainEmotionHead(tf, config, train);
    const again = trainEmotionHead(tf, config, train);
    expect(Array.from(again.w2)).toEqual(Array.from(weights.w2));
    const head = uploadEmotionHead(tf, weights);
    const p = head.predict(test.map((t) => t.dense));
    const predicted = argmaxRows(p);
    const accuracy = predicted.filter((c, i) => c === test[i].target.indexOf(1)).length / test.length;
    expect(accuracy).toBeGreaterThan(0.95);
    for (let r = 0; r < test.length; r++) expect(p.subarray(r * 7, r * 7 + 7).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emotion-model-'));
    saveEmotionModel(
      dir,
      { version: 'emo-test', encoderVersion: 'ft-x', head: weights },
      {
        version: 'emo-test',
        createdAt: new Date(0).toISOString(),
        encoderVersion: 'ft-x',
        classes: [],
        hyperParameters: config,
        data: {},
        metrics: {},
      },
    );
    setActiveEmotionVersion(dir, 'emo-test');
    expect(activeEmotionVersion(dir)).toBe('emo-test');
    const loaded = readEmotionModel(dir, 'emo-test');
    expect(loaded.encoderVersion).toBe('ft-x');
    const reloaded = uploadEmotionHead(tf, loaded.head);
    expect(Array.from(reloaded.predict(test.map((t) => t.dense)))).toEqual(Array.from(p));
    expect(() => readEmotionModel(dir, 'missing')).toThrow(/no emotion model missing/);
    head.dispose();
    reloaded.dispose();
  });

  it('weights examples: a zero-weight domain does not move the head', async () => {
    const { tf } = await tfRuntime();
    const config = { seed: 3, hidden: 8, learningRate: 0.01, batchSize: 300, epochs: 5, dropout: 0, l2: 0 };
    const home = clusters(70, 1);
    // every "other domain" row labelled class 0: with weight 0 it must be ignored
    const other = clusters(70, 5).map((e) => ({ ...e, target: oneHot(0), weight: 0 }));
    const a = trainEmotionHead(tf, config, home);
    const b = trainEmotionHead(tf, { ...config }, [...home, ...other]);
    // one full batch per epoch (both fit in 300): the gradient is the same, so the weights are too
    expect(Math.max(...Array.from(a.bias).map((v, i) => Math.abs(v - b.bias[i])))).toBeLessThan(1e-4);
  });
});
