import { activityInfo, cancellationSignal, heartbeat } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { DataSource } from 'typeorm';
import type { Logger } from '../config/logger';
import type { SweepParams, SweepPlan, WalkForwardWindowResult } from '../contracts';
import {
  combineBestOfN, downsampleEquity, inferPeriodsPerYear, preparePermutationTest, replayTargetOf, runBacktest, runBestOfNChunk, stitchEquity, walkForwardStep, walkForwardWindows,
  type BacktestParams, type BacktestResult, type BestOfNChunkResult, type PreparedPermutationTest, } from '../domain/backtest';
import type { Queryable } from '../events/publish';
import { prepareRun } from '../store/backtest-input-store';

export const SWEEP_PERMUTATION_CHUNKS = 4;
const SLICE_MS = 25;
const stateError = (message: string) => ApplicationFailure.nonRetryable(message, 'SweepStateError');
const finite = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? null : x);

/** Same query, same answer within one sweep: configurations share bars and news, so each distinct read happens once per worker. */
function memoQueryable(db: Queryable): Queryable {
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

interface LoadedSweep {
  params: SweepParams;
  db: Queryable;
  runs: Map<number, ReturnType<typeof prepareRun>>;
}

/** A few sweeps per worker process, so parallel children and permutation chunks share loaded data. */
const sweeps = new Map<string, Promise<LoadedSweep>>();
const SWEEP_CACHE_LIMIT = 4;

function loadSweep(db: DataSource, id: string): Promise<LoadedSweep> {
  let entry = sweeps.get(id);
  if (!entry) {
    entry = (async () => {
      const [row] = (await db.query(`SELECT status, params FROM parameter_sweeps WHERE id = $1`, [id])) as Array<{ status: string; params: SweepParams }>;
      if (!row) throw stateError(`parameter sweep ${id} does not exist`);
      return { params: row.params, db: memoQueryable(db), runs: new Map() };
    })();
    entry.catch(() => sweeps.delete(id));
    sweeps.set(id, entry);
    if (sweeps.size > SWEEP_CACHE_LIMIT) sweeps.delete(sweeps.keys().next().value!);
  }
  return entry;
}

function preparedConfig(sweep: LoadedSweep, index: number): ReturnType<typeof prepareRun> {
  let run = sweep.runs.get(index);
  if (!run) {
    const config = sweep.params.configs[index];
    if (!config) throw stateError(`configuration ${index} is not in the sweep`);
    run = prepareRun(sweep.db, config.params);
    run.catch(() => sweep.runs.delete(index));
    sweep.runs.set(index, run);
  }
  return run;
}

function metricsOf(r: BacktestResult, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const { equity: _e, ...stats } = r;
  return { ...Object.fromEntries(Object.entries(stats).map(([k, v]) => [k, typeof v === 'number' ? finite(v) : v])), ...extra };
}

async function stillRunning(db: DataSource, id: string): Promise<void> {
  const [row] = (await db.query(`SELECT status FROM parameter_sweeps WHERE id = $1`, [id])) as Array<{ status: string }>;
  if (!row) throw stateError(`parameter sweep ${id} does not exist`);
  if (row.status !== 'RUNNING' && row.status !== 'PENDING') throw stateError(`parameter sweep ${id} is ${row.status}`);
}

export function sweepActivities(db: DataSource, log: Logger) {
  return {
    async planSweep(sweepId: string): Promise<SweepPlan> {
      const [row] = (await db.query(
        `UPDATE parameter_sweeps SET status = 'RUNNING' WHERE id = $1 AND status IN ('PENDING', 'RUNNING') RETURNING kind, params`,
        [sweepId],
      )) as [Array<{ kind: 'SWEEP' | 'WALK_FORWARD'; params: SweepParams }>, number];
      const r = row[0];
      if (!r) throw stateError(`parameter sweep ${sweepId} is not runnable`);
      const p = r.params;
      let windows = 0;
      if (r.kind === 'WALK_FORWARD') {
        const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM price_bars WHERE ticker = $1 AND interval = $2 AND time >= $3 AND time <= $4`, [p.base.ticker, p.base.interval, p.base.from, p.base.to])) as Array<{ n: number }>;
        windows = walkForwardWindows(n, p.inSampleBars!, p.outOfSampleBars!).length;
        if (windows === 0) throw ApplicationFailure.nonRetryable(`${n} bars cannot hold one in-sample span of ${p.inSampleBars} bars plus an out-of-sample bar`, 'BacktestDataError');
      }
      const replay = replayTargetOf(p.base);
      return { kind: r.kind, configs: p.configs.length, concurrency: p.concurrency, permutations: p.permutations, seed: p.seed, windows, replay };
    },

    /** Pins the replay series on every configuration (SIGNALS sweeps over replayed history). */
    async pinSweepSignalSource(sweepId: string, rulesVersion: string, modelVersion: string): Promise<void> {
      const [row] = (await db.query(`SELECT params FROM parameter_sweeps WHERE id = $1`, [sweepId])) as Array<{ params: SweepParams }>;
      if (!row) throw stateError(`parameter sweep ${sweepId} does not exist`);
      const pin = (p: BacktestParams): BacktestParams => (p.strategy.kind === 'signals' ? { ...p, strategy: { ...p.strategy, rulesVersion, modelVersion } } : p);
      const params: SweepParams = { ...row.params, base: pin(row.params.base), configs: row.params.configs.map((c) => ({ ...c, params: pin(c.params) })) };
      await db.query(`UPDATE parameter_sweeps SET params = $2::jsonb WHERE id = $1`, [sweepId, JSON.stringify(params)]);
      sweeps.delete(sweepId);
    },

    /** One configuration's backtest, stored once; returns its ranking statistic. */
    async runSweepConfig(sweepId: string, index: number): Promise<{ index: number; statistic: number }> {
      const [done] = (await db.query(`SELECT statistic FROM parameter_sweep_results WHERE sweep_id = $1 AND config_index = $2`, [sweepId, index])) as Array<{ statistic: number }>;
      if (done) return { index, statistic: done.statistic };
      await stillRunning(db, sweepId);
      const sweep = await loadSweep(db, sweepId);
      const run = await preparedConfig(sweep, index);
      const result = runBacktest(run.bars, run.targets, run.options);
      const test = preparePermutationTest(run.bars, run.targets, { ...run.options, statistic: sweep.params.statistic, periodsPerYear: result.periodsPerYear });
      const statistic = finite(test.observed) ?? 0;
      await db.query(
        `INSERT INTO parameter_sweep_results (sweep_id, config_index, statistic, metrics) VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT DO NOTHING`,
        [sweepId, index, statistic, JSON.stringify(metricsOf(result, { ...run.inputs, warnings: run.warnings, bars: run.bars.times.length }))],
      );
      return { index, statistic };
    },

    /**
     * Best-of-N permutations [start, end) over every configuration, in heartbeat-sized slices
     * (a retry resumes from the last heartbeat, as the single-backtest permutations do).
     */
    async runSweepPermutations(sweepId: string, bestIndex: number, seed: number, start: number, end: number): Promise<BestOfNChunkResult> {
      const sweep = await loadSweep(db, sweepId);
      const runs = await Promise.all(sweep.params.configs.map((_, i) => preparedConfig(sweep, i)));
      const periodsPerYear = inferPeriodsPerYear(runs[0].bars.times);
      const tests: PreparedPermutationTest[] = runs.map((r) => preparePermutationTest(r.bars, r.targets, { ...r.options, statistic: sweep.params.statistic, periodsPerYear }));
      const resume = activityInfo().heartbeatDetails as { done: number; atLeastAsGood: number; bestAloneAtLeastAsGood: number } | undefined;
      let done = resume && resume.done >= start && resume.done <= end ? resume.done : start;
      let atLeastAsGood = resume && done !== start ? resume.atLeastAsGood : 0;
      let bestAloneAtLeastAsGood = resume && done !== start ? resume.bestAloneAtLeastAsGood : 0;
      const signal = cancellationSignal();
      let reported = done;
      while (done < end) {
        const sliceStart = performance.now();
        while (done < end && performance.now() - sliceStart < SLICE_MS) {
          const r = runBestOfNChunk(tests, bestIndex, seed, done, done + 1);
          atLeastAsGood += r.atLeastAsGood;
          bestAloneAtLeastAsGood += r.bestAloneAtLeastAsGood;
          done++;
        }
        heartbeat({ done, atLeastAsGood, bestAloneAtLeastAsGood });
        // Progress only (finishSweep writes the exact count): a retried slice may count twice here.
        await db.query(`UPDATE parameter_sweeps SET permutations_done = permutations_done + $2 WHERE id = $1 AND status = 'RUNNING'`, [sweepId, done - reported]);
        reported = done;
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (signal.aborted) throw signal.reason instanceof Error ? signal.reason : new CancelledFailure('sweep permutations cancelled');
      }
      return { start, end, permutations: end - start, atLeastAsGood, bestAloneAtLeastAsGood };
    },

    async finishSweep(sweepId: string, bestIndex: number, chunks: BestOfNChunkResult[]): Promise<{ id: string; status: string; bestIndex: number; pValue: number | null; pValueBestAlone: number | null }> {
      const combined = chunks.length > 0 ? combineBestOfN(chunks) : null;
      const rows = (await db.query(
        `UPDATE parameter_sweeps SET status = 'COMPLETED', best_index = $2, p_value = $3, p_value_best_alone = $4, permutations_done = $5, completed_at = now()
         WHERE id = $1 AND status = 'RUNNING' RETURNING status`,
        [sweepId, bestIndex, combined?.pValue ?? null, combined?.pValueBestAlone ?? null, combined?.permutations ?? 0],
      )) as [unknown[], number];
      sweeps.delete(sweepId);
      const [now] = (await db.query(`SELECT status FROM parameter_sweeps WHERE id = $1`, [sweepId])) as Array<{ status: string }>;
      log.debug({ sweepId, bestIndex, updated: rows[1] }, 'sweep finished');
      return { id: sweepId, status: now?.status ?? 'UNKNOWN', bestIndex, pValue: combined?.pValue ?? null, pValueBestAlone: combined?.pValueBestAlone ?? null };
    },

    /** One walk-forward window: optimise in sample over every configuration, trade the winner out of sample. */
    async runWalkForwardWindow(sweepId: string, windowIndex: number): Promise<WalkForwardWindowResult> {
      await stillRunning(db, sweepId);
      const sweep = await loadSweep(db, sweepId);
      const runs = await Promise.all(sweep.params.configs.map((_, i) => preparedConfig(sweep, i)));
      const bars = runs[0].bars;
      const windows = walkForwardWindows(bars.times.length, sweep.params.inSampleBars!, sweep.params.outOfSampleBars!);
      const window = windows[windowIndex];
      if (!window) throw stateError(`walk-forward window ${windowIndex} does not exist (${windows.length} windows)`);
      const periodsPerYear = inferPeriodsPerYear(bars.times);
      const statistic = sweep.params.statistic;
      const step = walkForwardStep(bars, runs.map((r) => r.targets), (c) => ({ ...runs[c].options, periodsPerYear }), window, (r) => (statistic === 'sharpe' ? r.sharpe : r.totalReturn));
      const { equity, ...stats } = step.outOfSample;
      return {
        window,
        chosen: step.chosen,
        inSampleStatistic: finite(step.inSampleStatistic),
        equity: Array.from(equity),
        metrics: Object.fromEntries(Object.entries(stats).filter(([, v]) => typeof v === 'number').map(([k, v]) => [k, finite(v as number)])),
      };
    },

    /** Stitches the out-of-sample windows into one equity curve with its metrics, and stores it. */
    async finishWalkForward(sweepId: string, steps: WalkForwardWindowResult[]): Promise<{ id: string; status: string }> {
      const sweep = await loadSweep(db, sweepId);
      const run = await preparedConfig(sweep, 0);
      const bars = run.bars;
      const ordered = [...steps].sort((a, b) => a.window.index - b.window.index);
      const periodsPerYear = inferPeriodsPerYear(bars.times);
      const stitched = stitchEquity(bars.times, ordered.map((s) => ({ startBar: s.window.isEnd, equity: s.equity })), periodsPerYear);
      const curve = downsampleEquity(stitched.equity, 500, stitched.times);
      const t = (i: number) => new Date(bars.times[i]).toISOString();
      const result = {
        metrics: Object.fromEntries(Object.entries(stitched.metrics).map(([k, v]) => [k, typeof v === 'number' ? finite(v) : v])),
        outOfSampleBars: stitched.equity.length,
        windows: ordered.map((s) => ({
          index: s.window.index,
          inSampleFrom: t(s.window.isStart),
          inSampleTo: t(s.window.isEnd),
          outOfSampleFrom: t(s.window.isEnd),
          outOfSampleTo: t(s.window.oosEnd),
          chosen: s.chosen,
          overrides: sweep.params.configs[s.chosen].overrides,
          inSampleStatistic: s.inSampleStatistic,
          outOfSample: s.metrics,
        })),
        equityCurve: curve.index.map((_, i) => [curve.time![i], curve.equity[i]]),
      };
      await db.query(`UPDATE parameter_sweeps SET status = 'COMPLETED', result = $2::jsonb, completed_at = now() WHERE id = $1 AND status = 'RUNNING'`, [sweepId, JSON.stringify(result)]);
      sweeps.delete(sweepId);
      const [now] = (await db.query(`SELECT status FROM parameter_sweeps WHERE id = $1`, [sweepId])) as Array<{ status: string }>;
      return { id: sweepId, status: now.status };
    },

    async markSweepTerminal(sweepId: string, status: 'CANCELLED' | 'FAILED', error: string | null): Promise<void> {
      sweeps.delete(sweepId);
      await db.query(`UPDATE parameter_sweeps SET status = $2, error = $3, completed_at = now() WHERE id = $1 AND status IN ('PENDING', 'RUNNING')`, [sweepId, status, error?.slice(0, 2000) ?? null]);
    },
  };
}
