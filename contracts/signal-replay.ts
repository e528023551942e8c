/** Input and output of signal replay (workflows/signal-replay.workflow.ts and its activities). */

/** One ticker's replay over [from, to] (ISO times, inclusive). */
export interface ReplayTarget {
  ticker: string;
  from: string;
  to: string;
}

export interface ReplaySignalsInput {
  targets: ReplayTarget[];
  /** Sentiment model whose scores are preferred; the workflow resolves the active one when unset. */
  modelVersion?: string;
  /** When given, must equal the rules version of the running code (old rules cannot be re-run). */
  rulesVersion?: string;
  /** Also decide at each article arrival (intraday); default false: each daily bar close only. */
  intraday?: boolean;
  /** Days per chunk (one activity); default 90. */
  chunkDays?: number;
}

export interface ReplayChunk {
  key: string;
  ticker: string;
  from: string;
  to: string;
}

export interface ReplayPlan {
  replayId: string;
  rulesVersion: string;
  modelVersion: string;
  intraday: boolean;
  chunks: ReplayChunk[];
}

export interface ReplayChunkResult {
  key: string;
  points: number;
  written: number;
  unchanged: number;
}

export interface ReplaySummary {
  replayId: string;
  status: string;
  rulesVersion: string;
  modelVersion: string;
  points: number;
  written: number;
  unchanged: number;
}

/** Appended to the rules version of intraday series (decisions at bar closes and article arrivals). */
export const INTRADAY_SUFFIX = '+intraday';
