/** Input and output of signal computation (workflows/signals.workflow.ts and its activity). */

export interface ComputeSignalsInput {
  articleIds?: string[];
  tickers?: string[];
  /** ISO time the signals speak for; the workflow fixes it so that retries compute the same signal. */
  asOf?: string;
}

export interface ComputedSignalRef {
  id: string;
  ticker: string;
  type: string;
  confidence: number;
  /** false when a signal with the same ticker, asOf and params already existed (a retry or a re-run). */
  created: boolean;
}

export interface ComputeSignalsResult {
  asOf: string;
  signals: ComputedSignalRef[];
  skipped: Array<{ ticker: string; reason: string }>;
}
