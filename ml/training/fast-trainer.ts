/** Training the hashed linear model with TensorFlow.js (Adam on softmax cross-entropy). */
import type { Scalar, Tensor, Tensor2D, Variable } from '@tensorflow/tfjs';
import { seededRandom, shuffleInPlace, stratifiedSplit, type LabelledText } from '../data/datasets';
import { CLASS_COUNT, predictVectors, packBatch, trainableSparseTimesDense, type HashedLinearModel } from '../serving/fast/hashed-linear-model';
import { evaluate } from '../evaluation/metrics';
import { fitIdf, vectorise, type FeatureConfig, type SparseVector } from '../serving/fast/text-features';
import type { Tf } from '../runtime/tf-runtime';
import { labelFromIndex, labelIndex } from '../../domain/sentiment/types';

export interface TrainingConfig {
  seed: number;
  features: FeatureConfig;
  learningRate: number;
  batchSize: number;
  maxEpochs: number;
  /** Epochs without a better early-stopping accuracy before giving up. */
  patience: number;
  /** Share of the training rows held back to choose the epoch count. */
  earlyStoppingFraction: number;
  /** Penalty on the mean squared kernel entry, scaled per batch. */
  l2: number;
  /** Retrain on every training row for the chosen epoch count once early stopping has picked it. */
  refitOnAll: boolean;
}

export interface TrainingLog {
  epoch: number;
  loss: number;
  earlyStoppingAccuracy: number;
  seconds: number;
}

export interface TrainingResult {
  model: HashedLinearModel;
  bestEpoch: number;
  log: TrainingLog[];
  seconds: number;
}

interface Example {
  vector: SparseVector;
  target: number;
}

function toExamples(rows: readonly LabelledText[], features: FeatureConfig, idf: Float32Array): Example[] {
  return rows.map((r) => ({ vector: vectorise(r.text, features, idf), target: labelIndex(r.label) }));
}

function accuracyOf(tf: Tf, model: { kernel: Tensor2D; bias: Tensor }, examples: readonly Example[]): number {
  const predicted: number[] = [];
  for (let start = 0; start < examples.length; start += 512) {
    const chunk = examples.slice(start, start + 512);
    const probabilities = predictVectors(tf, model, chunk.map((e) => e.vector));
    for (let row = 0; row < chunk.length; row++) {
      let best = 0;
      for (let c = 1; c < CLASS_COUNT; c++) if (probabilities[row * CLASS_COUNT + c] > probabilities[row * CLASS_COUNT + best]) best = c;
      predicted.push(best);
    }
  }
  return evaluate(examples.map((e) => labelFromIndex(e.target)), predicted.map(labelFromIndex)).accuracy;
}

/** Runs `epochs` passes (or until early stopping when `holdout` is given); returns the best weights seen. */
function fit(
  tf: Tf,
  config: TrainingConfig,
  examples: readonly Example[],
  holdout: readonly Example[] | undefined,
  epochs: number,
  log: TrainingLog[],
): { kernel: Float32Array; bias: Float32Array; bestEpoch: number } {
  const buckets = config.features.buckets;
  const random = seededRandom(config.seed);
  const kernel: Variable = tf.variable(tf.zeros([buckets, CLASS_COUNT]), true, `kernel_${config.seed}_${Date.now()}`);
  const bias: Variable = tf.variable(tf.zeros([CLASS_COUNT]), true, `bias_${config.seed}_${Date.now()}`);
  const optimizer = tf.train.adam(config.learningRate);
  let best: { accuracy: number; epoch: number; kernel: Float32Array; bias: Float32Array } = { accuracy: -1, epoch: 0, kernel: new Float32Array(0), bias: new Float32Array(0) };
  const order = examples.map((_, i) => i);
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const started = Date.now();
      shuffleInPlace(order, random);
      let lossSum = 0;
      let batches = 0;
      for (let start = 0; start < order.length; start += config.batchSize) {
        const chosen = order.slice(start, start + config.batchSize).map((i) => examples[i]);
        const batch = packBatch(chosen.map((e) => e.vector));
        const targets = tf.oneHot(tf.tensor1d(chosen.map((e) => e.target), 'int32'), CLASS_COUNT);
        const loss = optimizer.minimize(() => {
          const logits = tf.add(trainableSparseTimesDense(tf, batch, kernel as Tensor2D), bias);
          const crossEntropy = tf.losses.softmaxCrossEntropy(targets, logits);
          return tf.add(crossEntropy, tf.mul(config.l2, tf.sum(tf.square(kernel)))) as Scalar;
        }, true);
        lossSum += loss!.dataSync()[0];
        loss!.dispose();
        targets.dispose();
        batches++;
      }
      const accuracy = holdout ? accuracyOf(tf, { kernel: kernel as Tensor2D, bias }, holdout) : Number.NaN;
      log.push({ epoch, loss: lossSum / batches, earlyStoppingAccuracy: accuracy, seconds: (Date.now() - started) / 1000 });
      if (!holdout || accuracy > best.accuracy) {
        best = { accuracy, epoch, kernel: kernel.dataSync().slice() as Float32Array, bias: bias.dataSync().slice() as Float32Array };
      } else if (epoch - best.epoch >= config.patience) {
        break;
      }
    }
  } finally {
    kernel.dispose();
    bias.dispose();
    optimizer.dispose();
  }
  return { kernel: best.kernel, bias: best.bias, bestEpoch: best.epoch };
}

/**
 * Early stopping looks only at a slice carved out of the training rows, never at the
 * evaluation splits; with `refitOnAll` the final model then sees every training row.
 */
export function trainModel(tf: Tf, rows: readonly LabelledText[], config: TrainingConfig): TrainingResult {
  const started = Date.now();
  const log: TrainingLog[] = [];
  const { train: fitRows, test: stopRows } = stratifiedSplit(rows, config.earlyStoppingFraction, config.seed + 1);
  const fitIdfValues = fitIdf(fitRows.map((r) => r.text), config.features);
  const chosen = fit(tf, config, toExamples(fitRows, config.features, fitIdfValues), toExamples(stopRows, config.features, fitIdfValues), config.maxEpochs, log);
  if (!config.refitOnAll) {
    return { model: { features: config.features, idf: fitIdfValues, kernel: chosen.kernel, bias: chosen.bias }, bestEpoch: chosen.bestEpoch, log, seconds: (Date.now() - started) / 1000 };
  }
  const idf = fitIdf(rows.map((r) => r.text), config.features);
  const final = fit(tf, config, toExamples(rows, config.features, idf), undefined, chosen.bestEpoch, log);
  return {
    model: { features: config.features, idf, kernel: final.kernel, bias: final.bias },
    bestEpoch: chosen.bestEpoch,
    log,
    seconds: (Date.now() - started) / 1000,
  };
}
