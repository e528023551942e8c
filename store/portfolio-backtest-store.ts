/**
 * SQL for portfolio backtests (table portfolio_backtests). Every status change is guarded
 * (`WHERE status IN ('PENDING', 'RUNNING')`), so a run that reached COMPLETED, FAILED or
 * CANCELLED keeps it, whoever writes later.
 */
import type { PortfolioBacktestParams } from '../domain/backtest';
import type { DataSource } from 'typeorm';
import { PortfolioBacktest } from '../entities';
import type { Queryable } from '../events/publish';

export interface PortfolioBacktestRow {
  id: string;
  status: string;
  params: PortfolioBacktestParams;
  result: Record<string, unknown> | null;
}

export async function insertPortfolioBacktest(db: Queryable, row: { id: string; name: string; params: PortfolioBacktestParams; workflowId: string; createdBy: string | null }): Promise<void> {
  await db.query(
    `INSERT INTO portfolio_backtests (id, name, status, params, tickers_total, permutations_total, workflow_id, created_by) VALUES ($1, $2, 'PENDING', $3::jsonb, $4, $5, $6, $7)`,
    [row.id, row.name, JSON.stringify(row.params), row.params.tickers.length, row.params.permutations, row.workflowId, row.createdBy],
  );
}

export async function loadPortfolioBacktest(db: Queryable, id: string): Promise<PortfolioBacktestRow | null> {
  const [row] = (await db.query(`SELECT id, status, params, result FROM portfolio_backtests WHERE id = $1`, [id])) as PortfolioBacktestRow[];
  return row ?? null;
}

/** Marks the run RUNNING at a stage; false when it is no longer runnable (cancelled meanwhile). */
export async function setPortfolioStage(db: Queryable, id: string, stage: string, tickersDone?: number): Promise<boolean> {
  const rows = (await db.query(
    `UPDATE portfolio_backtests SET status = 'RUNNING', stage = $2, tickers_done = coalesce($3, tickers_done) WHERE id = $1 AND status IN ('PENDING', 'RUNNING') RETURNING id`,
    [id, stage, tickersDone ?? null],
  )) as [unknown[], number];
  return rows[0].length > 0;
}

export async function storePortfolioResult(db: Queryable, id: string, result: Record<string, unknown>, equityCurve: Array<[number, number, number]>, holdings: Array<[number, number[]]>): Promise<boolean> {
  const rows = (await db.query(
    `UPDATE portfolio_backtests SET result = $2::jsonb, equity_curve = $3::jsonb, holdings = $4::jsonb, stage = 'PERMUTATIONS', permutations_done = 0
     WHERE id = $1 AND status IN ('PENDING', 'RUNNING') RETURNING id`,
    [id, JSON.stringify(result), JSON.stringify(equityCurve), JSON.stringify(holdings)],
  )) as [unknown[], number];
  return rows[0].length > 0;
}

/** Progress only: finishPortfolioBacktest writes the exact count. */
export async function addPortfolioPermutationsDone(db: Queryable, id: string, delta: number): Promise<void> {
  await db.query(`UPDATE portfolio_backtests SET permutations_done = LEAST(permutations_total, permutations_done + $2) WHERE id = $1 AND status = 'RUNNING'`, [id, delta]);
}

export async function completePortfolioBacktest(db: Queryable, id: string, pValue: number | null, permutations: number, permutation: Record<string, unknown>): Promise<boolean> {
  const rows = (await db.query(
    `UPDATE portfolio_backtests SET status = 'COMPLETED', stage = 'DONE', p_value = $2, permutations_done = $3, completed_at = now(),
       result = coalesce(result, '{}'::jsonb) || jsonb_build_object('permutation', $4::jsonb)
     WHERE id = $1 AND status = 'RUNNING' RETURNING id`,
    [id, pValue, permutations, JSON.stringify(permutation)],
  )) as [unknown[], number];
  return rows[0].length > 0;
}

/** CANCELLED or FAILED unless already terminal; true when it changed. */
export async function markPortfolioBacktestTerminal(db: Queryable, id: string, status: 'CANCELLED' | 'FAILED', error: string | null): Promise<boolean> {
  const rows = (await db.query(
    `UPDATE portfolio_backtests SET status = $2, error = $3, completed_at = now() WHERE id = $1 AND status IN ('PENDING', 'RUNNING') RETURNING id`,
    [id, status, error],
  )) as [unknown[], number];
  return rows[0].length > 0;
}

export async function pinPortfolioSignalSource(db: Queryable, id: string, rulesVersion: string, modelVersion: string): Promise<void> {
  await db.query(
    `UPDATE portfolio_backtests SET params = jsonb_set(jsonb_set(params, '{ranking,strategy,rulesVersion}', to_jsonb($2::text)), '{ranking,strategy,modelVersion}', to_jsonb($3::text))
     WHERE id = $1 AND status IN ('PENDING', 'RUNNING')`,
    [id, rulesVersion, modelVersion],
  );
}

/** Tickers of a sector in the instrument universe (case-insensitive), for resolving a sector universe. */
export async function instrumentsInSector(db: Queryable, sector: string): Promise<string[]> {
  const rows = (await db.query(`SELECT symbol FROM instruments WHERE lower(sector) = lower($1) ORDER BY symbol`, [sector])) as Array<{ symbol: string }>;
  return rows.map((r) => r.symbol);
}

/** How many bars each ticker has over [from, to]. */
export async function barCounts(db: Queryable, tickers: string[], interval: string, from: string, to: string): Promise<Map<string, number>> {
  const rows = (await db.query(
    `SELECT ticker, count(*)::int AS bars FROM price_bars WHERE ticker = ANY($1::text[]) AND interval = $2 AND time >= $3 AND time <= $4 GROUP BY ticker`,
    [tickers, interval, from, to],
  )) as Array<{ ticker: string; bars: number }>;
  return new Map(rows.map((r) => [r.ticker, r.bars]));
}

export async function loadLiveSignals(db: Queryable, ticker: string, since: Date, to: Date): Promise<Array<{ asOf: Date; type: 'BUY' | 'SELL' | 'HOLD'; confidence: number }>> {
  const rows = (await db.query(`SELECT as_of, type, confidence FROM signals WHERE ticker = $1 AND as_of <= $2 AND as_of > $3 ORDER BY as_of, created_at`, [
    ticker,
    to.toISOString(),
    since.toISOString(),
  ])) as Array<{ as_of: Date; type: 'BUY' | 'SELL' | 'HOLD'; confidence: number }>;
  return rows.map((r) => ({ asOf: new Date(r.as_of), type: r.type, confidence: r.confidence }));
}

/** Newest first; only `createdBy`'s runs when given. */
export function listPortfolioBacktests(db: DataSource, opts: { createdBy?: string; limit: number }): Promise<PortfolioBacktest[]> {
  const q = db.getRepository(PortfolioBacktest).createQueryBuilder('p').orderBy('p.created_at', 'DESC').addOrderBy('p.id', 'DESC').limit(opts.limit);
  if (opts.createdBy) q.andWhere('p.created_by = :me', { me: opts.createdBy });
  return q.getMany();
}
