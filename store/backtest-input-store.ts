/**
 * A backtest run's stored parameters and the inputs its strategy needs (bars, sentiment, stored
 * signals), prepared into target positions: shared by backtest and sweep activities.
 */
import { ApplicationFailure } from '@temporalio/common';
import {
  barsToArrays, BacktestDataError, strategyEntry,
  type BacktestBars, type BacktestOptions, type BacktestParams, type SignalType, type StrategyData, type StrategyNeeds,
} from '../domain/backtest';
import type { Queryable } from '../events/publish';
import { loadBars, loadObservations } from './signal-input-store';

export interface PreparedRun {
  bars: Required<BacktestBars>;
  targets: Float64Array;
  options: BacktestOptions;
  inputs: Record<string, unknown>;
  /** Things the client must see: the run worked, but its result may not mean what it seems. */
  warnings: string[];
}

const dataError = (message: string) => ApplicationFailure.nonRetryable(message, 'BacktestDataError');

export async function loadRun(db: Queryable, id: string): Promise<{ status: string; params: BacktestParams; metrics: Record<string, unknown> | null }> {
  const [row] = (await db.query(`SELECT status, params, metrics FROM backtest_runs WHERE id = $1`, [id])) as Array<{ status: string; params: BacktestParams; metrics: Record<string, unknown> | null }>;
  if (!row) throw ApplicationFailure.nonRetryable(`backtest ${id} does not exist`, 'BacktestStateError');
  return row;
}

/** The inputs a strategy needs besides bars (StrategyNeeds): one loader per kind of input. */
async function loadStrategyData(db: Queryable, ticker: string, to: Date, needs: StrategyNeeds): Promise<StrategyData> {
  const data: StrategyData = {};
  if (needs.sentiment) {
    const { since, minRelevance } = needs.sentiment;
    const observations = (await loadObservations(db, ticker, since, to)).filter((o) => o.relevance >= minRelevance);
    data.sentiment = observations.map((o) => ({ time: o.publishedAt, score: o.score, weight: o.relevance }));
  }
  if (needs.signals) {
    const { since, source, rulesVersion, modelVersion } = needs.signals;
    const rows = (
      source === 'replay'
        ? await db.query(
            `SELECT as_of, type, suggested_position_size FROM signal_history
             WHERE ticker = $1 AND rules_version = $2 AND model_version = $3 AND as_of <= $4 AND as_of > $5 ORDER BY as_of`,
            [ticker, rulesVersion, modelVersion, to.toISOString(), since.toISOString()],
          )
        : await db.query(`SELECT as_of, type, suggested_position_size FROM signals WHERE ticker = $1 AND as_of <= $2 AND as_of > $3 ORDER BY as_of, created_at`, [
            ticker,
            to.toISOString(),
            since.toISOString(),
          ])
    ) as Array<{ as_of: Date; type: SignalType; suggested_position_size: number }>;
    data.signals = rows.map((r) => ({ asOf: new Date(r.as_of), type: r.type, suggestedPositionSize: r.suggested_position_size }));
  }
  return data;
}

/** Bars plus target positions built from information known at each bar (the strategy's registry entry, domain/backtest/strategy-registry.ts). */
export async function prepareRun(db: Queryable, p: BacktestParams): Promise<PreparedRun> {
  const from = new Date(p.from);
  const to = new Date(p.to);
  const priceBars = await loadBars(db, p.ticker, p.interval, from, to);
  if (priceBars.length < 3) {
    throw dataError(`only ${priceBars.length} ${p.interval} price bars for ${p.ticker} between ${p.from} and ${p.to}; import prices first (npm run cli -- import-prices)`);
  }
  const bars = barsToArrays(priceBars);
  const entry = strategyEntry(p.strategy.kind);
  if (!entry) throw dataError(`backtest strategy '${p.strategy.kind}' is not known to this worker`);
  try {
    const data = await loadStrategyData(db, p.ticker, to, entry.needs(p.strategy, { ticker: p.ticker, from, to }));
    const { targets, inputs, warnings } = entry.positions(bars, p.strategy, data, { ticker: p.ticker, from: p.from, to: p.to, sizing: p.sizing });
    return { bars, targets, options: { costBps: p.costBps, slippageBps: p.slippageBps, execution: p.execution }, inputs, warnings };
  } catch (err) {
    if (err instanceof BacktestDataError) throw dataError(err.message);
    throw err;
  }
}


/** Same query, same answer within one sweep: configurations share bars and news, so each distinct read happens once per worker. */
export function memoQueryable(db: Queryable): Queryable {
  const cache = new Map<string, Promise<unknown>>();
  return {
    query(sql: string, params?: unknown[]) {
      const key = sql + '\u0000' + JSON.stringify(params ?? []);
      let hit = cache.get(key);
      if (!hit) {
        hit = db.query(sql, params);
        hit.catch(() => cache.delete(key));
        cache.set(key, hit);
      }
      return hit as Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    },
  } as Queryable;
}
