/**
 * The accurate tier's classifier: a head over the frozen encoder's mean-pooled embedding,
 * trained jointly with a hashed TF-IDF n-gram linear part (the "embeddings
 * concatenated with n-grams"):
 *
 *   logits = sparse_tfidf(text) · K  +  relu(E · W1 + b1) · W2  +  b
 *
 * The entity head uses the same form over [entity-span embedding ; sentence embedding]
 * (no n-grams: they cannot tell two entities of one headline apart).
 */
import type { Scalar, Tensor, Tensor2D, Variable } from '@tensorflow/tfjs';
import { seededRandom, shuffleInPlace } from '../../data/datasets';
import { CLASS_COUNT, packBatch, sparseTimesDense, trainableSparseTimesDense } from '../fast/hashed-linear-model';
import type { FeatureConfig, SparseVector } from '../fast/text-features';
import type { Tf } from '../../runtime/tf-runtime';

export interface HeadWeights {
  /** Dense input width (384 for a sentence, 768 for an entity). */
  inputDim: number;
  hidden: number;
  w1: Float32Array; // [inputDim, hidden]
  b1: Float32Array; // [hidden]
  w2: Float32Array; // [hidden, CLASS_COUNT]
  bias: Float32Array; // [CLASS_COUNT]
  /** Optional n-gram part. */
  ngram?: { features: FeatureConfig; idf: Float32Array; kernel: Float32Array };
}

export interface HeadExample {
  dense: Float32Array;
  sparse?: SparseVector;
  target: number;
}

export interface HeadTrainingConfig {
  seed: number;
  hidden: number;
  learningRate: number;
  batchSize: number;
  epochs: number;
  dropout: number;
  /** L2 on W1/W2 (mean squared weight, added to the loss). */
  l2: number;
}

export interface UploadedHead {
  w1: Tensor2D;
  b1: Tensor;
  w2: Tensor2D;
  bias: Tensor;
  kernel?: Tensor2D;
  dispose(): void;
}

export function uploadHead(tf: Tf, head: HeadWeights): UploadedHead {
  const w1 = tf.tensor2d(head.w1, [head.inputDim, head.hidden]);
  const b1 = tf.tensor1d(head.b1);
  const w2 = tf.tensor2d(head.w2, [head.hidden, CLASS_COUNT]);
  const bias = tf.tensor1d(head.bias);
  const kernel = head.ngram ? tf.tensor2d(head.ngram.kernel, [head.ngram.features.buckets, CLASS_COUNT]) : undefined;
  return {
    w1,
    b1,
    w2,
    bias,
    kernel,
    dispose: () => [w1, b1, w2, bias, kernel].forEach((t) => t?.dispose()),
  };
}

function denseMatrix(tf: Tf, rows: readonly Float32Array[], dim: number): Tensor2D {
  const flat = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => flat.set(r, i * dim));
  return tf.tensor2d(flat, [rows.length, dim]);
}

/** Class probabilities [rows x CLASS_COUNT] row-major. */
export function predictHead(tf: Tf, head: UploadedHead, dense: readonly Float32Array[], sparse?: readonly SparseVector[]): Float32Array {
  if (dense.length === 0) return new Float32Array(0);
  const dim = head.w1.shape[0];
  const probabilities = tf.tidy(() => {
    const e = denseMatrix(tf, dense, dim);
    let logits: Tensor = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(e, head.w1), head.b1)), head.w2), head.bias);
    if (head.kernel && sparse) logits = tf.add(logits, sparseTimesDense(tf, packBatch(sparse), head.kernel));
    return tf.softmax(logits);
  });
  const out = probabilities.dataSync() as Float32Array;
  probabilities.dispose();
  return out;
}

function argmaxRows(p: Float32Array): number[] {
  const out: number[] = [];
  for (let r = 0; r < p.length / CLASS_COUNT; r++) {
    let best = 0;
    for (let c = 1; c < CLASS_COUNT; c++) if (p[r * CLASS_COUNT + c] > p[r * CLASS_COUNT + best]) best = c;
    out.push(best);
  }
  return out;
}

export function headAccuracy(tf: Tf, head: UploadedHead, examples: readonly HeadExample[]): number {
  let correct = 0;
  for (let s = 0; s < examples.length; s += 512) {
    const chunk = examples.slice(s, s + 512);
    const predicted = argmaxRows(predictHead(tf, head, chunk.map((e) => e.dense), head.kernel ? chunk.map((e) => e.sparse!) : undefined));
    predicted.forEach((p, i) => (correct += p === chunk[i].target ? 1 : 0));
  }
  return examples.length ? correct / examples.length : 0;
}

/** Glorot-uniform from the seeded PRNG, so a seed fixes the initial weights too. */
/** Glorot-uniform initial weights from a seeded generator (shared by the sentiment, entity and emotion heads). */
export function glorot(random: () => number, fanIn: number, fanOut: number): Float32Array {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  const out = new Float32Array(fanIn * fanOut);
  for (let i = 0; i < out.length; i++) out[i] = (random() * 2 - 1) * limit;
  return out;
}

/**
 * Adam on softmax cross-entropy for `epochs` passes; when `holdout` is given, returns the
 * weights of the epoch with the best holdout accuracy (and that epoch). Deterministic for a
 * seed: shuffles, initial weights and dropout masks all come from seeded generators.
 */
export function trainHead(
  tf: Tf,
  config: HeadTrainingConfig,
  examples: readonly HeadExample[],
  ngram: { features: FeatureConfig; idf: Float32Array } | undefined,
  holdout: readonly HeadExample[] | undefined,
  onEpoch?: (epoch: number, loss: number, holdoutAccuracy: number) => void,
): { head: HeadWeights; bestEpoch: number; holdoutAccuracy: number } {
  const random = seededRandom(config.seed);
  const inputDim = examples[0].dense.length;
  const w1 = tf.variable(tf.tensor2d(glorot(random, inputDim, config.hidden), [inputDim, config.hidden]));
  const b1 = tf.variable(tf.zeros([config.hidden]));
  const w2 = tf.variable(tf.tensor2d(glorot(random, config.hidden, CLASS_COUNT), [config.hidden, CLASS_COUNT]));
  const bias = tf.variable(tf.zeros([CLASS_COUNT]));
  const kernel = ngram ? tf.variable(tf.zeros([ngram.features.buckets, CLASS_COUNT])) : undefined;
  const optimizer = tf.train.adam(config.learningRate);
  const order = examples.map((_, i) => i);
  const snapshot = (): HeadWeights => ({
    inputDim,
    hidden: config.hidden,
    w1: w1.dataSync().slice() as Float32Array,
    b1: b1.dataSync().slice() as Float32Array,
    w2: w2.dataSync().slice() as Float32Array,
    bias: bias.dataSync().slice() as Float32Array,
    ...(ngram && kernel ? { ngram: { ...ngram, kernel: kernel.dataSync().slice() as Float32Array } } : {}),
  });
  let best = { accuracy: -1, epoch: 0, head: undefined as HeadWeights | undefined };
  let step = 0;
  try {
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      shuffleInPlace(order, random);
      let lossSum = 0;
      let batches = 0;
      for (let start = 0; start < order.length; start += config.batchSize) {
        const chosen = order.slice(start, start + config.batchSize).map((i) => examples[i]);
        const e = denseMatrix(tf, chosen.map((c) => c.dense), inputDim);
        const targets = tf.oneHot(tf.tensor1d(chosen.map((c) => c.target), 'int32'), CLASS_COUNT);
        const packed = kernel ? packBatch(chosen.map((c) => c.sparse!)) : undefined;
        const dropoutSeed = config.seed * 1_000_003 + step++;
        const loss = optimizer.minimize(() => {
          let hidden: Tensor = tf.relu(tf.add(tf.matMul(e, w1), b1));
          if (config.dropout > 0) hidden = tf.dropout(hidden, config.dropout, undefined, dropoutSeed);
          let logits: Tensor = tf.add(tf.matMul(hidden, w2), bias);
          if (kernel && packed) logits = tf.add(logits, trainableSparseTimesDense(tf, packed, kernel as Tensor2D));
          const ce = tf.losses.softmaxCrossEntropy(targets, logits);
          const reg = tf.mul(config.l2, tf.add(tf.mean(tf.square(w1)), tf.mean(tf.square(w2))));
          return tf.add(ce, reg) as Scalar;
        }, true);
        lossSum += loss!.dataSync()[0];
        loss!.dispose();
        e.dispose();
        targets.dispose();
        batches++;
      }
      let accuracy = Number.NaN;
      if (holdout) {
        const current = { w1: w1 as Tensor2D, b1, w2: w2 as Tensor2D, bias, kernel: kernel as Tensor2D | undefined, dispose: () => undefined };
        accuracy = headAccuracy(tf, current, holdout);
      }
      onEpoch?.(epoch, lossSum / batches, accuracy);
      if (!holdout || accuracy > best.accuracy) best = { accuracy, epoch, head: snapshot() };
    }
  } finally {
    [w1, b1, w2, bias, kernel].forEach((v: Variable | undefined) => v?.dispose());
    optimizer.dispose();
  }
  return { head: best.head!, bestEpoch: best.epoch, holdoutAccuracy: best.accuracy };
}
