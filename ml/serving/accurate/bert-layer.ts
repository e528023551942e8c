/**
 * One post-LN BERT layer as TensorFlow.js ops, and the names of its parameters: the math both
 * the encoder's padded forward (inference on native TensorFlow, and the reference) and the
 * fine-tuning trainer run, so training and inference share one forward; and the arithmetic of
 * the fine-tuned layers' deltas that artifacts store (inference merges them without loading the
 * trainer).
 */
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs';
import type { Tf } from '../../runtime/tf-runtime';

/** A layer's weights as tensors (or tf.Variables while fine-tuning); Q/K/V fused in one kernel. */
export interface Layer {
  qkvKernel: Tensor2D;
  qkvBias: Tensor1D;
  outKernel: Tensor2D;
  outBias: Tensor1D;
  ln1Gamma: Tensor1D;
  ln1Beta: Tensor1D;
  ffnInKernel: Tensor2D;
  ffnInBias: Tensor1D;
  ffnOutKernel: Tensor2D;
  ffnOutBias: Tensor1D;
  ln2Gamma: Tensor1D;
  ln2Beta: Tensor1D;
}

/** The per-layer parameter names, in artifact order. */
export const ENCODER_LAYER_PARAMS = [
  'qkvKernel',
  'qkvBias',
  'outKernel',
  'outBias',
  'ln1Gamma',
  'ln1Beta',
  'ffnInKernel',
  'ffnInBias',
  'ffnOutKernel',
  'ffnOutBias',
  'ln2Gamma',
  'ln2Beta',
] as const satisfies ReadonlyArray<keyof Layer>;

export type EncoderLayerWeights = Record<(typeof ENCODER_LAYER_PARAMS)[number], Float32Array>;

export function layerNorm(tf: Tf, x: Tensor, gamma: Tensor1D, beta: Tensor1D, eps: number): Tensor {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))), gamma), beta);
}

/** Additive attention mask: 0 for real tokens, -1e9 for padding, broadcast over heads and queries. */
export function attentionMaskBias(tf: Tf, mask: Float32Array, rows: number, length: number): Tensor {
  return tf.tidy(() => tf.reshape(tf.mul(tf.sub(1, tf.tensor2d(mask, [rows, length])), -1e9), [rows, 1, 1, length]));
}

/**
 * One post-LN BERT layer on x ([rows * length, hidden]). Also what fine-tuning differentiates
 * (its weights may be tf.Variables), so training and inference share one forward.
 */
export function bertLayer(tf: Tf, x: Tensor2D, layer: Layer, maskBias: Tensor, rows: number, length: number, heads: number, eps: number): Tensor2D {
  const H = x.shape[1];
  const D = H / heads;
  const scale = 1 / Math.sqrt(D);
  const qkv = tf.fused.matMul({ a: x, b: layer.qkvKernel, bias: layer.qkvBias });
  const [q, k, v] = tf.split(qkv, 3, 1).map((t) => tf.transpose(tf.reshape(t, [rows, length, heads, D]), [0, 2, 1, 3]));
  const scores = tf.add(tf.matMul(tf.mul(q, scale), k, false, true), maskBias);
  const context = tf.matMul(tf.softmax(scores), v);
  const merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [rows * length, H]);
  const attended = tf.fused.matMul({ a: merged, b: layer.outKernel, bias: layer.outBias });
  const y = layerNorm(tf, tf.add(x, attended), layer.ln1Gamma, layer.ln1Beta, eps) as Tensor2D;
  const inner = tf.fused.matMul({ a: y, b: layer.ffnInKernel, bias: layer.ffnInBias });
  const gelu = tf.mul(tf.mul(inner, 0.5), tf.add(1, tf.erf(tf.mul(inner, Math.SQRT1_2))));
  const out = tf.fused.matMul({ a: gelu as Tensor2D, b: layer.ffnOutKernel, bias: layer.ffnOutBias });
  return layerNorm(tf, tf.add(y, out), layer.ln2Gamma, layer.ln2Beta, eps) as Tensor2D;
}

/** Tensor shapes of one encoder layer's parameters. */
export function layerShapes(hidden: number, intermediate: number): Record<(typeof ENCODER_LAYER_PARAMS)[number], number[]> {
  return {
    qkvKernel: [hidden, 3 * hidden],
    qkvBias: [3 * hidden],
    outKernel: [hidden, hidden],
    outBias: [hidden],
    ln1Gamma: [hidden],
    ln1Beta: [hidden],
    ffnInKernel: [hidden, intermediate],
    ffnInBias: [intermediate],
    ffnOutKernel: [intermediate, hidden],
    ffnOutBias: [hidden],
    ln2Gamma: [hidden],
    ln2Beta: [hidden],
  };
}

/** Trained minus base, per parameter: what an artifact stores (and mergeLayerDelta undoes). */
export function layerDelta(trained: EncoderLayerWeights, base: EncoderLayerWeights): EncoderLayerWeights {
  return Object.fromEntries(ENCODER_LAYER_PARAMS.map((n) => [n, trained[n].map((v, i) => v - base[n][i])])) as EncoderLayerWeights;
}

/** Base plus delta, per parameter. */
export function mergeLayerDelta(base: EncoderLayerWeights, delta: EncoderLayerWeights): EncoderLayerWeights {
  return Object.fromEntries(
    ENCODER_LAYER_PARAMS.map((n) => {
      if (base[n].length !== delta[n].length) throw new Error(`layer delta ${n} has ${delta[n].length} values, the base ${base[n].length}`);
      return [n, base[n].map((v, i) => v + delta[n][i])];
    }),
  ) as EncoderLayerWeights;
}
