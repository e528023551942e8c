/**
 * Backtests as the API sees them: validate, store a PENDING run, start `backtestWorkflow`
 * (workflowId `backtest-<id>`), cancel, read, list and compare. The work itself happens in
 * activities/backtest.activities.ts.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { In, type DataSource } from 'typeorm';
import { describeStrategies, STRATEGIES, strategyEntry, strategyKindList, type AnyStrategyEntry, type BacktestParams, type BacktestSizing, type BacktestStrategy, type BacktestStrategyInput, type StrategyChecks } from '../domain/backtest';
import { isUuid } from '../domain/ids';
import { BacktestRun, BacktestStatus } from '../entities';
import { insertBacktestRun, listBacktestRuns, markBacktestTerminal } from '../store/backtest-status-store';
import { countPriceBars } from '../store/price-bar-store';
import { ServiceError } from './errors';
import { isFeatureEnabled } from '../store/feature-flag-store';
import { normaliseInterval, normaliseTicker } from './price-import.service';
import { backtestWorkflow } from '../workflows/backtest.workflow';
import { workflowQueue } from '../domain/task-queues';

export interface StartBacktestInput {
  name?: string;
  ticker: string;
  /** Bar interval of the stored prices; default '1d'. */
  interval?: string;
  from: string | Date;
  to: string | Date;
  /** One of the registry's strategies (domain/backtest/strategy-registry.ts). */
  strategy: BacktestStrategyInput;
  /** Basis points of traded notional; default 0. */
  costBps?: number;
  slippageBps?: number;
  /** Default { kind: 'fixed', fraction: 1 }; 'suggested' uses each signal's suggested size (strategies whose entry allows it: signals). */
  sizing?: { kind: 'fixed'; fraction?: number } | { kind: 'suggested' };
  execution?: 'next-open' | 'next-close';
  statistic?: 'sharpe' | 'totalReturn';
  /** Permutation test size, 0..10000; default 1000 (0 = no p-value). */
  permutations?: number;
  /** PRNG seed for the permutation test; default random (stored, so the run can be repeated). */
  seed?: number;
}

/**
 * Who acts on a backtest. Backtests belong to their creator (created_by); admins may act on
 * all. Someone else's backtest is NOT_FOUND, exactly like one that does not exist, so ids
 * cannot be probed. No actor: a trusted caller (CLI, the worker, tests of the engine).
 */
export interface BacktestActor {
  userId: string;
  role: 'ADMIN' | 'USER';
}

const seesAll = (actor: BacktestActor | undefined) => !actor || actor.role === 'ADMIN';
/** The ownership rule for every per-user research object (backtests, sweeps, walk-forwards). */
export const mayAct = (actor: BacktestActor | undefined, run: { createdBy: string | null }) => seesAll(actor) || run.createdBy === actor!.userId;

export const MAX_PERMUTATIONS = 10_000;
const MAX_COMPARE = 20;

export const bad = (field: string, message: string) => new ServiceError('BAD_USER_INPUT', `${field}: ${message}`, { field });

export function num(field: string, value: unknown, lo: number, hi: number, fallback?: number): number {
  if (value === undefined || value === null) {
    if (fallback === undefined) throw bad(field, 'is required');
    return fallback;
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) throw bad(field, `must be a number, got ${JSON.stringify(value)}`);
  if (value < lo || value > hi) throw bad(field, `must be between ${lo} and ${hi}, got ${value}`);
  return value;
}

export function int(field: string, value: unknown, lo: number, hi: number, fallback?: number): number {
  const n = num(field, value, lo, hi, fallback);
  if (!Number.isInteger(n)) throw bad(field, `must be a whole number, got ${n}`);
  return n;
}

function optionalInt(field: string, value: unknown, lo: number, hi: number): number | null {
  return value === undefined || value === null ? null : int(field, value, lo, hi);
}

export function time(field: string, value: unknown): Date {
  const d = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : new Date(NaN);
  if (!Number.isFinite(d.getTime())) throw bad(field, `must be an ISO date or time, got ${JSON.stringify(value)}`);
  return d;
}

const checks: StrategyChecks = { bad, num, int, optionalInt };

export function strategyOf(raw: StartBacktestInput['strategy'] | undefined): BacktestStrategy {
  if (!raw || typeof raw !== 'object') throw bad('strategy', `is required: { kind } with kind ${strategyKindList()} and that strategy's fields`);
  const entry = strategyEntry(raw.kind);
  if (!entry) throw bad('strategy.kind', `must be ${strategyKindList()}, got ${JSON.stringify((raw as { kind?: unknown }).kind)}`);
  return entry.validate(raw, checks) as BacktestStrategy;
}

function sizingOf(raw: StartBacktestInput['sizing'], strategy: BacktestStrategy): BacktestSizing {
  if (raw === undefined || raw === null) return { kind: 'fixed', fraction: 1 };
  if (raw.kind === 'fixed') return { kind: 'fixed', fraction: num('sizing.fraction', raw.fraction, 0.0001, 1, 1) };
  if (raw.kind === 'suggested') {
    if (!strategyEntry(strategy.kind)?.suggestedSizing) throw bad('sizing', `'suggested' needs the signals strategy (${strategy.kind} carries no suggested size)`);
    return { kind: 'suggested' };
  }
  throw bad('sizing.kind', "must be 'fixed' or 'suggested'");
}

/** Validates and normalises the input into the stored params (throws ServiceError BAD_USER_INPUT). */
export function validateBacktestInput(input: StartBacktestInput): { name: string; params: BacktestParams } {
  if (!input || typeof input !== 'object') throw bad('input', 'is required');
  // A bad ticker or interval is a ServiceError naming its field already.
  const ticker = normaliseTicker(input.ticker);
  const interval = normaliseInterval(input.interval);
  const from = time('from', input.from);
  const to = time('to', input.to);
  if (!(from < to)) throw bad('to', `must be after from (${from.toISOString()}), got ${to.toISOString()}`);
  const strategy = strategyOf(input.strategy);
  const execution = input.execution ?? 'next-open';
  if (execution !== 'next-open' && execution !== 'next-close') throw bad('execution', "must be 'next-open' or 'next-close'");
  const statistic = input.statistic ?? 'sharpe';
  if (statistic !== 'sharpe' && statistic !== 'totalReturn') throw bad('statistic', "must be 'sharpe' or 'totalReturn'");
  const params: BacktestParams = {
    ticker,
    interval,
    from: from.toISOString(),
    to: to.toISOString(),
    strategy,
    costBps: num('costBps', input.costBps, 0, 1000, 0),
    slippageBps: num('slippageBps', input.slippageBps, 0, 1000, 0),
    sizing: sizingOf(input.sizing, strategy),
    execution,
    statistic,
    permutations: int('permutations', input.permutations, 0, MAX_PERMUTATIONS, 1000),
    seed: int('seed', input.seed, 0, 2 ** 31 - 1, randomInt(0, 2 ** 31 - 1)),
  };
  const name = (input.name ?? `${ticker} ${strategy.kind} ${params.from.slice(0, 10)}..${params.to.slice(0, 10)}`).trim();
  if (name.length === 0 || name.length > 200) throw bad('name', 'must be 1-200 characters');
  return { name, params };
}

/**
 * Stores the run first (so the workflow never works on a run the database does not know),
 * then starts the workflow. A run whose workflow could not be started is marked FAILED.
 */
export async function startBacktest(db: DataSource, temporal: Client, taskQueue: string, input: StartBacktestInput, createdBy: string | null = null): Promise<BacktestRun> {
  const { name, params } = validateBacktestInput(input);
  // Fresh: turning backtests off refuses the very next run, not one up to FLAG_CACHE_MS later.
  if (!(await isFeatureEnabled(db, 'backtests', { fresh: true }))) throw new ServiceError('FEATURE_DISABLED', 'backtests are turned off (feature flag "backtests")');
  const bars = await countPriceBars(db, params.ticker, params.interval, params.from, params.to);
  if (bars < 3) {
    throw bad('ticker', `only ${bars} ${params.interval} price bars for ${params.ticker} between ${params.from} and ${params.to}; import prices first (npm run cli -- import-prices ${params.ticker} <file>)`);
  }
  const id = randomUUID();
  const workflowId = `backtest-${id}`;
  const repo = db.getRepository(BacktestRun);
  await insertBacktestRun(db, { id, name, params, permutationsTotal: params.permutations, workflowId, createdBy });
  try {
    await temporal.workflow.start(backtestWorkflow, { taskQueue: workflowQueue(taskQueue, backtestWorkflow), workflowId, args: [id] });
  } catch (err) {
    await repo.update({ id }, { status: BacktestStatus.FAILED, error: `could not start the workflow: ${(err as Error).message}`, completedAt: new Date() });
    throw err;
  }
  return repo.findOneByOrFail({ id });
}

/**
 * Asks the workflow to stop and records CANCELLED at once (guarded, so a run that already
 * finished keeps its result); the workflow's own cancellation handler then finds nothing to do.
 */
export async function cancelBacktest(db: DataSource, temporal: Client, id: string, actor?: BacktestActor): Promise<BacktestRun> {
  const run = await getBacktest(db, id, actor);
  if (!run) throw new ServiceError('NOT_FOUND', `backtest ${id} does not exist`);
  if (run.status !== BacktestStatus.PENDING && run.status !== BacktestStatus.RUNNING) return run;
  if (run.workflowId) {
    try {
      await temporal.workflow.getHandle(run.workflowId).cancel();
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
  }
  await markBacktestTerminal(db, id, 'CANCELLED', null);
  return db.getRepository(BacktestRun).findOneByOrFail({ id });
}

/** The run, or null when it does not exist or is not the actor's. */
export async function getBacktest(db: DataSource, id: string, actor?: BacktestActor): Promise<BacktestRun | null> {
  if (!isUuid(id)) return null;
  const run = await db.getRepository(BacktestRun).findOneBy({ id });
  return run && mayAct(actor, run) ? run : null;
}

/** The one set of paging limits for backtest lists; the GraphQL resolver checks the same numbers. */
export const MAX_BACKTEST_PAGE = 200;
export const MAX_BACKTEST_OFFSET = 1_000_000;

export interface ListBacktestsOptions {
  status?: BacktestStatus;
  ticker?: string;
  createdBy?: string;
  /** 1..MAX_BACKTEST_PAGE, default 20. */
  limit?: number;
  /** 0..MAX_BACKTEST_OFFSET, default 0. */
  offset?: number;
}

/** Newest first. */
export async function listBacktests(db: DataSource, opts: ListBacktestsOptions = {}, actor?: BacktestActor): Promise<BacktestRun[]> {
  if (!seesAll(actor)) opts = { ...opts, createdBy: actor!.userId };
  const limit = int('limit', opts.limit, 1, MAX_BACKTEST_PAGE, 20);
  const offset = int('offset', opts.offset, 0, MAX_BACKTEST_OFFSET, 0);
  return listBacktestRuns(db, { status: opts.status, ticker: opts.ticker?.trim().toUpperCase(), createdBy: opts.createdBy }, limit, offset);
}

/** One row per run, in the order asked, with the headline metrics side by side. */
export interface BacktestComparisonRow {
  id: string;
  name: string;
  status: BacktestStatus;
  ticker: string;
  strategy: string;
  from: string;
  to: string;
  costBps: number;
  slippageBps: number;
  totalReturn: number | null;
  cagr: number | null;
  sharpe: number | null;
  sortino: number | null;
  calmar: number | null;
  maxDrawdown: number | null;
  trades: number | null;
  winRate: number | null;
  profitFactor: number | null;
  exposure: number | null;
  costsPaid: number | null;
  pValue: number | null;
  permutations: number;
}

export async function compareBacktests(db: DataSource, ids: string[], actor?: BacktestActor): Promise<BacktestComparisonRow[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0 || unique.length > MAX_COMPARE) throw bad('ids', `give 1 to ${MAX_COMPARE} backtest ids, got ${unique.length}`);
  const invalid = unique.filter((id) => !isUuid(id));
  const runs = invalid.length === unique.length ? [] : await db.getRepository(BacktestRun).findBy({ id: In(unique.filter(isUuid)) });
  const byId = new Map(runs.filter((r) => mayAct(actor, r)).map((r) => [r.id, r]));
  const missing = unique.filter((id) => !byId.has(id));
  if (missing.length > 0) throw new ServiceError('NOT_FOUND', `no backtest with id ${missing.join(', ')}`, { field: 'ids' });
  return unique.map((id) => {
    const r = byId.get(id)!;
    const p = r.params as unknown as BacktestParams;
    const m = (r.metrics ?? {}) as Record<string, unknown>;
    const metric = (k: string) => (typeof m[k] === 'number' ? (m[k] as number) : null);
    return {
      id,
      name: r.name,
      status: r.status,
      ticker: p.ticker,
      strategy: p.strategy.kind,
      from: p.from,
      to: p.to,
      costBps: p.costBps,
      slippageBps: p.slippageBps,
      totalReturn: metric('totalReturn'),
      cagr: metric('cagr'),
      sharpe: metric('sharpe'),
      sortino: metric('sortino'),
      calmar: metric('calmar'),
      maxDrawdown: metric('maxDrawdown'),
      trades: metric('trades'),
      winRate: metric('winRate'),
      profitFactor: metric('profitFactor'),
      exposure: metric('exposure'),
      costsPaid: metric('costsPaid'),
      pValue: r.pValue,
      permutations: r.permutationsDone,
    };
  });
}

/** The same operations bound to one process's database, Temporal client and task queue (for services/index.ts). */
export class BacktestService {
  constructor(
    private readonly db: DataSource,
    private readonly temporal: Client,
    private readonly taskQueue: string,
    /** The strategies to describe; the registry, or an extended one in tests. */
    private readonly registry: readonly AnyStrategyEntry[] = STRATEGIES,
  ) {}
  /** Every strategy a backtest can run, with its parameters' types, defaults and ranges. */
  strategies() {
    return describeStrategies(this.registry);
  }
  start(input: StartBacktestInput, createdBy?: string | null) {
    return startBacktest(this.db, this.temporal, this.taskQueue, input, createdBy ?? null);
  }
  cancel(id: string, actor: BacktestActor) {
    return cancelBacktest(this.db, this.temporal, id, actor);
  }
  get(id: string, actor: BacktestActor) {
    return getBacktest(this.db, id, actor);
  }
  list(opts: ListBacktestsOptions, actor: BacktestActor) {
    return listBacktests(this.db, opts, actor);
  }
  compare(ids: string[], actor: BacktestActor) {
    return compareBacktests(this.db, ids, actor);
  }
}
