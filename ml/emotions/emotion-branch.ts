/**
 * The emotion branch: the emotion head with encoder layers of its own. The accurate tier's
 * lower layers [0, from) run once per text and are shared; the sentiment and entity heads go on
 * through that encoder's top layers as always, while the emotion head reads the pooled output
 * of its OWN copy of layers [from, layerCount), fine-tuned jointly with its MLP (+ n-gram part)
 * on emotion labels:
 *
 *   x      = the shared encoder's input of layer `from` (cached once per text for training)
 *   e      = l2norm(mean over the text's tokens of branchLayers(x))
 *   p      = softmax(relu(e · W1 + b1) · W2 + b  [+ tfidf(text) · K])
 *
 * Training is encoder-finetune.ts's EncoderFinetuner (one fine-tuning loop, one layer
 * implementation) with its per-text head over the 7 emotions and no entity loss. The branch
 * layers start as a copy of either the accurate encoder's layers (`init: 'accurate'`) or the
 * pretrained MiniLM's (`'pretrained'`); the artifact stores them as deltas to that start.
 */
import type { SentenceEncoder } from '../serving/accurate/encoder';
import type { EncoderLayerWeights } from '../serving/accurate/bert-layer';
import type { FeatureConfig, SparseVector } from '../serving/fast/text-features';
import { EncoderFinetuner, type FinetuneText, type TopLayerSchedule } from '../training/encoder-finetune';
import type { Tf } from '../runtime/tf-runtime';
import { EMOTION_CLASS_COUNT, type EmotionHeadWeights } from './emotion-head';

/** Where a branch's layers started: the accurate tier's fine-tuned layers, or the pretrained encoder's. */
export type BranchInit = 'accurate' | 'pretrained';

export interface EmotionBranchConfig extends TopLayerSchedule {
  /** k: the branch owns the top k layers [layerCount - k, layerCount). */
  layers: number;
  init: BranchInit;
  /** L2 on the head's W1/W2 (mean squared weight). */
  l2: number;
}

export const DEFAULT_EMOTION_BRANCH_CONFIG: EmotionBranchConfig = {
  seed: 7,
  layers: 1,
  init: 'accurate',
  epochs: 4,
  batchSize: 32,
  encoderLearningRate: 5e-5,
  headLearningRate: 1e-3,
  hidden: 256,
  dropout: 0.1,
  l2: 1e-3,
  warmupFraction: 0.06,
};

export interface BranchText {
  /** Token ids including [CLS] and [SEP]. */
  ids: readonly number[];
  /** The shared encoder's input of layer `from` for those tokens: [ids.length, hidden]. */
  states: Float32Array;
  /** A distribution over EMOTION_LABELS (one-hot for a single label). */
  target: Float32Array;
  /** Loss weight (1 for the home domain). */
  weight: number;
  /** The text's n-gram vector, for a branch with an n-gram part. */
  sparse?: SparseVector;
}

export interface EmotionBranchWeights {
  /** The first layer the branch owns (the shared encoder's layers below it run once). */
  from: number;
  init: BranchInit;
  /** Trained layers [from, from + layers.length), absolute weights. */
  layers: EncoderLayerWeights[];
}

export interface TrainedEmotionBranch {
  branch: EmotionBranchWeights;
  head: EmotionHeadWeights;
}

/** A trained branch's probabilities for texts, from their cached states: [rows x classes] row-major. */
export type BranchPredict = (texts: readonly BranchText[]) => Float32Array;

function toFinetuneText(t: BranchText): FinetuneText {
  let target = 0;
  for (let c = 1; c < t.target.length; c++) if (t.target[c] > t.target[target]) target = c;
  const hard = t.target[target] === 1;
  return {
    ids: t.ids,
    states: t.states,
    sentence: { target, weight: t.weight, ...(hard ? {} : { distribution: t.target }), ...(t.sparse ? { sparse: t.sparse } : {}) },
    entities: [],
  };
}

/**
 * Fine-tunes the branch: `initEncoder`'s layers [layerCount - k, layerCount) (the accurate
 * encoder for init 'accurate', the pretrained one for 'pretrained') jointly with a new emotion
 * head, for config.epochs (chosen by cross-validation). `onEpoch` runs after each epoch with a
 * predictor holding that epoch's weights. Deterministic for a seed.
 */
export function trainEmotionBranch(
  tf: Tf,
  initEncoder: SentenceEncoder,
  config: EmotionBranchConfig,
  texts: readonly BranchText[],
  opts: {
    ngram?: { features: FeatureConfig; idf: Float32Array };
    /**
     * The head to start from (a pooled-state head trained on the same texts): with init
     * 'accurate' the branch's first forward equals the shared pooled state, so fine-tuning
     * starts at that head's predictions instead of random ones.
     */
    warmStart?: EmotionHeadWeights;
    onEpoch?: (epoch: number, predict: BranchPredict) => void;
    say?: (line: string) => void;
  } = {},
): TrainedEmotionBranch {
  if (texts.length === 0) throw new Error('no training texts for the emotion branch');
  if (!Number.isInteger(config.layers) || config.layers < 1 || config.layers > initEncoder.layerCount) throw new Error(`the emotion branch owns 1..${initEncoder.layerCount} layers, not ${config.layers}`);
  if (opts.ngram && texts.some((t) => !t.sparse)) throw new Error('an n-gram emotion branch needs a sparse vector on every text');
  const from = initEncoder.layerCount - config.layers;
  const finetuner = new EncoderFinetuner(
    tf,
    initEncoder,
    {
      seed: config.seed,
      cachedFrom: from,
      trainFrom: from,
      epochs: config.epochs,
      batchSize: config.batchSize,
      encoderLearningRate: config.encoderLearningRate,
      headLearningRate: config.headLearningRate,
      hidden: config.hidden,
      dropout: config.dropout,
      entityLossWeight: 0,
      warmupFraction: config.warmupFraction,
      textClasses: EMOTION_CLASS_COUNT,
      textL2: config.l2,
    },
    opts.ngram,
  );
  try {
    if (opts.warmStart) finetuner.setTextHead(opts.warmStart);
    const predict: BranchPredict = (rows) => {
      const out = new Float32Array(rows.length * EMOTION_CLASS_COUNT);
      finetuner.predict(rows.map(toFinetuneText)).sentence.forEach((p, i) => out.set(p, i * EMOTION_CLASS_COUNT));
      return out;
    };
    const result = finetuner.train(texts.map(toFinetuneText), [], opts.say, opts.onEpoch && ((epoch) => opts.onEpoch!(epoch, predict)));
    return { branch: { from, init: config.init, layers: result.layers }, head: result.sentence };
  } finally {
    finetuner.dispose();
  }
}
