/**
 * The one place a backtest run reaches a terminal status by cancellation or failure, and
 * announces it: used by cancelBacktest (services/backtest.service.ts) and by the workflow's
 * markBacktestCancelled / markBacktestFailed activities. Guarded (`WHERE status IN ('PENDING',
 * 'RUNNING')`), so a run that already finished keeps its result and is announced only once.
 */
import type { DataSource } from 'typeorm';
import { BacktestRun } from '../entities';
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

/**
 * The core result of a run, stored and announced (RUNNING, 0 of `total` permutations) in one
 * transaction; false when the run was stopped (no longer PENDING or RUNNING) meanwhile.
 */
export async function storeBacktestCore(db: DataSource, id: string, metrics: Record<string, unknown>, equityCurve: unknown[], total: number): Promise<boolean> {
  return db.transaction(async (tx) => {
    const updated = (await tx.query(
      `UPDATE backtest_runs SET status = 'RUNNING', metrics = $2::jsonb, equity_curve = $3::jsonb, permutations_total = $4, permutations_done = 0
       WHERE id = $1 AND status IN ('PENDING', 'RUNNING') RETURNING id`,
      [id, JSON.stringify(metrics), JSON.stringify(equityCurve), total],
    )) as [unknown[], number];
    if (updated[0].length === 0) return false;
    await publishBacktestProgress(tx, { id, done: 0, total, status: 'RUNNING' });
    return true;
  });
}

/** Adds permutations done (capped at the total) while the run is RUNNING, and announces the new count. */
export async function addBacktestPermutationsDone(db: DataSource, id: string, delta: number): Promise<void> {
  await db.transaction(async (tx) => {
    const rows = (await tx.query(
      `UPDATE backtest_runs SET permutations_done = LEAST(permutations_total, permutations_done + $2)
       WHERE id = $1 AND status = 'RUNNING' RETURNING permutations_done, permutations_total`,
      [id, delta],
    )) as [Array<{ permutations_done: number; permutations_total: number }>, number];
    const [row] = rows[0];
    if (row) await publishBacktestProgress(tx, { id, done: row.permutations_done, total: row.permutations_total, status: 'RUNNING' });
  });
}

/** RUNNING -> COMPLETED with the p-value and the combined permutation test, announced; false when the run was no longer RUNNING. */
export async function completeBacktestRun(db: DataSource, id: string, pValue: number | null, permutations: number, permutation: unknown): Promise<boolean> {
  return db.transaction(async (tx) => {
    const rows = (await tx.query(
      `UPDATE backtest_runs SET status = 'COMPLETED', p_value = $2, permutations_done = $3, completed_at = now(),
         metrics = coalesce(metrics, '{}'::jsonb) || jsonb_build_object('permutation', $4::jsonb)
       WHERE id = $1 AND status = 'RUNNING' RETURNING permutations_done, permutations_total`,
      [id, pValue, permutations, JSON.stringify(permutation)],
    )) as [Array<{ permutations_done: number; permutations_total: number }>, number];
    const [row] = rows[0];
    if (!row) return false;
    await publishBacktestProgress(tx, { id, done: row.permutations_done, total: row.permutations_total, status: 'COMPLETED' });
    return true;
  });
}

export async function backtestStatusAndPValue(db: DataSource, id: string): Promise<{ status: string; pValue: number | null }> {
  const [row] = (await db.query(`SELECT status, p_value FROM backtest_runs WHERE id = $1`, [id])) as Array<{ status: string; p_value: number | null }>;
  return { status: row.status, pValue: row.p_value };
}

/** Records in the run's params which replay series it trades, while the run is not finished. */
export async function pinBacktestSignalSource(db: DataSource, id: string, rulesVersion: string, modelVersion: string): Promise<void> {
  await db.query(
    `UPDATE backtest_runs SET params = jsonb_set(jsonb_set(params, '{strategy,rulesVersion}', to_jsonb($2::text)), '{strategy,modelVersion}', to_jsonb($3::text))
     WHERE id = $1 AND status IN ('PENDING', 'RUNNING')`,
    [id, rulesVersion, modelVersion],
  );
}

export interface NewBacktestRun {
  id: string;
  name: string;
  params: unknown;
  permutationsTotal: number;
  workflowId: string;
  createdBy: string | null;
}

/** A PENDING run, before its workflow starts. */
export async function insertBacktestRun(db: DataSource, r: NewBacktestRun): Promise<void> {
  await db.query(`INSERT INTO backtest_runs (id, name, status, params, permutations_total, workflow_id, created_by) VALUES ($1, $2, 'PENDING', $3::jsonb, $4, $5, $6)`, [
    r.id,
    r.name,
    JSON.stringify(r.params),
    r.permutationsTotal,
    r.workflowId,
    r.createdBy,
  ]);
}

export interface BacktestListFilter {
  status?: string;
  ticker?: string;
  createdBy?: string;
}

/** Runs newest first, one page. */
export function listBacktestRuns(db: DataSource, filter: BacktestListFilter, limit: number, offset: number): Promise<BacktestRun[]> {
  const q = db.getRepository(BacktestRun).createQueryBuilder('b').orderBy('b.created_at', 'DESC').addOrderBy('b.id', 'DESC').limit(limit).offset(offset);
  if (filter.status) q.andWhere('b.status = :status', { status: filter.status });
  if (filter.ticker) q.andWhere(`b.params->>'ticker' = :ticker`, { ticker: filter.ticker });
  if (filter.createdBy) q.andWhere('b.created_by = :createdBy', { createdBy: filter.createdBy });
  return q.getMany();
}
