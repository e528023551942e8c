/**
 * The emotion head: a small MLP over the accurate tier's pooled sentence state (the same
 * vector the sentiment head reads), so one encoder forward pass serves sentiment, entities and
 * emotions:
 *
 *   p = softmax(relu(E · W1 + b1) · W2 + b)
 *
 * Targets may be soft (a distribution over the classes, for GoEmotions' multi-label rows)
 * and each example carries a weight (to down-weight a second domain in a mixture).
 */
import type { Scalar, Tensor, Tensor2D, Variable } from '@tensorflow/tfjs';
import { seededRandom, shuffleInPlace } from '../data/datasets';
import type { Tf } from '../runtime/tf-runtime';
import { EMOTION_LABELS } from '../../domain/emotions/labels';
import { packBatch, sparseTimesDense, trainableSparseTimesDense } from '../serving/fast/hashed-linear-model';
import type { FeatureConfig, SparseVector } from '../serving/fast/text-features';
import { glorot } from '../serving/accurate/encoder-head';

export const EMOTION_CLASS_COUNT = EMOTION_LABELS.length;

export interface EmotionHeadWeights {
  inputDim: number;
  hidden: number;
  w1: Float32Array; // [inputDim, hidden]
  b1: Float32Array; // [hidden]
  w2: Float32Array; // [hidden, classes]
  bias: Float32Array; // [classes]
  /** Optional n-gram part (emotion-text.ts): logits += tfidf(text) · kernel. */
  ngram?: { features: FeatureConfig; idf: Float32Array; kernel: Float32Array };
}

export interface EmotionExample {
  dense: Float32Array;
  /** A distribution over EMOTION_LABELS (one-hot for a single label). */
  target: Float32Array;
  /** Loss weight (1 for the home domain). */
  weight: number;
  /** The text's n-gram vector, for a head with an n-gram part. */
  sparse?: SparseVector;
}

export interface EmotionHeadConfig {
  seed: number;
  hidden: number;
  learningRate: number;
  batchSize: number;
  epochs: number;
  dropout: number;
  /** L2 on W1/W2 (mean squared weight, added to the loss). */
  l2: number;
}

export const DEFAULT_EMOTION_HEAD_CONFIG: EmotionHeadConfig = { seed: 7, hidden: 256, learningRate: 1e-3, batchSize: 64, epochs: 30, dropout: 0.3, l2: 1e-3 };

export function oneHot(index: number): Float32Array {
  const t = new Float32Array(EMOTION_CLASS_COUNT);
  t[index] = 1;
  return t;
}

function matrix(tf: Tf, rows: readonly Float32Array[], dim: number): Tensor2D {
  const flat = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => {
    if (r.length !== dim) throw new Error(`emotion head input of width ${r.length}, expected ${dim}`);
    flat.set(r, i * dim);
  });
  return tf.tensor2d(flat, [rows.length, dim]);
}

export interface UploadedEmotionHead {
  readonly inputDim: number;
  /** The n-gram part's features, when the head has one (then predict needs `sparse`). */
  readonly ngram?: { features: FeatureConfig; idf: Float32Array };
  /** Probabilities [rows x classes], row-major. */
  predict(dense: readonly Float32Array[], sparse?: readonly SparseVector[]): Float32Array;
  dispose(): void;
}

export function uploadEmotionHead(tf: Tf, head: EmotionHeadWeights): UploadedEmotionHead {
  const w1 = tf.tensor2d(head.w1, [head.inputDim, head.hidden]);
  const b1 = tf.tensor1d(head.b1);
  const w2 = tf.tensor2d(head.w2, [head.hidden, EMOTION_CLASS_COUNT]);
  const bias = tf.tensor1d(head.bias);
  const kernel = head.ngram ? tf.tensor2d(head.ngram.kernel, [head.ngram.features.buckets, EMOTION_CLASS_COUNT]) : undefined;
  return {
    inputDim: head.inputDim,
    ...(head.ngram ? { ngram: { features: head.ngram.features, idf: head.ngram.idf } } : {}),
    predict(dense, sparse) {
      if (dense.length === 0) return new Float32Array(0);
      if (kernel && (!sparse || sparse.length !== dense.length)) throw new Error('this emotion head has an n-gram part: give one sparse vector per row');
      const p = tf.tidy(() => {
        let logits: Tensor = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(matrix(tf, dense, head.inputDim), w1), b1)), w2), bias);
        if (kernel && sparse) logits = tf.add(logits, sparseTimesDense(tf, packBatch(sparse), kernel));
        return tf.softmax(logits);
      });
      const out = p.dataSync() as Float32Array;
      p.dispose();
      return out;
    },
    dispose: () => [w1, b1, w2, bias, kernel].forEach((t) => t?.dispose()),
  };
}

export function argmaxRows(p: Float32Array, classes = EMOTION_CLASS_COUNT): number[] {
  const out: number[] = [];
  for (let r = 0; r < p.length / classes; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (p[r * classes + c] > p[r * classes + best]) best = c;
    out.push(best);
  }
  return out;
}

/**
 * Adam on weighted soft-target cross-entropy for a fixed number of epochs (chosen by
 * cross-validation, not on a held-out split). Deterministic for a seed: initial weights,
 * shuffles and dropout masks come from seeded generators.
 */
export function trainEmotionHead(
  tf: Tf,
  config: EmotionHeadConfig,
  examples: readonly EmotionExample[],
  onEpoch?: (epoch: number, loss: number, head: () => EmotionHeadWeights) => void,
  ngram?: { features: FeatureConfig; idf: Float32Array },
): EmotionHeadWeights {
  if (examples.length === 0) throw new Error('no training examples for the emotion head');
  const random = seededRandom(config.seed);
  const inputDim = examples[0].dense.length;
  const w1 = tf.variable(tf.tensor2d(glorot(random, inputDim, config.hidden), [inputDim, config.hidden]));
  const b1 = tf.variable(tf.zeros([config.hidden]));
  const w2 = tf.variable(tf.tensor2d(glorot(random, config.hidden, EMOTION_CLASS_COUNT), [config.hidden, EMOTION_CLASS_COUNT]));
  const bias = tf.variable(tf.zeros([EMOTION_CLASS_COUNT]));
  const kernel = ngram ? tf.variable(tf.zeros([ngram.features.buckets, EMOTION_CLASS_COUNT])) : undefined;
  if (ngram && examples.some((e) => !e.sparse)) throw new Error('an n-gram emotion head needs a sparse vector on every example');
  const optimizer = tf.train.adam(config.learningRate);
  const order = examples.map((_, i) => i);
  const snapshot = (): EmotionHeadWeights => ({
    inputDim,
    hidden: config.hidden,
    w1: w1.dataSync().slice() as Float32Array,
    b1: b1.dataSync().slice() as Float32Array,
    w2: w2.dataSync().slice() as Float32Array,
    bias: bias.dataSync().slice() as Float32Array,
    ...(ngram && kernel ? { ngram: { ...ngram, kernel: kernel.dataSync().slice() as Float32Array } } : {}),
  });
  let step = 0;
  try {
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      shuffleInPlace(order, random);
      let lossSum = 0;
      let batches = 0;
      for (let start = 0; start < order.length; start += config.batchSize) {
        const chosen = order.slice(start, start + config.batchSize).map((i) => examples[i]);
        const e = matrix(
          tf,
          chosen.map((c) => c.dense),
          inputDim,
        );
        const targets = matrix(
          tf,
          chosen.map((c) => c.target),
          EMOTION_CLASS_COUNT,
        );
        const weights = tf.tensor1d(chosen.map((c) => c.weight));
        const weightSum = chosen.reduce((s, c) => s + c.weight, 0) || 1;
        const packed = kernel ? packBatch(chosen.map((c) => c.sparse!)) : undefined;
        const dropoutSeed = config.seed * 1_000_003 + step++;
        const loss = optimizer.minimize(() => {
          let hidden: Tensor = tf.relu(tf.add(tf.matMul(e, w1), b1));
          if (config.dropout > 0) hidden = tf.dropout(hidden, config.dropout, undefined, dropoutSeed);
          let logits: Tensor = tf.add(tf.matMul(hidden, w2), bias);
          if (kernel && packed) logits = tf.add(logits, trainableSparseTimesDense(tf, packed, kernel as Tensor2D));
          const perRow = tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1));
          const ce = tf.div(tf.sum(tf.mul(perRow, weights)), weightSum);
          const reg = tf.mul(config.l2, tf.add(tf.mean(tf.square(w1)), tf.mean(tf.square(w2))));
          return tf.add(ce, reg) as Scalar;
        }, true);
        lossSum += loss!.dataSync()[0];
        loss!.dispose();
        [e, targets, weights].forEach((t) => t.dispose());
        batches++;
      }
      onEpoch?.(epoch, lossSum / batches, snapshot);
    }
    return snapshot();
  } finally {
    [w1, b1, w2, bias, kernel].forEach((v: Variable | undefined) => v?.dispose());
    optimizer.dispose();
  }
}
