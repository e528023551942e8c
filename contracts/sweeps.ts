/** Parameter sweeps and walk-forward runs: stored params, plan and window results (workflows/sweep.workflow.ts, its activities, services/sweep.service.ts). */
import type { BacktestParams, SweepValue, WalkForwardWindow } from '../domain/backtest';

/** Stored in parameter_sweeps.params. */
export interface SweepParams {
  base: BacktestParams;
  ranges: Record<string, SweepValue[]>;
  configs: Array<{ overrides: Record<string, SweepValue>; params: BacktestParams }>;
  statistic: 'sharpe' | 'totalReturn';
  permutations: number;
  seed: number;
  concurrency: number;
  /** Walk-forward only. */
  inSampleBars?: number;
  outOfSampleBars?: number;
  /** Walk-forward gaps (domain/backtest/sweep.ts WalkForwardGaps); absent on runs stored before them = 0. */
  purgeBars?: number;
  embargoBars?: number;
}

export interface SweepPlan {
  kind: 'SWEEP' | 'WALK_FORWARD';
  configs: number;
  concurrency: number;
  permutations: number;
  seed: number;
  windows: number;
  replay: { ticker: string; from: string; to: string; modelVersion: string | null } | null;
}

export interface WalkForwardWindowResult {
  window: WalkForwardWindow;
  chosen: number;
  inSampleStatistic: number | null;
  /** Out-of-sample equity per bar from window.oosStart to window.oosEnd, starting at 1. */
  equity: number[];
  metrics: Record<string, number | null>;
}
