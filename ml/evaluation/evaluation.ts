/** Scores labelled rows with any scorer and summarises the result. */
import type { LabelledText } from '../data/datasets';
import { evaluate, type EvaluationReport } from './metrics';
import type { SentimentLabel, SentimentScorer } from '../../domain/sentiment/types';

/** Texts a scorer declines count as neutral: that is what the signal pipeline does with them. */
export async function evaluateScorer(
  scorer: SentimentScorer,
  rows: readonly LabelledText[],
  batchSize = 256,
  onPredicted?: (labels: SentimentLabel[]) => void,
): Promise<EvaluationReport> {
  const predicted: SentimentLabel[] = [];
  for (let start = 0; start < rows.length; start += batchSize) {
    const scores = await scorer.scoreBatch(rows.slice(start, start + batchSize).map((r) => r.text));
    for (const s of scores) predicted.push(s.label ?? 'neutral');
  }
  onPredicted?.(predicted);
  return evaluate(rows.map((r) => r.label), predicted);
}
