/** Stratified k-fold assignment with a fixed seed: every fold keeps each class's share. */
import { seededRandom, shuffleInPlace } from '../data/datasets';

/** fold[i] in [0, k) for row i; within each label the rows are shuffled, then dealt round-robin. */
export function stratifiedFolds(labels: readonly string[], k: number, seed: number): number[] {
  if (!Number.isInteger(k) || k < 2) throw new Error(`folds must be an integer >= 2, got ${k}`);
  const random = seededRandom(seed);
  const byLabel = new Map<string, number[]>();
  labels.forEach((l, i) => {
    let rows = byLabel.get(l);
    if (!rows) byLabel.set(l, (rows = []));
    rows.push(i);
  });
  const fold = new Array<number>(labels.length);
  let next = 0;
  for (const label of [...byLabel.keys()].sort()) {
    const rows = shuffleInPlace(byLabel.get(label)!, random);
    // continue the deal where the previous class stopped, so fold sizes differ by at most one
    for (const i of rows) fold[i] = next++ % k;
  }
  return fold;
}

/**
 * The emotion models' cross-validation folds: 5, stratified, seed 7. One definition, because the
 * pooled head's and the branch's CV figures are compared fold for fold.
 */
export const EMOTION_CV_FOLDS = { k: 5, seed: 7 } as const;

/** fold[i] for each StockTwits row, by its label. */
export function emotionFolds(labels: readonly string[]): number[] {
  return stratifiedFolds(labels, EMOTION_CV_FOLDS.k, EMOTION_CV_FOLDS.seed);
}
