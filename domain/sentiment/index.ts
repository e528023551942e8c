/**
 * Public surface of the sentiment domain: the pure types every scorer speaks, the lexicon
 * scorer and the guards that decide what is scoreable. The models (both tiers, their training
 * and evaluation) live in ml/, entered through ml/index.ts.
 */
export type { SentimentLabel, SentimentScore, SentimentScorer, SentimentTier, ClassProbabilities } from './types';
export { SENTIMENT_LABELS, MAX_SCORED_CHARS, labelFromIndex, labelIndex } from './types';
export { createLexiconScorer, LEXICON_NAME } from './lexicon-scorer';
export { prepareForScoring, type Scoreable } from './scoring-guards';
