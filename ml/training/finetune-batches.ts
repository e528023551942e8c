/**
 * A fine-tuning batch over cached encoder states, as plain arrays (encoder-finetune.ts trains on
 * them): the zero-padded states of a batch, the pooling matrices that average a row's tokens or
 * an entity's span and the row normalisation after them, and the learning-rate schedule per step.
 */
import type { Tensor, Tensor2D } from '@tensorflow/tfjs';
import type { Tf } from '../runtime/tf-runtime';

/** Learning-rate multiplier at a step: linear warm-up, then linear decay to zero at the last step. */
export function learningRateFactor(step: number, totalSteps: number, warmupFraction: number): number {
  const warmup = Math.max(1, Math.round(totalSteps * warmupFraction));
  if (step < warmup) return (step + 1) / warmup;
  return Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmup));
}

/**
 * Rows of a pooling matrix over a padded batch flattened to [rows * length]: each pick
 * averages its row's tokens [start, end), clamped to the row's real tokens; an empty span
 * falls back to the whole row, as SentenceEncoder.embedIdsWithSpans does.
 */
export function poolingMatrix(length: number, realLengths: readonly number[], picks: ReadonlyArray<{ row: number; start: number; end: number }>): Float32Array {
  const width = realLengths.length * length;
  const out = new Float32Array(picks.length * width);
  picks.forEach((p, i) => {
    const real = realLengths[p.row];
    let start = Math.max(0, Math.min(p.start, real));
    let end = Math.max(start, Math.min(p.end, real));
    if (end === start) [start, end] = [0, real];
    const w = 1 / (end - start);
    for (let t = start; t < end; t++) out[i * width + p.row * length + t] = w;
  });
  return out;
}

export interface BatchInputs {
  x: Tensor2D;
  mask: Float32Array;
  rows: number;
  length: number;
  real: number[];
}

/** Zero-padded cached states of a batch, [rows * length, hidden]. */
export function batchInputs(tf: Tf, texts: ReadonlyArray<{ ids: readonly number[]; states: Float32Array }>, dim: number): BatchInputs {
  const rows = texts.length;
  const length = Math.max(...texts.map((t) => t.ids.length));
  const flat = new Float32Array(rows * length * dim);
  const mask = new Float32Array(rows * length);
  texts.forEach((t, r) => {
    flat.set(t.states, r * length * dim);
    mask.fill(1, r * length, r * length + t.ids.length);
  });
  return { x: tf.tensor2d(flat, [rows * length, dim]), mask, rows, length, real: texts.map((t) => t.ids.length) };
}

/** Each row scaled to unit length (the pooled sentence and span vectors, as SentenceEncoder gives them). */
export function l2Rows(tf: Tf, v: Tensor): Tensor2D {
  return tf.div(v, tf.maximum(tf.sqrt(tf.sum(tf.square(v), 1, true)), 1e-12)) as Tensor2D;
}
