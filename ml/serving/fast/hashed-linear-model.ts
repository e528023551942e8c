/**
 * The sentiment model: multinomial logistic regression over hashed TF-IDF n-grams,
 * run as TensorFlow.js ops. The sparse input is fed as (bucket index, weight) pairs and
 * multiplied by gathering kernel rows, so a batch costs O(active features) rather than
 * O(buckets); that is what makes thousands of headlines per second possible on wasm.
 */
import type { GradSaveFunc, Tensor, Tensor2D } from '@tensorflow/tfjs';
import type { Tf } from '../../runtime/tf-runtime';
import { vectorise, type FeatureConfig, type SparseVector } from './text-features';
import { SENTIMENT_LABELS } from '../../../domain/sentiment/types';

export const CLASS_COUNT = SENTIMENT_LABELS.length;

/** Everything needed to score text; what an artifact stores. */
export interface HashedLinearModel {
  features: FeatureConfig;
  idf: Float32Array;
  /** [buckets, CLASS_COUNT], row-major. */
  kernel: Float32Array;
  bias: Float32Array;
}

/** A batch of sparse rows padded to one width; padding points at bucket 0 with weight 0. */
export interface PackedBatch {
  rows: number;
  width: number;
  indices: Int32Array;
  values: Float32Array;
}

export function packBatch(vectors: readonly SparseVector[]): PackedBatch {
  const width = Math.max(1, ...vectors.map((v) => v.indices.length));
  const indices = new Int32Array(vectors.length * width);
  const values = new Float32Array(vectors.length * width);
  vectors.forEach((vector, row) => {
    indices.set(vector.indices, row * width);
    values.set(vector.values, row * width);
  });
  return { rows: vectors.length, width, indices, values };
}

/** X·K for sparse X; the result is [rows, classes]. */
export function sparseTimesDense(tf: Tf, batch: PackedBatch, kernel: Tensor2D): Tensor2D {
  const classes = kernel.shape[1];
  return tf.tidy(() => {
    const gathered = tf.gather(kernel, tf.tensor1d(batch.indices, 'int32'));
    const weighted = tf.mul(gathered, tf.tensor2d(batch.values, [batch.indices.length, 1]));
    return tf.sum(tf.reshape(weighted, [batch.rows, batch.width, classes]), 1) as Tensor2D;
  });
}

/**
 * The same product with a hand-written gradient: tfjs differentiates gather through
 * UnsortedSegmentSum, which the wasm backend lacks and the cpu backend runs far too slowly.
 * The kernel gradient is a scatter-add of (weight x upstream gradient) into the touched rows.
 */
export function trainableSparseTimesDense(tf: Tf, batch: PackedBatch, kernel: Tensor2D): Tensor2D {
  const [buckets, classes] = kernel.shape;
  const op = tf.customGrad((...inputs: Array<Tensor | GradSaveFunc>) => ({
    value: sparseTimesDense(tf, batch, inputs[0] as Tensor2D),
    gradFunc: (dy: Tensor) => {
      const upstream = dy.dataSync();
      const grad = new Float32Array(buckets * classes);
      for (let row = 0; row < batch.rows; row++) {
        for (let j = row * batch.width, end = j + batch.width; j < end; j++) {
          const weight = batch.values[j];
          if (weight === 0) continue;
          const base = batch.indices[j] * classes;
          for (let c = 0; c < classes; c++) grad[base + c] += weight * upstream[row * classes + c];
        }
      }
      return tf.tensor2d(grad, [buckets, classes]);
    },
  }));
  return op(kernel) as Tensor2D;
}

/** Model tensors held on the backend for repeated scoring. */
export interface LoadedModel {
  spec: HashedLinearModel;
  kernel: Tensor2D;
  bias: Tensor;
  dispose(): void;
}

export function uploadModel(tf: Tf, spec: HashedLinearModel): LoadedModel {
  const kernel = tf.tensor2d(spec.kernel, [spec.features.buckets, CLASS_COUNT]);
  const bias = tf.tensor1d(spec.bias);
  return {
    spec,
    kernel,
    bias,
    dispose: () => {
      kernel.dispose();
      bias.dispose();
    },
  };
}

/** Class probabilities, [rows x CLASS_COUNT] row-major, for already vectorised texts. */
export function predictVectors(tf: Tf, model: { kernel: Tensor2D; bias: Tensor }, vectors: readonly SparseVector[]): Float32Array {
  if (vectors.length === 0) return new Float32Array(0);
  const batch = packBatch(vectors);
  const probabilities = tf.tidy(() => tf.softmax(tf.add(sparseTimesDense(tf, batch, model.kernel), model.bias)));
  const out = probabilities.dataSync() as Float32Array;
  probabilities.dispose();
  return out;
}

export function predictTexts(tf: Tf, model: LoadedModel, texts: readonly string[]): Float32Array {
  return predictVectors(tf, model, texts.map((t) => vectorise(t, model.spec.features, model.spec.idf)));
}
