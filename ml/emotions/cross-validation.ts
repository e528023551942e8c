/**
 * k-fold cross-validation of the emotion head on precomputed pooled states. Rows without a
 * vector (texts the scorer refuses: no Latin letters) stay in the test folds and count as
 * predicted neutral, as the product would give them no emotion; an extra domain (GoEmotions)
 * joins every training fold with its own weight and never enters a test fold.
 */
import { addConfusions, emotionReport, type EmotionReport } from '../../domain/emotions/metrics';
import { argmaxRows, oneHot, trainEmotionHead, uploadEmotionHead, type EmotionExample, type EmotionHeadConfig, type EmotionHeadWeights } from './emotion-head';
import { EMOTION_LABELS } from '../../domain/emotions/labels';
import type { Tf } from '../runtime/tf-runtime';
import type { FeatureConfig } from '../serving/fast/text-features';
import { emotionSparse, fitEmotionIdf } from './emotion-text';
import { trainEmotionBranch, type BranchText, type EmotionBranchConfig, type TrainedEmotionBranch } from './emotion-branch';
import type { SentenceEncoder } from '../serving/accurate/encoder';
import { EMOTION_CV_FOLDS } from './folds';

export interface CvRow {
  dense: Float32Array | undefined;
  target: number;
  /** The text, for a head with an n-gram part. */
  text?: string;
}

export interface CvResult {
  /** Per checkpoint epoch: the report of the pooled out-of-fold predictions and each fold's macro-F1. */
  byEpoch: Map<number, { report: EmotionReport; foldMacroF1: number[]; foldAccuracy: number[] }>;
}

const empty = () => EMOTION_LABELS.map(() => EMOTION_LABELS.map(() => 0));

/**
 * Out-of-fold figures per checkpoint epoch, pooled over folds: both cross-validations (the
 * pooled head's and the branch's) record each fold's predictions here.
 */
function foldTally(checkpoints: readonly number[], onFold?: (fold: number, epoch: number, r: EmotionReport) => void) {
  const byEpoch = new Map(checkpoints.map((c) => [c, { confusion: empty(), foldMacroF1: [] as number[], foldAccuracy: [] as number[] }]));
  return {
    /** Whether the epoch is a checkpoint (worth predicting at). */
    wants: (epoch: number) => byEpoch.has(epoch),
    /**
     * One fold at one epoch: `predicted` holds the classes of the scoreable test rows in order;
     * a row the scorer refuses counts as neutral (class 0), as serving answers it.
     */
    record(fold: number, epoch: number, test: ReadonlyArray<{ target: number }>, scoreable: (row: number) => boolean, predicted: readonly number[]): void {
      const slot = byEpoch.get(epoch);
      if (!slot) return;
      const confusion = empty();
      let at = 0;
      test.forEach((t, i) => confusion[t.target][scoreable(i) ? predicted[at++] : 0]++);
      const r = emotionReport(confusion);
      slot.confusion = addConfusions(slot.confusion, confusion);
      slot.foldMacroF1.push(r.macroF1);
      slot.foldAccuracy.push(r.accuracy);
      onFold?.(fold, epoch, r);
    },
    result: (): CvResult => ({ byEpoch: new Map([...byEpoch].map(([e, s]) => [e, { report: emotionReport(s.confusion), foldMacroF1: s.foldMacroF1, foldAccuracy: s.foldAccuracy }])) }),
  };
}

export function crossValidate(
  tf: Tf,
  rows: readonly CvRow[],
  folds: readonly number[],
  config: EmotionHeadConfig,
  opts: {
    checkpoints: number[];
    classWeights?: readonly number[];
    extra?: readonly EmotionExample[];
    /** With an n-gram part: its IDF is fitted on each training fold's texts only. */
    ngram?: FeatureConfig;
    onFold?: (fold: number, epoch: number, r: EmotionReport) => void;
  },
): CvResult {
  const k = Math.max(...folds) + 1;
  const tally = foldTally(opts.checkpoints, opts.onFold);
  for (let fold = 0; fold < k; fold++) {
    if (opts.ngram && opts.extra) throw new Error('cross-validation with an n-gram part takes no extra domain');
    const idf = opts.ngram
      ? fitEmotionIdf(
          rows.filter((r, i) => folds[i] !== fold && r.dense).map((r) => r.text ?? ''),
          opts.ngram,
        )
      : undefined;
    const ngram = opts.ngram && idf ? { features: opts.ngram, idf } : undefined;
    const sparseOf = (r: CvRow) => (ngram ? { sparse: emotionSparse(r.text ?? '', ngram.features, ngram.idf) } : {});
    const train: EmotionExample[] = [];
    const test: CvRow[] = [];
    rows.forEach((r, i) => {
      if (folds[i] === fold) test.push(r);
      else if (r.dense) train.push({ dense: r.dense, target: oneHot(r.target), weight: opts.classWeights?.[r.target] ?? 1, ...sparseOf(r) });
    });
    const scoreable = test.filter((t) => t.dense);
    const scoreableSparse = ngram ? scoreable.map((t) => emotionSparse(t.text ?? '', ngram.features, ngram.idf)) : undefined;
    const examples = opts.extra ? [...train, ...opts.extra] : train;
    trainEmotionHead(
      tf,
      { ...config, seed: config.seed + fold, epochs: Math.max(...opts.checkpoints) },
      examples,
      (epoch, _loss, snapshot) => {
        if (!tally.wants(epoch)) return;
        const head = uploadEmotionHead(tf, snapshot());
        const predicted = argmaxRows(
          head.predict(
            scoreable.map((t) => t.dense!),
            scoreableSparse,
          ),
        );
        head.dispose();
        tally.record(fold, epoch, test, (i) => !!test[i].dense, predicted);
      },
      ngram,
    );
  }
  return tally.result();
}

/** The model metadata's record of a 5-fold CV result at one epoch (the folds, the figures, the confusion). */
export function cvMetrics(epochs: number, final: { report: EmotionReport; foldMacroF1: number[]; foldAccuracy: number[] }) {
  return {
    folds: EMOTION_CV_FOLDS.k,
    seed: EMOTION_CV_FOLDS.seed,
    epochs,
    accuracy: final.report.accuracy,
    macroF1: final.report.macroF1,
    foldMacroF1: final.foldMacroF1,
    foldAccuracy: final.foldAccuracy,
    perClass: final.report.perClass,
    confusion: final.report.confusion,
  };
}

/** Class weights (n / (classes · count_c))^power: power 0 is unweighted, 1 fully balanced. */
export function classWeights(targets: readonly number[], power: number): number[] {
  const counts = EMOTION_LABELS.map((_, c) => targets.filter((t) => t === c).length);
  return counts.map((c) => (c ? Math.pow(targets.length / EMOTION_LABELS.length / c, power) : 0));
}

/** A row for the emotion branch's cross-validation: its cached states, or none for a text the scorer refuses. */
export interface BranchCvRow {
  text: string;
  target: number;
  /** Token ids and the shared encoder's input of the branch's first layer; undefined when not scoreable. */
  tokens?: { ids: readonly number[]; states: Float32Array };
}

/**
 * k-fold cross-validation of the emotion branch (emotion-branch.ts) on the same folds as
 * `crossValidate`: per fold, the branch layers and head are trained on the other folds'
 * cached states and scored at each checkpoint epoch. `onlyFolds` screens settings on some
 * folds (the pooled figures then cover those folds' rows only).
 */
export function crossValidateBranch(
  tf: Tf,
  initEncoder: SentenceEncoder,
  rows: readonly BranchCvRow[],
  folds: readonly number[],
  config: EmotionBranchConfig,
  opts: {
    checkpoints: number[];
    classWeights?: readonly number[];
    /**
     * An extra domain in every training fold (soft targets, its own weight); never tested on.
     * With an n-gram part its rows get n-gram vectors under each fold's StockTwits IDF.
     */
    extra?: ReadonlyArray<BranchText & { text: string }>;
    ngram?: FeatureConfig;
    onlyFolds?: readonly number[];
    /** A head to start each fold from, trained on that fold's training rows (indices into rows) only. */
    warmStart?: (fold: number, trainRows: number[], ngram: { features: FeatureConfig; idf: Float32Array } | undefined) => EmotionHeadWeights;
    onFold?: (fold: number, epoch: number, r: EmotionReport) => void;
    /** Each fold's trained branch (to write one as an artifact and check the serving path on its test fold). */
    onTrained?: (fold: number, trained: TrainedEmotionBranch) => void;
    say?: (line: string) => void;
  },
): CvResult {
  const k = Math.max(...folds) + 1;
  const tally = foldTally(opts.checkpoints, opts.onFold);
  for (let fold = 0; fold < k; fold++) {
    if (opts.onlyFolds && !opts.onlyFolds.includes(fold)) continue;
    const idf = opts.ngram
      ? fitEmotionIdf(
          rows.filter((r, i) => folds[i] !== fold && r.tokens).map((r) => r.text),
          opts.ngram,
        )
      : undefined;
    const ngram = opts.ngram && idf ? { features: opts.ngram, idf } : undefined;
    const toText = (r: BranchCvRow, weight: number): BranchText => ({
      ids: r.tokens!.ids,
      states: r.tokens!.states,
      target: oneHot(r.target),
      weight,
      ...(ngram ? { sparse: emotionSparse(r.text, ngram.features, ngram.idf) } : {}),
    });
    const train: BranchText[] = [];
    const trainRows: number[] = [];
    const test: BranchCvRow[] = [];
    rows.forEach((r, i) => {
      if (folds[i] === fold) test.push(r);
      else if (r.tokens) {
        train.push(toText(r, opts.classWeights?.[r.target] ?? 1));
        trainRows.push(i);
      }
    });
    const warmStart = opts.warmStart?.(fold, trainRows, ngram);
    const scoreable = test.filter((t) => t.tokens).map((t) => toText(t, 1));
    const extra = (opts.extra ?? []).map(({ text, ...e }) => (ngram ? { ...e, sparse: emotionSparse(text, ngram.features, ngram.idf) } : e));
    const trained = trainEmotionBranch(tf, initEncoder, { ...config, seed: config.seed + fold, epochs: Math.max(...opts.checkpoints) }, [...train, ...extra], {
      ...(ngram ? { ngram } : {}),
      ...(warmStart ? { warmStart } : {}),
      say: opts.say,
      onEpoch: (epoch, predict) => {
        if (tally.wants(epoch)) tally.record(fold, epoch, test, (i) => !!test[i].tokens, argmaxRows(predict(scoreable)));
      },
    });
    opts.onTrained?.(fold, trained);
  }
  return tally.result();
}
