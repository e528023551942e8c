/** Public surface of the sentiment domain: scorers, artifacts and evaluation helpers. */
export type { SentimentLabel, SentimentScore, SentimentScorer, ClassProbabilities } from './types';
export { SENTIMENT_LABELS, MAX_SCORED_CHARS } from './types';
export { loadModelScorer, type LoadModelOptions } from './model-scorer';
export { createLexiconScorer, LEXICON_NAME } from './lexicon-scorer';
export { listModelVersions, activeVersion, setActiveVersion, defaultModelsDir } from './model-store';
export { evaluateScorer } from './evaluation';
export { evaluate, formatReport, type EvaluationReport } from './metrics';
export { readLabelledCsv, parseLabel, type LabelledText } from './data';

import { createLexiconScorer } from './lexicon-scorer';
import { loadModelScorer, type LoadModelOptions } from './model-scorer';
import type { SentimentScorer } from './types';

/**
 * The scorer the pipeline should use: the model when `useModel` (the model_sentiment flag)
 * is on and it loads, else the lexicon. `onFallback` hears why the model was not used.
 */
export async function createScorer(opts: LoadModelOptions & { useModel: boolean; onFallback?: (reason: string) => void }): Promise<SentimentScorer> {
  if (!opts.useModel) return createLexiconScorer();
  try {
    return await loadModelScorer(opts);
  } catch (err) {
    opts.onFallback?.((err as Error).message);
    return createLexiconScorer();
  }
}
