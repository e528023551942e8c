import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ENCODER_LAYER_PARAMS, layerDelta, mergeLayerDelta, type EncoderLayerWeights } from '../serving/accurate/bert-layer';
import { SentenceEncoder } from '../serving/accurate/encoder';
import { EncoderFinetuner, type FinetuneText } from './encoder-finetune';
import { learningRateFactor, poolingMatrix } from './finetune-batches';
import { predictHead, uploadHead } from '../serving/accurate/encoder-head';
import { readEncoderHeadModel, saveEncoderHeadModel } from '../serving/accurate/encoder-model-store';
import { ensureHiddenStates, HiddenStateCache } from './hidden-state-cache';
import { DEFAULT_FEATURE_CONFIG, fitIdf, vectorise } from '../serving/fast/text-features';
import { tfRuntime } from '../runtime/tf-runtime';

function layerOf(fill: (name: string, i: number) => number, size = 4): EncoderLayerWeights {
  return Object.fromEntries(ENCODER_LAYER_PARAMS.map((n) => [n, Float32Array.from({ length: size }, (_, i) => fill(n, i))])) as EncoderLayerWeights;
}

describe('poolingMatrix', () => {
  test('averages each pick over its tokens in the flattened padded batch', () => {
    // 2 rows padded to length 4; row 0 has 3 real tokens, row 1 has 4
    const m = poolingMatrix(4, [3, 4], [
      { row: 0, start: 0, end: 3 },
      { row: 1, start: 1, end: 3 },
    ]);
    expect(Array.from(m.subarray(0, 8))).toEqual([1 / 3, 1 / 3, 1 / 3, 0, 0, 0, 0, 0].map(Math.fround));
    expect(Array.from(m.subarray(8, 16))).toEqual([0, 0, 0, 0, 0, 0.5, 0.5, 0]);
  });

  test('clamps spans to the real tokens and falls back to the whole row when empty', () => {
    const m = poolingMatrix(3, [2], [
      { row: 0, start: 1, end: 9 },
      { row: 0, start: 5, end: 6 },
    ]);
    expect(Array.from(m.subarray(0, 3))).toEqual([0, 1, 0]);
    expect(Array.from(m.subarray(3, 6))).toEqual([0.5, 0.5, 0]);
  });
});

describe('learningRateFactor', () => {
  test('warms up linearly, then decays linearly to zero at the last step', () => {
    expect([0, 1, 2, 3].map((s) => learningRateFactor(s, 10, 0.4))).toEqual([0.25, 0.5, 0.75, 1]);
    expect(learningRateFactor(4, 10, 0.4)).toBe(1);
    expect(learningRateFactor(7, 10, 0.4)).toBeCloseTo(0.5, 10);
    expect(learningRateFactor(10, 10, 0.4)).toBe(0);
  });
});

describe('layer deltas', () => {
  test('merge(base, delta(trained, base)) gives the trained weights back', () => {
    const base = layerOf((n, i) => i + n.length);
    const trained = layerOf((n, i) => i * 0.5 - n.length);
    const merged = mergeLayerDelta(base, layerDelta(trained, base));
    for (const n of ENCODER_LAYER_PARAMS) Array.from(merged[n]).forEach((v, i) => expect(v).toBeCloseTo(trained[n][i], 5));
  });

  test('a delta of the wrong size is refused', () => {
    const base = layerOf(() => 1);
    expect(() => mergeLayerDelta(base, layerOf(() => 1, 3))).toThrow(/qkvKernel has 3 values, the base 4/);
  });
});

// Needs the pretrained weights (models/encoder/all-MiniLM-L6-v2, as encoder.test.ts).
describe('fine-tuning the top encoder layer', () => {
  jest.setTimeout(600_000);

  test('trains on cached states, and the saved artifact scores live exactly as the fine-tuner predicts', async () => {
    const { tf } = await tfRuntime();
    const encoder = SentenceEncoder.load(tf);
    const texts = [
      'Shares of Acme soar after record quarterly profit',
      'Acme cuts guidance, stock slides 12%',
      'Acme to hold annual meeting on Tuesday',
      'Bolt rallies while Acme plunges on weak sales',
      'Profit warning sends Bolt shares lower',
      'Bolt announces board meeting date',
    ];
    const labels = [2, 0, 1, 0, 0, 1];
    const ids = texts.map((t) => encoder.tokenizer.encode(t, encoder.maxLength).ids);
    const from = encoder.layerCount - 1;
    const cache = new HiddenStateCache(encoder.dim);
    ensureHiddenStates(encoder, 'test', from, cache, ids, { batchSize: 4 });
    const features = { ...DEFAULT_FEATURE_CONFIG, buckets: 1 << 12 };
    const ngram = { features, idf: fitIdf(texts, features) };
    const bolt = encoder.tokenSpan(texts[3], 0, 4);
    const acme = encoder.tokenSpan(texts[3], 19, 23);
    const examples: FinetuneText[] = texts.map((t, i) => ({
      ids: ids[i],
      states: cache.get(HiddenStateCache.key('test', from, ids[i]))!,
      sentence: { target: labels[i], sparse: vectorise(t, features, ngram.idf) },
      entities:
        i === 3
          ? [
              { span: bolt, target: 2 },
              { span: acme, target: 0 },
            ]
          : [],
    }));
    const config = { seed: 3, cachedFrom: from, trainFrom: from, epochs: 3, batchSize: 4, encoderLearningRate: 1e-3, headLearningRate: 1e-2, hidden: 16, dropout: 0, entityLossWeight: 1, warmupFraction: 0 };
    const finetuner = new EncoderFinetuner(tf, encoder, config, ngram);
    const base = encoder.layerWeights(from);
    const result = finetuner.train(examples, examples);
    finetuner.load(result);
    expect(result.log).toHaveLength(3);
    expect(result.layers).toHaveLength(1);
    // the top layer moved
    expect(result.layers[0].ffnOutKernel.some((v, i) => Math.abs(v - base.ffnOutKernel[i]) > 1e-5)).toBe(true);
    const predicted = finetuner.predict(examples);

    // Round trip through an artifact (int8 deltas), merge into the encoder, score live.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'finetune-'));
    try {
      saveEncoderHeadModel(
        dir,
        {
          encoder: { name: 'test', maxLength: encoder.maxLength, safetensorsSha256: 'x' },
          sentence: result.sentence,
          entity: result.entity,
          encoderLayers: { from, deltas: [layerDelta(result.layers[0], base)] },
        },
        { version: 'ft-test' } as Parameters<typeof saveEncoderHeadModel>[2],
      );
      const model = readEncoderHeadModel(dir, 'ft-test');
      expect(model.encoderLayers?.from).toBe(from);
      encoder.setLayerWeights(from, mergeLayerDelta(base, model.encoderLayers!.deltas[0]));
      const pooled = encoder.embedIds(ids);
      const head = uploadHead(tf, model.sentence);
      const live = predictHead(
        tf,
        head,
        texts.map((_, i) => pooled.subarray(i * encoder.dim, (i + 1) * encoder.dim)),
        texts.map((t) => vectorise(t, features, ngram.idf)),
      );
      texts.forEach((_, i) => predicted.sentence[i].forEach((p, c) => expect(live[i * 3 + c]).toBeCloseTo(p, 2)));
      const withSpans = encoder.embedIdsWithSpans([ids[3]], [[bolt, acme]]);
      const entityInput = (k: number) => {
        const v = new Float32Array(2 * encoder.dim);
        v.set(withSpans.spans[0][k], 0);
        v.set(withSpans.pooled, encoder.dim);
        return v;
      };
      const entityHead = uploadHead(tf, model.entity!);
      const liveEntities = predictHead(tf, entityHead, [entityInput(0), entityInput(1)]);
      predicted.entity[3].forEach((p, k) => p.forEach((q, c) => expect(liveEntities[k * 3 + c]).toBeCloseTo(q, 2)));
      head.dispose();
      entityHead.dispose();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      finetuner.dispose();
      encoder.dispose();
    }
  });
});
