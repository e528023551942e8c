/**
 * The one place a backtest run reaches a terminal status by cancellation or failure, and
 * announces it: used by cancelBacktest (services/backtest.service.ts) and by the workflow's
 * markBacktestCancelled / markBacktestFailed activities. Guarded (`WHERE status IN ('PENDING',
 * 'RUNNING')`), so a run that already finished keeps its result and is announced only once.
 */
import type { DataSource } from 'typeorm';
import { publishEvent, type Queryable } from '../events/publish';
import { Topic, type TopicPayload } from '../events/topics';

export type BacktestProgress = TopicPayload<Topic.BACKTEST_PROGRESS>;

export async function publishBacktestProgress(db: Queryable, progress: BacktestProgress): Promise<void> {
  await publishEvent(db, Topic.BACKTEST_PROGRESS, progress.id, progress);
}

/** Sets CANCELLED or FAILED unless the run already has a terminal status; true when it changed. */
export async function markBacktestTerminal(db: DataSource, id: string, status: 'CANCELLED' | 'FAILED', error: string | null): Promise<boolean> {
  return db.transaction(async (tx) => {
    const rows = (await tx.query(
      `UPDATE backtest_runs SET status = $2, error = $3, completed_at = now()
       WHERE id = $1 AND status IN ('PENDING', 'RUNNING') RETURNING permutations_done, permutations_total`,
      [id, status, error],
    )) as [Array<{ permutations_done: number; permutations_total: number }>, number];
    const [row] = rows[0];
    if (row) await publishBacktestProgress(tx, { id, done: row.permutations_done, total: row.permutations_total, status });
    return !!row;
  });
}
