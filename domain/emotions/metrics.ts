/** Accuracy, macro-F1 and the confusion matrix over the seven emotion classes. */
import { EMOTION_LABELS, type EmotionLabel } from './labels';

export interface EmotionClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface EmotionReport {
  count: number;
  accuracy: number;
  macroF1: number;
  perClass: Record<EmotionLabel, EmotionClassMetrics>;
  /** confusion[actual][predicted] in EMOTION_LABELS order. */
  confusion: number[][];
}

export function emotionConfusion(actual: readonly EmotionLabel[], predicted: readonly EmotionLabel[]): number[][] {
  if (actual.length !== predicted.length) throw new Error(`${actual.length} labels vs ${predicted.length} predictions`);
  const m = EMOTION_LABELS.map(() => EMOTION_LABELS.map(() => 0));
  for (let i = 0; i < actual.length; i++) m[EMOTION_LABELS.indexOf(actual[i])][EMOTION_LABELS.indexOf(predicted[i])]++;
  return m;
}

/** As scikit-learn: a class never predicted (or never present) has precision (recall) 0. */
export function emotionReport(confusion: number[][]): EmotionReport {
  const count = confusion.flat().reduce((a, b) => a + b, 0);
  let correct = 0;
  const perClass = {} as Record<EmotionLabel, EmotionClassMetrics>;
  EMOTION_LABELS.forEach((label, k) => {
    const tp = confusion[k][k];
    correct += tp;
    const predicted = confusion.reduce((s, row) => s + row[k], 0);
    const support = confusion[k].reduce((a, b) => a + b, 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    perClass[label] = { precision, recall, f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0, support };
  });
  const macroF1 = EMOTION_LABELS.reduce((s, l) => s + perClass[l].f1, 0) / EMOTION_LABELS.length;
  return { count, accuracy: count ? correct / count : 0, macroF1, perClass, confusion };
}

export function evaluateEmotions(actual: readonly EmotionLabel[], predicted: readonly EmotionLabel[]): EmotionReport {
  return emotionReport(emotionConfusion(actual, predicted));
}

/** Sums confusion matrices (e.g. the folds of a cross-validation, pooled). */
export function addConfusions(a: number[][], b: number[][]): number[][] {
  return a.map((row, i) => row.map((v, j) => v + b[i][j]));
}

const f = (x: number) => x.toFixed(4);

export function formatEmotionReport(name: string, r: EmotionReport): string {
  const lines = [`== ${name} (${r.count} texts)`, `accuracy ${f(r.accuracy)}  macro-F1 ${f(r.macroF1)}`, 'class      precision  recall  f1      support'];
  for (const l of EMOTION_LABELS) lines.push(`${l.padEnd(10)} ${f(r.perClass[l].precision).padEnd(10)} ${f(r.perClass[l].recall).padEnd(7)} ${f(r.perClass[l].f1).padEnd(7)} ${r.perClass[l].support}`);
  lines.push('confusion (rows = actual, columns = predicted)');
  lines.push(`${''.padEnd(10)} ${EMOTION_LABELS.map((l) => l.padStart(8)).join(' ')}`);
  EMOTION_LABELS.forEach((l, k) => lines.push(`${l.padEnd(10)} ${r.confusion[k].map((n) => String(n).padStart(8)).join(' ')}`));
  return lines.join('\n');
}
