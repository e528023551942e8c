/**
 * Parameter sweeps and walk-forward runs: validation (every configuration goes through the same
 * validation as a single backtest), storage, workflow start and the ranked table.
 */
import { randomInt } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import type { SweepParams } from '../contracts';
import { expandGrid, STRATEGIES, type StrategyField, type SweepValue } from '../domain/backtest';
import { ParameterSweep, SweepKind } from '../entities';
import { parameterSweepWorkflow, walkForwardWorkflow } from '../workflows/sweep.workflow';
import { ServiceError } from './errors';
import { storedFlag } from '../store/feature-flag-store';
import { countPriceBars } from '../store/price-bar-store';
import { cancelSweep, countSweepResults, failSweepStart, insertSweep, rankedSweepResults } from '../store/sweep-store';
import { mayAct, validateBacktestInput, type BacktestActor, type StartBacktestInput } from './backtest.service';
import { isUuid } from '../domain/ids';
import { workflowQueue } from '../domain/task-queues';

/** Every registry strategy's fields (domain/backtest/strategy-registry.ts), each name once with its type. */
export const SWEEPABLE_STRATEGY_FIELDS: ReadonlyMap<string, StrategyField> = new Map(
  STRATEGIES.flatMap((e) => Object.entries(e.fields as Record<string, StrategyField>)),
);

/** Parameters a sweep may vary, and where each lives in a backtest input: the strategies' fields, costs, sizing. */
export const SWEEP_KEYS: Readonly<Record<string, 'strategy' | 'top' | 'sizing'>> = {
  ...Object.fromEntries([...SWEEPABLE_STRATEGY_FIELDS.keys()].map((k) => [k, 'strategy' as const])),
  costBps: 'top',
  slippageBps: 'top',
  fraction: 'sizing',
};
export type SweepKey = string;

export interface StartSweepInput {
  name?: string;
  base: StartBacktestInput;
  ranges: Partial<Record<SweepKey, SweepValue[]>>;
  statistic?: 'sharpe' | 'totalReturn';
  /** Best-of-N permutations, 0..5000; default 500. */
  permutations?: number;
  seed?: number;
  /** Child backtests in flight, 1..16; default 4. */
  concurrency?: number;
}

export interface StartWalkForwardInput extends StartSweepInput {
  inSampleBars: number;
  outOfSampleBars: number;
  /** Last in-sample bars left out of the choice (their outcomes overlap the test span); default 0. */
  purgeBars?: number;
  /** Bars after the in-sample span before out-of-sample trading starts; default 0. */
  embargoBars?: number;
}

export const MAX_SWEEP_CONFIGS = 1000;
const bad = (field: string, message: string) => new ServiceError('BAD_USER_INPUT', `${field}: ${message}`, { field });

function intIn(field: string, v: unknown, lo: number, hi: number, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) throw bad(field, `must be a whole number from ${lo} to ${hi}, got ${JSON.stringify(v)}`);
  return v;
}

function applyOverrides(base: StartBacktestInput, overrides: Record<string, SweepValue>): StartBacktestInput {
  const input: StartBacktestInput = { ...base, strategy: { ...base.strategy } as StartBacktestInput['strategy'] };
  for (const [key, value] of Object.entries(overrides)) {
    const where = SWEEP_KEYS[key];
    if (where === 'strategy') (input.strategy as unknown as Record<string, unknown>)[key] = value;
    else if (where === 'top') (input as unknown as Record<string, unknown>)[key] = value;
    else input.sizing = { kind: 'fixed', fraction: value as number };
  }
  return input;
}

/** Expands and validates the grid: invalid combinations (e.g. exit above enter) are dropped and counted. */
export function buildSweepParams(input: StartSweepInput, kind: SweepKind): { name: string; params: SweepParams; dropped: number } {
  if (!input || typeof input !== 'object' || !input.base) throw bad('base', 'is required');
  const ranges: Record<string, SweepValue[]> = {};
  for (const [key, values] of Object.entries(input.ranges ?? {})) {
    if (!(key in SWEEP_KEYS)) throw bad(`ranges.${key}`, `cannot be swept; sweepable: ${Object.keys(SWEEP_KEYS).join(', ')}`);
    if (!Array.isArray(values) || values.length === 0 || values.length > 100) throw bad(`ranges.${key}`, 'give 1 to 100 values');
    ranges[key] = [...new Set(values)];
  }
  const grid = expandGrid(ranges);
  if (grid.length > MAX_SWEEP_CONFIGS) throw bad('ranges', `${grid.length} configurations; at most ${MAX_SWEEP_CONFIGS}`);
  const seed = intIn('seed', input.seed, 0, 2 ** 31 - 1, randomInt(0, 2 ** 31 - 1));
  const statistic = input.statistic ?? 'sharpe';
  if (statistic !== 'sharpe' && statistic !== 'totalReturn') throw bad('statistic', "must be 'sharpe' or 'totalReturn'");
  const base = validateBacktestInput({ ...input.base, permutations: 0, seed, statistic });
  const configs: SweepParams['configs'] = [];
  let dropped = 0;
  let firstError: ServiceError | null = null;
  for (const overrides of grid) {
    try {
      configs.push({ overrides, params: validateBacktestInput(applyOverrides({ ...input.base, permutations: 0, seed, statistic }, overrides)).params });
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      firstError ??= err;
      dropped++;
    }
  }
  if (configs.length === 0) throw bad('ranges', `no valid configuration (first problem: ${firstError?.message ?? 'none'})`);
  const params: SweepParams = {
    base: base.params,
    ranges,
    configs,
    statistic,
    // Sweeps: best-of-N permutations; walk-forwards: permutations of the stitched out-of-sample result.
    permutations: intIn('permutations', input.permutations, 0, 5000, 500),
    seed,
    concurrency: intIn('concurrency', input.concurrency, 1, 16, 4),
  };
  const name = (input.name ?? `${base.params.ticker} ${kind === SweepKind.SWEEP ? 'sweep' : 'walk-forward'} of ${configs.length} ${base.params.strategy.kind} configurations`).trim().slice(0, 200);
  return { name, params, dropped };
}

export class SweepService {
  constructor(
    private readonly db: DataSource,
    private readonly temporal: Client,
    private readonly taskQueue: string,
  ) {}

  private async create(kind: SweepKind, name: string, params: SweepParams, createdBy: string | null): Promise<ParameterSweep> {
    // Read now, not cached; a missing row does not refuse here (unlike isFeatureEnabled).
    if ((await storedFlag(this.db, 'backtests')) === false) throw new ServiceError('FEATURE_DISABLED', 'backtests are turned off (feature flag "backtests")');
    const b = params.base;
    const bars = await countPriceBars(this.db, b.ticker, b.interval, b.from, b.to);
    if (bars < 3) throw bad('base.ticker', `only ${bars} ${b.interval} price bars for ${b.ticker} between ${b.from} and ${b.to}; import prices first`);
    if (kind === SweepKind.WALK_FORWARD && bars <= params.inSampleBars! + (params.embargoBars ?? 0)) {
      throw bad('inSampleBars', `${bars} bars in the period cannot hold an in-sample span of ${params.inSampleBars}, an embargo of ${params.embargoBars ?? 0} and an out-of-sample span`);
    }
    const { id, workflowId } = await insertSweep(this.db, { kind, name, params, createdBy }, (id) => `${kind === SweepKind.SWEEP ? 'sweep' : 'walk-forward'}-${id}`);
    try {
      if (kind === SweepKind.SWEEP) await this.temporal.workflow.start(parameterSweepWorkflow, { taskQueue: workflowQueue(this.taskQueue, parameterSweepWorkflow), workflowId, args: [id] });
      else await this.temporal.workflow.start(walkForwardWorkflow, { taskQueue: workflowQueue(this.taskQueue, walkForwardWorkflow), workflowId, args: [id] });
    } catch (err) {
      await failSweepStart(this.db, id, `could not start the workflow: ${(err as Error).message}`);
      throw err;
    }
    return this.db.getRepository(ParameterSweep).findOneByOrFail({ id });
  }

  async startSweep(input: StartSweepInput, createdBy: string | null = null): Promise<ParameterSweep> {
    const { name, params } = buildSweepParams(input, SweepKind.SWEEP);
    return this.create(SweepKind.SWEEP, name, params, createdBy);
  }

  async startWalkForward(input: StartWalkForwardInput, createdBy: string | null = null): Promise<ParameterSweep> {
    const { name, params } = buildSweepParams(input, SweepKind.WALK_FORWARD);
    params.inSampleBars = intIn('inSampleBars', input.inSampleBars, 20, 100_000, NaN);
    params.outOfSampleBars = intIn('outOfSampleBars', input.outOfSampleBars, 5, 100_000, NaN);
    if (!Number.isFinite(params.inSampleBars) || !Number.isFinite(params.outOfSampleBars)) throw bad('inSampleBars', 'inSampleBars and outOfSampleBars are required');
    params.purgeBars = intIn('purgeBars', input.purgeBars, 0, 100_000, 0);
    params.embargoBars = intIn('embargoBars', input.embargoBars, 0, 100_000, 0);
    if (params.inSampleBars - params.purgeBars < 20) throw bad('purgeBars', `leaves ${params.inSampleBars - params.purgeBars} in-sample bars to choose on; keep at least 20`);
    return this.create(SweepKind.WALK_FORWARD, name, params, createdBy);
  }

  /** Someone else's sweep is null to them, exactly like one that does not exist (admins see all). */
  async get(id: string, actor?: BacktestActor): Promise<ParameterSweep | null> {
    if (!isUuid(id)) return null;
    const sweep = await this.db.getRepository(ParameterSweep).findOneBy({ id });
    return sweep && mayAct(actor, sweep) ? sweep : null;
  }

  async cancel(id: string, actor?: BacktestActor): Promise<ParameterSweep> {
    const sweep = await this.get(id, actor);
    if (!sweep) throw new ServiceError('NOT_FOUND', `parameter sweep ${id} does not exist`);
    if (sweep.status !== 'PENDING' && sweep.status !== 'RUNNING') return sweep;
    if (sweep.workflowId) {
      try {
        await this.temporal.workflow.getHandle(sweep.workflowId).cancel();
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    }
    await cancelSweep(this.db, id);
    return this.db.getRepository(ParameterSweep).findOneByOrFail({ id });
  }

  async configsDone(id: string): Promise<number> {
    return countSweepResults(this.db, id);
  }

  /** Best first (statistic descending, then configuration index). */
  async ranked(sweep: ParameterSweep, limit: number, offset = 0): Promise<Array<{ rank: number; configIndex: number; statistic: number; overrides: Record<string, SweepValue>; metrics: Record<string, unknown> }>> {
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw bad('first', 'must be 1 to 1000');
    if (!Number.isInteger(offset) || offset < 0) throw bad('offset', 'must be 0 or more');
    const rows = await rankedSweepResults(this.db, sweep.id, limit, offset);
    const configs = (sweep.params as unknown as SweepParams).configs;
    return rows.map((r, i) => ({ rank: offset + i + 1, configIndex: r.config_index, statistic: r.statistic, overrides: configs[r.config_index]?.overrides ?? {}, metrics: r.metrics }));
  }
}
