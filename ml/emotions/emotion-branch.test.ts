import { SentenceEncoder } from '../serving/accurate/encoder';
import { ENCODER_LAYER_PARAMS } from '../serving/accurate/bert-layer';
import { ensureHiddenStates, HiddenStateCache } from '../training/hidden-state-cache';
import { tfRuntime } from '../runtime/tf-runtime';
import { EMOTION_CLASS_COUNT, argmaxRows, oneHot, trainEmotionHead, uploadEmotionHead } from './emotion-head';
import { trainEmotionBranch, type BranchText, type EmotionBranchConfig } from './emotion-branch';
import { EMOTION_NGRAM_CONFIG, emotionSparse, fitEmotionIdf } from './emotion-text';

// Two messages per emotion; the branch (own copy of the top layer + head) must fit them.
const MESSAGES: Array<[string, number]> = [
  ['$SPY flat again today, nothing to report', 0],
  ['$MSFT earnings call scheduled for Tuesday', 0],
  ['$TSLA to the moon!! so happy with these gains', 1],
  ['love this stock, best day ever $NVDA', 1],
  ['lost everything on $GME, feeling miserable', 2],
  ['so sad to see $AMC collapse like this', 2],
  ['furious at management, they lied to us $BA', 3],
  ['this is outrageous, I am so angry $META', 3],
  ['disgusting accounting fraud at $WCG, gross', 4],
  ['what a sickening pump and dump scam $XYZ', 4],
  ['wow did not expect that jump $AAPL', 5],
  ['whoa, shocked by the surprise beat $AMD', 5],
  ['scared this crashes to zero $COIN', 6],
  ['terrified of the margin call tomorrow $RIVN', 6],
];

describe('the emotion branch (own top layers + head over the shared lower layers)', () => {
  jest.setTimeout(300_000);

  async function setup(layers: number) {
    const { tf } = await tfRuntime();
    const encoder = SentenceEncoder.load(tf);
    const from = encoder.layerCount - layers;
    const ids = MESSAGES.map(([t]) => encoder.tokenizer.encode(t, encoder.maxLength).ids);
    const cache = new HiddenStateCache(encoder.dim);
    ensureHiddenStates(encoder, 'base', from, cache, ids);
    const idf = fitEmotionIdf(MESSAGES.map(([t]) => t));
    const texts: BranchText[] = MESSAGES.map(([t, label], i) => ({
      ids: ids[i],
      states: cache.get(HiddenStateCache.key('base', from, ids[i]))!,
      target: oneHot(label),
      weight: 1,
      sparse: emotionSparse(t, EMOTION_NGRAM_CONFIG, idf),
    }));
    return { tf, encoder, from, texts, ngram: { features: EMOTION_NGRAM_CONFIG, idf } };
  }

  const config: EmotionBranchConfig = { seed: 5, layers: 1, init: 'pretrained', epochs: 12, batchSize: 7, encoderLearningRate: 1e-4, headLearningRate: 1e-2, hidden: 32, dropout: 0, l2: 0, warmupFraction: 0.1 };

  test('trains its own copy of the top layer with the head: shapes, a fit of the training texts, determinism for a seed', async () => {
    const { tf, encoder, from, texts, ngram } = await setup(1);
    try {
      const epochs: number[] = [];
      const a = trainEmotionBranch(tf, encoder, config, texts, { ngram, onEpoch: (epoch, predict) => epochs.push(epoch) && expect(predict(texts.slice(0, 3))).toHaveLength(3 * EMOTION_CLASS_COUNT) });
      expect(epochs).toEqual(Array.from({ length: config.epochs }, (_, i) => i + 1));
      expect(a.branch.from).toBe(from);
      expect(a.branch.layers).toHaveLength(1);
      const base = encoder.layerWeights(from);
      for (const name of ENCODER_LAYER_PARAMS) expect(a.branch.layers[0][name]).toHaveLength(base[name].length);
      expect(a.branch.layers[0].ffnInKernel.some((v, i) => v !== base.ffnInKernel[i])).toBe(true); // the layer was trained
      expect(Array.from(encoder.layerWeights(from).ffnInKernel)).toEqual(Array.from(base.ffnInKernel)); // the encoder's own layer was not
      expect(a.head.w2).toHaveLength(config.hidden * EMOTION_CLASS_COUNT);
      expect(a.head.ngram?.kernel).toHaveLength(EMOTION_NGRAM_CONFIG.buckets * EMOTION_CLASS_COUNT);

      // served the product's way: the encoder carries the branch, the head reads its pooled state
      encoder.setBranch(a.branch.from, a.branch.layers);
      const { branchPooled } = encoder.embedIdsWithSpans(
        texts.map((t) => [...t.ids]),
        [],
        { branch: true },
      );
      const head = uploadEmotionHead(tf, { ...a.head });
      const rows = Array.from({ length: texts.length }, (_, r) => branchPooled!.subarray(r * encoder.dim, (r + 1) * encoder.dim));
      const predicted = argmaxRows(head.predict(rows, texts.map((t) => t.sparse!)));
      head.dispose();
      expect(predicted).toEqual(MESSAGES.map(([, label]) => label));

      const b = trainEmotionBranch(tf, encoder, config, texts, { ngram });
      expect(Array.from(b.head.w2)).toEqual(Array.from(a.head.w2));
      expect(Array.from(b.branch.layers[0].qkvKernel)).toEqual(Array.from(a.branch.layers[0].qkvKernel));
    } finally {
      encoder.dispose();
    }
  });

  test('a warm start begins at the given head: with rates 0, the branch predicts what that head predicts on the shared pooled state', async () => {
    const { tf, encoder, texts, ngram } = await setup(1);
    try {
      const pooledHead = trainEmotionHead(tf, { seed: 2, hidden: config.hidden, learningRate: 1e-2, batchSize: 7, epochs: 3, dropout: 0, l2: 0 }, texts.map((t) => ({ dense: encoder.embedIds([[...t.ids]]), target: t.target, weight: 1, sparse: t.sparse! })), undefined, ngram);
      let first: Float32Array | undefined;
      trainEmotionBranch(tf, encoder, { ...config, epochs: 1, encoderLearningRate: 0, headLearningRate: 0 }, texts, { ngram, warmStart: pooledHead, onEpoch: (_, predict) => (first = predict(texts)) });
      const head = uploadEmotionHead(tf, pooledHead);
      const expected = head.predict(texts.map((t) => encoder.embedIds([[...t.ids]])), texts.map((t) => t.sparse!));
      head.dispose();
      expect(first).toHaveLength(expected.length);
      first!.forEach((p, i) => expect(p).toBeCloseTo(expected[i], 4));
      expect(() => trainEmotionBranch(tf, encoder, { ...config, hidden: 16 }, texts, { ngram, warmStart: pooledHead })).toThrow(/cannot start one of 384 x 16/);
    } finally {
      encoder.dispose();
    }
  });

  test('owns k = 2 layers too, and takes soft targets with weights; refuses a bad layer count and missing n-grams', async () => {
    const { tf, encoder, from, texts, ngram } = await setup(2);
    try {
      const soft = texts.map((t, i) => (i % 2 ? { ...t, target: Float32Array.from({ length: EMOTION_CLASS_COUNT }, () => 1 / EMOTION_CLASS_COUNT), weight: 0.3 } : t));
      const trained = trainEmotionBranch(tf, encoder, { ...config, layers: 2, epochs: 1 }, soft, { ngram });
      expect(trained.branch.from).toBe(from);
      expect(trained.branch.layers).toHaveLength(2);
      expect(() => trainEmotionBranch(tf, encoder, { ...config, layers: 0 }, texts, { ngram })).toThrow(/owns 1\.\.6 layers/);
      expect(() => trainEmotionBranch(tf, encoder, config, texts.map(({ sparse: _s, ...t }) => t), { ngram })).toThrow(/sparse vector on every text/);
    } finally {
      encoder.dispose();
    }
  });
});
