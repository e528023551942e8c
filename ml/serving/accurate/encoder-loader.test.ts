import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cosine } from '../../../test/support/encoder-fixture';
import { SentenceEncoder } from './encoder';
import { defaultEncoderDir } from './encoder-checkpoint';
import { loadSentenceEncoder } from './encoder-loader';
import { readEncoderHeadModel } from './encoder-model-store';
import { startEncoderPool } from './encoder-pool';
import { activeTierVersion, defaultModelsDir } from '../model-store';
import { tfRuntime } from '../../runtime/tf-runtime';
import { seededRandom } from '../../data/datasets';
import { loadEncoderScorer } from './encoder-scorer';
import { EMOTION_LABELS } from '../../../domain/emotions/labels';
import { ENCODER_LAYER_PARAMS, type EncoderLayerWeights } from './bert-layer';
import { EMOTION_CLASS_COUNT } from '../../emotions/emotion-head';
import { saveEmotionModel } from '../../emotions/emotion-model-store';
import type { BranchInit } from '../../emotions/emotion-branch';

// The active accurate model carries fine-tuned encoder layers (deltas from the pinned base).
describe('loading the encoder a fine-tuned model needs', () => {
  jest.setTimeout(300_000);
  const modelsDir = defaultModelsDir();
  const version = activeTierVersion(modelsDir, 'accurate')!;

  test('merges the model\'s layer deltas into the base, and leaves the other layers alone', async () => {
    const spec = readEncoderHeadModel(modelsDir, version);
    expect(spec.encoderLayers).toBeDefined();
    const { from, deltas } = spec.encoderLayers!;
    const { tf } = await tfRuntime();
    const base = SentenceEncoder.load(tf);
    const tuned = loadSentenceEncoder(tf, { dir: defaultEncoderDir(), maxLength: 256, fineTuned: { modelsDir, version } });
    try {
      const b = base.layerWeights(from).ffnInKernel;
      const t = tuned.layerWeights(from).ffnInKernel;
      const d = deltas[0].ffnInKernel;
      for (const i of [0, 1, 777, b.length - 1]) expect(t[i]).toBeCloseTo(b[i] + d[i], 5);
      if (from > 0) expect(Array.from(tuned.layerWeights(from - 1).qkvBias)).toEqual(Array.from(base.layerWeights(from - 1).qkvBias));
      expect(deltas.some((delta) => delta.ffnInKernel.some((v) => v !== 0))).toBe(true);
    } finally {
      base.dispose();
      tuned.dispose();
    }
  });

  test('refuses a base encoder other than the one the deltas were trained from', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-encoder-'));
    try {
      for (const f of ['tokenizer.json', 'config.json']) fs.symlinkSync(path.join(defaultEncoderDir(), f), path.join(dir, f));
      fs.writeFileSync(path.join(dir, 'model.safetensors'), 'not the pinned weights');
      const { tf } = await tfRuntime();
      expect(() => loadSentenceEncoder(tf, { dir, maxLength: 256, fineTuned: { modelsDir, version } })).toThrow(/fine-tuned from an encoder with SHA-256 [0-9a-f]{64}/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the pool\'s worker threads run the same fine-tuned encoder as the calling thread', async () => {
    const fineTuned = { modelsDir, version };
    const threads = await startEncoderPool({ workers: 2, fineTuned });
    const inline = await startEncoderPool({ workers: 0, fineTuned });
    try {
      const rows = ['Oil slides as OPEC+ weighs output hikes', 'Shares of $AAPL rise after earnings beat', 'Fed holds rates'].map((t) => inline.tokenizer.encode(t).ids);
      const a = await threads.embed(rows);
      const b = await inline.embed(rows);
      for (let r = 0; r < rows.length; r++) {
        expect(cosine(a.pooled.subarray(r * threads.dim, (r + 1) * threads.dim), b.pooled.subarray(r * inline.dim, (r + 1) * inline.dim))).toBeGreaterThan(0.99999);
      }
    } finally {
      await threads.close();
      await inline.close();
    }
  });

  describe('with an emotion branch (its own top layers, stored as deltas to the layers it started from)', () => {
    let emotionsDir: string;
    beforeAll(() => (emotionsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-emotions-'))));
    afterAll(() => fs.rmSync(emotionsDir, { recursive: true, force: true }));
    const zero = (encoder: SentenceEncoder, l: number) => Object.fromEntries(ENCODER_LAYER_PARAMS.map((n) => [n, new Float32Array(encoder.layerWeights(l)[n].length)])) as EncoderLayerWeights;
    const head = { inputDim: 384, hidden: 2, w1: new Float32Array(768), b1: new Float32Array(2), w2: new Float32Array(2 * EMOTION_CLASS_COUNT), bias: new Float32Array(EMOTION_CLASS_COUNT) };
    const meta = (v: string) => ({ version: v, createdAt: new Date(0).toISOString(), encoderVersion: version, classes: [], hyperParameters: {}, data: {}, metrics: {} });
    function save(v: string, init: BranchInit | undefined, encoder: SentenceEncoder) {
      saveEmotionModel(emotionsDir, { version: v, encoderVersion: version, head, ...(init ? { branch: { from: 5, init, deltas: [zero(encoder, 5)] } } : {}) }, meta(v));
    }
    const texts = ['Oil slides as OPEC+ weighs output hikes', '$TSLA to the moon 🚀', 'Fed holds rates'];

    test('a zero-delta branch from the accurate layers repeats the sentence vector; one from the pretrained layers runs the base top layer on the shared states', async () => {
      const { tf } = await tfRuntime();
      const base = SentenceEncoder.load(tf);
      save('emo-accurate', 'accurate', base);
      save('emo-pretrained', 'pretrained', base);
      save('emo-pooled', undefined, base);
      const fineTuned = { modelsDir, version };
      const accurate = loadSentenceEncoder(tf, { dir: defaultEncoderDir(), maxLength: 256, fineTuned, emotionBranch: { emotionsDir, version: 'emo-accurate' } });
      const pretrained = loadSentenceEncoder(tf, { dir: defaultEncoderDir(), maxLength: 256, fineTuned, emotionBranch: { emotionsDir, version: 'emo-pretrained' } });
      const manual = loadSentenceEncoder(tf, { dir: defaultEncoderDir(), maxLength: 256, fineTuned });
      try {
        const rows = accurate.tokenize(texts);
        expect(accurate.branchFrom).toBe(5);
        const a = accurate.embedIdsWithSpans(rows, [], { branch: true });
        expect(cosine(a.branchPooled!, a.pooled)).toBeGreaterThan(0.99999);
        manual.setBranch(5, [base.layerWeights(5)]);
        const expected = manual.embedIdsWithSpans(rows, [], { branch: true });
        const p = pretrained.embedIdsWithSpans(rows, [], { branch: true });
        expect(Array.from(p.pooled)).toEqual(Array.from(a.pooled)); // the sentiment path is the accurate tier's either way
        expect(cosine(p.branchPooled!, expected.branchPooled!)).toBeGreaterThan(0.99999);
        expect(cosine(p.branchPooled!, p.pooled)).toBeLessThan(0.999);
        expect(() => loadSentenceEncoder(tf, { dir: defaultEncoderDir(), maxLength: 256, fineTuned, emotionBranch: { emotionsDir, version: 'emo-pooled' } })).toThrow(/no branch layers \(kind pooled\)/);
        expect(() => loadSentenceEncoder(tf, { dir: defaultEncoderDir(), maxLength: 256, emotionBranch: { emotionsDir, version: 'emo-accurate' } })).toThrow(/branches from the encoder of/);
      } finally {
        [base, accurate, pretrained, manual].forEach((e) => e.dispose());
      }
    });

    test('scoreWithEmotions feeds a branch head the branch\'s pooled state: a zero-delta branch from the accurate layers scores as the same head on the shared state', async () => {
      const random = seededRandom(3);
      const r = (n: number) => Float32Array.from({ length: n }, () => random() * 2 - 1);
      const randomHead = { inputDim: 384, hidden: 8, w1: r(384 * 8), b1: r(8), w2: r(8 * EMOTION_CLASS_COUNT), bias: r(EMOTION_CLASS_COUNT) };
      const { tf } = await tfRuntime();
      const base = SentenceEncoder.load(tf);
      saveEmotionModel(emotionsDir, { version: 'emo-b', encoderVersion: version, head: randomHead, branch: { from: 5, init: 'accurate', deltas: [zero(base, 5)] } }, meta('emo-b'));
      saveEmotionModel(emotionsDir, { version: 'emo-p', encoderVersion: version, head: randomHead }, meta('emo-p'));
      base.dispose();
      const branchScorer = await loadEncoderScorer({ modelsDir, version, emotionsDir, emotionVersion: 'emo-b' });
      const pooledScorer = await loadEncoderScorer({ modelsDir, version, emotionsDir, emotionVersion: 'emo-p' });
      try {
        expect(branchScorer.emotionVersion).toBe('emo-b');
        const a = await branchScorer.scoreWithEmotions([...texts, '日本語のみ']);
        const b = await pooledScorer.scoreWithEmotions([...texts, '日本語のみ']);
        expect(a.emotions[texts.length]).toBeNull(); // not scoreable
        texts.forEach((_, i) => {
          expect(a.emotions[i]!.label).toBe(b.emotions[i]!.label);
          for (const k of EMOTION_LABELS) expect(a.emotions[i]!.probabilities[k]).toBeCloseTo(b.emotions[i]!.probabilities[k], 4);
          expect(a.sentiment[i].score).toBeCloseTo(b.sentiment[i].score!, 5);
        });
        expect((await branchScorer.scoreBatch(texts)).map((s) => s.label)).toEqual(a.sentiment.slice(0, texts.length).map((s) => s.label));
      } finally {
        branchScorer.dispose?.();
        pooledScorer.dispose?.();
      }
    });

    test('the pool\'s worker threads carry the branch as the calling thread does, and give its state only when asked', async () => {
      const opts = { fineTuned: { modelsDir, version }, emotionBranch: { emotionsDir, version: 'emo-pretrained' } };
      const threads = await startEncoderPool({ workers: 1, ...opts });
      const inline = await startEncoderPool({ workers: 0, ...opts });
      const plain = await startEncoderPool({ workers: 0, fineTuned: opts.fineTuned });
      try {
        expect(threads.hasBranch && inline.hasBranch && !plain.hasBranch).toBe(true);
        const rows = texts.map((t) => inline.tokenizer.encode(t).ids);
        const a = await threads.embed(rows, [], { branch: true });
        const b = await inline.embed(rows, [], { branch: true });
        expect(a.branchPooled).toHaveLength(rows.length * threads.dim);
        expect(cosine(a.branchPooled!, b.branchPooled!)).toBeGreaterThan(0.99999);
        expect((await threads.embed(rows)).branchPooled).toBeUndefined();
        await expect(plain.embed(rows, [], { branch: true })).rejects.toThrow(/no emotion branch/);
      } finally {
        await Promise.all([threads.close(), inline.close(), plain.close()]);
      }
    });
  });
});
