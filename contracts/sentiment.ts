/** Input and output of article scoring (workflows/sentiment.workflow.ts and its activities). */

export interface ScoreArticlesInput {
  articleIds: string[];
  /** A specific model version (backfills); unset = the active model, or the lexicon when the flag is off. */
  modelVersion?: string;
  /** Without modelVersion: 'accurate' scores with the active accurate tier (nothing to do when there is none). */
  tier?: 'fast' | 'accurate';
  batchSize?: number;
  /** Live re-scoring of new articles (accurateRescoreWorkflow): its fast -> accurate latency is measured. */
  live?: boolean;
}

export interface ScoreArticlesResult {
  modelVersion: string;
  scored: number;
  alreadyScored: number;
}
