/** Classification metrics over the three sentiment classes. */
import { SENTIMENT_LABELS, type SentimentLabel } from '../../domain/sentiment/types';

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface EvaluationReport {
  count: number;
  accuracy: number;
  macroF1: number;
  perClass: Record<SentimentLabel, ClassMetrics>;
  /** confusion[actual][predicted], rows and columns in SENTIMENT_LABELS order. */
  confusion: number[][];
}

export function confusionMatrix(actual: readonly SentimentLabel[], predicted: readonly SentimentLabel[]): number[][] {
  if (actual.length !== predicted.length) throw new Error(`${actual.length} labels vs ${predicted.length} predictions`);
  const matrix = SENTIMENT_LABELS.map(() => SENTIMENT_LABELS.map(() => 0));
  for (let i = 0; i < actual.length; i++) {
    matrix[SENTIMENT_LABELS.indexOf(actual[i])][SENTIMENT_LABELS.indexOf(predicted[i])]++;
  }
  return matrix;
}

/** Precision/recall of a class with no predictions (or no examples) count as 0, as scikit-learn does. */
export function reportFromConfusion(confusion: number[][]): EvaluationReport {
  const count = confusion.flat().reduce((a, b) => a + b, 0);
  let correct = 0;
  const perClass = {} as Record<SentimentLabel, ClassMetrics>;
  SENTIMENT_LABELS.forEach((label, k) => {
    const truePositives = confusion[k][k];
    correct += truePositives;
    const predictedAs = confusion.reduce((sum, row) => sum + row[k], 0);
    const support = confusion[k].reduce((a, b) => a + b, 0);
    const precision = predictedAs ? truePositives / predictedAs : 0;
    const recall = support ? truePositives / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    perClass[label] = { precision, recall, f1, support };
  });
  const macroF1 = SENTIMENT_LABELS.reduce((sum, label) => sum + perClass[label].f1, 0) / SENTIMENT_LABELS.length;
  return { count, accuracy: count ? correct / count : 0, macroF1, perClass, confusion };
}

export function evaluate(actual: readonly SentimentLabel[], predicted: readonly SentimentLabel[]): EvaluationReport {
  return reportFromConfusion(confusionMatrix(actual, predicted));
}

const fixed = (x: number): string => x.toFixed(4);

/** Human-readable report; callers print their own final `accuracy=… macro_f1=…` line. */
export function formatReport(name: string, report: EvaluationReport): string {
  const lines = [`== ${name} (${report.count} texts)`, `accuracy ${fixed(report.accuracy)}  macro-F1 ${fixed(report.macroF1)}`];
  lines.push('class      precision  recall  f1      support');
  for (const label of SENTIMENT_LABELS) {
    const m = report.perClass[label];
    lines.push(`${label.padEnd(10)} ${fixed(m.precision).padEnd(10)} ${fixed(m.recall).padEnd(7)} ${fixed(m.f1).padEnd(7)} ${m.support}`);
  }
  lines.push('confusion (rows = actual, columns = predicted)');
  lines.push(`${''.padEnd(10)} ${SENTIMENT_LABELS.map((l) => l.padStart(9)).join(' ')}`);
  SENTIMENT_LABELS.forEach((label, k) => {
    lines.push(`${label.padEnd(10)} ${report.confusion[k].map((n) => String(n).padStart(9)).join(' ')}`);
  });
  return lines.join('\n');
}
