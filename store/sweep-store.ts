/** Parameter sweeps and walk-forward runs as stored (parameter_sweeps, parameter_sweep_results). */
import type { DataSource } from 'typeorm';
import type { SweepParams } from '../contracts';
import type { Queryable } from '../events/publish';

export type SweepKind = 'SWEEP' | 'WALK_FORWARD';

export async function sweepStatusAndParams(db: Queryable, id: string): Promise<{ status: string; params: SweepParams } | undefined> {
  const [row] = (await db.query(`SELECT status, params FROM parameter_sweeps WHERE id = $1`, [id])) as Array<{ status: string; params: SweepParams }>;
  return row;
}

export async function sweepStatus(db: Queryable, id: string): Promise<string | undefined> {
  const [row] = (await db.query(`SELECT status FROM parameter_sweeps WHERE id = $1`, [id])) as Array<{ status: string }>;
  return row?.status;
}

/** PENDING (or a retried RUNNING) -> RUNNING; undefined when the sweep is gone or already ended. */
export async function startSweepRun(db: DataSource, id: string): Promise<{ kind: SweepKind; params: SweepParams } | undefined> {
  const [rows] = (await db.query(
    `UPDATE parameter_sweeps SET status = 'RUNNING' WHERE id = $1 AND status IN ('PENDING', 'RUNNING') RETURNING kind, params`,
    [id],
  )) as [Array<{ kind: SweepKind; params: SweepParams }>, number];
  return rows[0];
}

export async function saveSweepParams(db: DataSource, id: string, params: SweepParams): Promise<void> {
  await db.query(`UPDATE parameter_sweeps SET params = $2::jsonb WHERE id = $1`, [id, JSON.stringify(params)]);
}

/** The stored statistic of one configuration, when it already ran. */
export async function sweepResultStatistic(db: DataSource, id: string, index: number): Promise<number | undefined> {
  const [row] = (await db.query(`SELECT statistic FROM parameter_sweep_results WHERE sweep_id = $1 AND config_index = $2`, [id, index])) as Array<{ statistic: number }>;
  return row?.statistic;
}

/** Stored once: a retried configuration keeps its first result. */
export async function insertSweepResult(db: DataSource, id: string, index: number, statistic: number, metrics: Record<string, unknown>): Promise<void> {
  await db.query(`INSERT INTO parameter_sweep_results (sweep_id, config_index, statistic, metrics) VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT DO NOTHING`, [
    id,
    index,
    statistic,
    JSON.stringify(metrics),
  ]);
}

/** Progress only: finishing writes the exact count. */
export async function addSweepPermutationsDone(db: DataSource, id: string, more: number): Promise<void> {
  await db.query(`UPDATE parameter_sweeps SET permutations_done = permutations_done + $2 WHERE id = $1 AND status = 'RUNNING'`, [id, more]);
}

/** RUNNING -> COMPLETED with the winner and its p-values; the number of rows changed (0 when no longer running). */
export async function completeSweep(
  db: DataSource,
  id: string,
  r: { bestIndex: number; pValue: number | null; pValueBestAlone: number | null; permutations: number },
): Promise<number> {
  const rows = (await db.query(
    `UPDATE parameter_sweeps SET status = 'COMPLETED', best_index = $2, p_value = $3, p_value_best_alone = $4, permutations_done = $5, completed_at = now()
     WHERE id = $1 AND status = 'RUNNING' RETURNING status`,
    [id, r.bestIndex, r.pValue, r.pValueBestAlone, r.permutations],
  )) as [unknown[], number];
  return rows[1];
}

/** RUNNING -> COMPLETED with the stitched walk-forward result. */
/** RUNNING -> COMPLETED with the stitched result and the p-value of its permutation test. */
export async function completeWalkForward(db: DataSource, id: string, result: Record<string, unknown>, test: { pValue: number | null; permutations: number } = { pValue: null, permutations: 0 }): Promise<void> {
  await db.query(
    `UPDATE parameter_sweeps SET status = 'COMPLETED', result = $2::jsonb, p_value = $3, permutations_done = $4, completed_at = now() WHERE id = $1 AND status = 'RUNNING'`,
    [id, JSON.stringify(result), test.pValue, test.permutations],
  );
}

/** CANCELLED or FAILED unless the sweep already ended. */
export async function markSweepTerminal(db: DataSource, id: string, status: 'CANCELLED' | 'FAILED', error: string | null): Promise<void> {
  await db.query(`UPDATE parameter_sweeps SET status = $2, error = $3, completed_at = now() WHERE id = $1 AND status IN ('PENDING', 'RUNNING')`, [id, status, error]);
}

/** A PENDING sweep with its workflow id (`workflowIdOf` its new id); the id. */
export async function insertSweep(
  db: DataSource,
  s: { kind: SweepKind; name: string; params: SweepParams; createdBy: string | null },
  workflowIdOf: (id: string) => string,
): Promise<{ id: string; workflowId: string }> {
  const [{ id }] = (await db.query(`INSERT INTO parameter_sweeps (kind, name, status, params, configs_total, created_by) VALUES ($1, $2, 'PENDING', $3::jsonb, $4, $5) RETURNING id`, [
    s.kind,
    s.name,
    JSON.stringify(s.params),
    s.params.configs.length,
    s.createdBy,
  ])) as Array<{ id: string }>;
  const workflowId = workflowIdOf(id);
  await db.query(`UPDATE parameter_sweeps SET workflow_id = $2 WHERE id = $1`, [id, workflowId]);
  return { id, workflowId };
}

/** A sweep whose workflow could not start. */
export async function failSweepStart(db: DataSource, id: string, error: string): Promise<void> {
  await db.query(`UPDATE parameter_sweeps SET status = 'FAILED', error = $2, completed_at = now() WHERE id = $1`, [id, error]);
}

/** CANCELLED unless it already ended. */
export async function cancelSweep(db: DataSource, id: string): Promise<void> {
  await db.query(`UPDATE parameter_sweeps SET status = 'CANCELLED', completed_at = now() WHERE id = $1 AND status IN ('PENDING', 'RUNNING')`, [id]);
}

export async function countSweepResults(db: DataSource, id: string): Promise<number> {
  const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM parameter_sweep_results WHERE sweep_id = $1`, [id])) as Array<{ n: number }>;
  return n;
}

/** One page of configuration results, best first (statistic descending, then configuration index). */
export function rankedSweepResults(db: DataSource, id: string, limit: number, offset: number): Promise<Array<{ config_index: number; statistic: number; metrics: Record<string, unknown> }>> {
  return db.query(`SELECT config_index, statistic, metrics FROM parameter_sweep_results WHERE sweep_id = $1 ORDER BY statistic DESC, config_index LIMIT $2 OFFSET $3`, [id, limit, offset]);
}
