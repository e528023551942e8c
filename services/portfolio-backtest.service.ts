/**
 * Portfolio backtests as the API sees them (issue 23): validate, resolve the universe, store a
 * PENDING run, start `portfolioBacktestWorkflow` (workflowId `portfolio-backtest-<id>`), cancel,
 * read. The work happens in activities/portfolio-backtest.activities.ts.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { DataSource } from 'typeorm';
import { portfolioSearchConfigs, type BacktestStrategyInput, type PortfolioBacktestParams, type PortfolioRanking, type PortfolioSearch, type RebalanceFrequency, type Selector, type WeightScheme } from '../domain/backtest';
import { EMOTION_LABELS, type EmotionLabel } from '../domain/emotions/labels';
import { isUuid } from '../domain/ids';
import { workflowQueue } from '../domain/task-queues';
import { loadSp500Companies } from '../domain/tickers';
import { BacktestStatus, PortfolioBacktest } from '../entities';
import { barCounts, findPortfolioBacktest, getPortfolioBacktest, insertPortfolioBacktest, instrumentsInSector, listPortfolioBacktests, markPortfolioBacktestTerminal } from '../store/portfolio-backtest-store';
import { bad, int, MAX_PERMUTATIONS, mayAct, num, strategyOf, time, type BacktestActor } from './backtest.service';
import { ServiceError } from './errors';
import { isFeatureEnabled } from '../store/feature-flag-store';
import { normaliseInterval, normaliseTicker } from './price-import.service';
import { portfolioBacktestWorkflow } from '../workflows/portfolio-backtest.workflow';

/** A portfolio is simulated bar by bar over every ticker: keep it to a sector's size. */
export const MAX_PORTFOLIO_TICKERS = 100;

export interface StartPortfolioBacktestInput {
  name?: string;
  /** Exactly one of tickers and sector. */
  tickers?: string[];
  /** A GICS sector (e.g. "Information Technology"): the listed instruments and S&P 500 members of it that have prices in the period. */
  sector?: string;
  interval?: string;
  from: string | Date;
  to: string | Date;
  ranking:
    | { kind: 'strategy'; strategy: BacktestStrategyInput }
    | { kind: 'sentiment'; windowHours?: number; minRelevance?: number }
    | { kind: 'emotion'; emotion?: string; windowHours?: number; minRelevance?: number }
    | { kind: 'signalConfidence'; maxAgeHours?: number };
  long?: Selector | null;
  short?: Selector | null;
  longExposure?: number;
  shortExposure?: number;
  weighting?: WeightScheme;
  volatilityLookback?: number;
  rebalance?: RebalanceFrequency;
  execution?: 'next-open' | 'next-close';
  costBps?: number;
  slippageBps?: number;
  /** A ticker such as SPY, or null/undefined for the equal-weight universe. */
  benchmark?: string | null;
  statistic?: 'sharpe' | 'totalReturn';
  permutations?: number;
  seed?: number;
  /** A sweep over these values (cartesian product), or with walkForward a purged/embargoed walk-forward. */
  search?: {
    ranges?: { top?: number[]; weighting?: WeightScheme[]; rebalance?: RebalanceFrequency[]; volatilityLookback?: number[] };
    walkForward?: { inSampleBars: number; outOfSampleBars: number; purgeBars?: number; embargoBars?: number } | null;
  } | null;
}

/** Configurations one search may run (each is a full portfolio simulation). */
export const MAX_PORTFOLIO_CONFIGS = 50;

function searchOf(raw: StartPortfolioBacktestInput['search']): PortfolioSearch | null {
  if (raw === undefined || raw === null) return null;
  const r = raw.ranges ?? {};
  const list = <T>(field: string, values: T[] | undefined, check: (v: unknown) => T): T[] | undefined => {
    if (values === undefined || values === null) return undefined;
    if (!Array.isArray(values) || values.length === 0 || values.length > 20) throw bad(`search.${field}`, 'give 1 to 20 values');
    return [...new Set(values.map(check))];
  };
  const ranges: PortfolioSearch['ranges'] = {};
  const top = list('top', r.top, (v) => int('search.top', v, 1, MAX_PORTFOLIO_TICKERS));
  if (top) ranges.top = top;
  const weighting = list('weighting', r.weighting, (v) => oneOf('search.weighting', v, ['equal', 'confidence', 'inverse-volatility'] as const, 'equal'));
  if (weighting) ranges.weighting = weighting;
  const rebalance = list('rebalance', r.rebalance, (v) => oneOf('search.rebalance', v, ['daily', 'weekly', 'monthly'] as const, 'monthly'));
  if (rebalance) ranges.rebalance = rebalance;
  const volatilityLookback = list('volatilityLookback', r.volatilityLookback, (v) => int('search.volatilityLookback', v, 2, 1000));
  if (volatilityLookback) ranges.volatilityLookback = volatilityLookback;
  const w = raw.walkForward;
  const walkForward = w
    ? {
        inSampleBars: int('search.walkForward.inSampleBars', w.inSampleBars, 20, 100_000),
        outOfSampleBars: int('search.walkForward.outOfSampleBars', w.outOfSampleBars, 5, 100_000),
        purgeBars: int('search.walkForward.purgeBars', w.purgeBars, 0, 100_000, 0),
        embargoBars: int('search.walkForward.embargoBars', w.embargoBars, 0, 100_000, 0),
      }
    : null;
  if (walkForward && walkForward.inSampleBars - walkForward.purgeBars < 20) throw bad('search.walkForward.purgeBars', `leaves ${walkForward.inSampleBars - walkForward.purgeBars} in-sample bars to choose on; keep at least 20`);
  const search = { ranges, walkForward };
  const configs = portfolioSearchConfigs(search).length;
  if (Object.keys(ranges).length === 0 && !walkForward) throw bad('search', 'give ranges to sweep, or a walkForward');
  if (configs > MAX_PORTFOLIO_CONFIGS) throw bad('search', `${configs} configurations; at most ${MAX_PORTFOLIO_CONFIGS}`);
  return search;
}

function selectorOf(field: string, raw: Selector | null | undefined): Selector | null {
  if (raw === undefined || raw === null) return null;
  const keys = Object.entries(raw).filter(([, v]) => v !== undefined && v !== null);
  if (keys.length !== 1) throw bad(field, 'give exactly one of top, bottom, above, below');
  const [key, value] = keys[0];
  if (key === 'top' || key === 'bottom') return { [key]: int(`${field}.${key}`, value, 1, MAX_PORTFOLIO_TICKERS) } as Selector;
  if (key === 'above' || key === 'below') return { [key]: num(`${field}.${key}`, value, -1e9, 1e9) } as Selector;
  throw bad(field, `unknown selector ${key}: use top, bottom, above or below`);
}

function rankingOf(raw: StartPortfolioBacktestInput['ranking'] | undefined): PortfolioRanking {
  if (!raw || typeof raw !== 'object') throw bad('ranking', "is required: { kind: 'strategy' | 'sentiment' | 'emotion' | 'signalConfidence', ... }");
  if (raw.kind === 'strategy') return { kind: 'strategy', strategy: strategyOf(raw.strategy) };
  if (raw.kind === 'sentiment') return { kind: 'sentiment', windowHours: num('ranking.windowHours', raw.windowHours, 1, 24 * 365, 72), minRelevance: num('ranking.minRelevance', raw.minRelevance, 0, 1, 0) };
  if (raw.kind === 'emotion') {
    if (typeof raw.emotion !== 'string' || !(EMOTION_LABELS as readonly string[]).includes(raw.emotion)) throw bad('ranking.emotion', `is required with ranking emotion: one of ${EMOTION_LABELS.join(', ')}`);
    return { kind: 'emotion', emotion: raw.emotion as EmotionLabel, windowHours: num('ranking.windowHours', raw.windowHours, 1, 24 * 365, 72), minRelevance: num('ranking.minRelevance', raw.minRelevance, 0, 1, 0) };
  }
  if (raw.kind === 'signalConfidence') return { kind: 'signalConfidence', maxAgeHours: num('ranking.maxAgeHours', raw.maxAgeHours, 1, 24 * 365, 72) };
  throw bad('ranking.kind', `must be 'strategy', 'sentiment', 'emotion' or 'signalConfidence', got ${JSON.stringify((raw as { kind?: unknown }).kind)}`);
}

function oneOf<T extends string>(field: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === null) return fallback;
  if (!allowed.includes(value as T)) throw bad(field, `must be ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(value)}`);
  return value as T;
}

/** Validates everything but the universe's price data (throws ServiceError BAD_USER_INPUT). */
export function validatePortfolioInput(input: StartPortfolioBacktestInput): Omit<PortfolioBacktestParams, 'tickers'> & { name: string | null } {
  if (!input || typeof input !== 'object') throw bad('input', 'is required');
  const hasTickers = Array.isArray(input.tickers) && input.tickers.length > 0;
  const hasSector = typeof input.sector === 'string' && input.sector.trim().length > 0;
  if (hasTickers === hasSector) throw bad('tickers', 'give either tickers or a sector');
  let universe: PortfolioBacktestParams['universe'];
  if (hasTickers) {
    const tickers = [...new Set(input.tickers!.map((t) => normaliseTicker(t)))];
    if (tickers.length > MAX_PORTFOLIO_TICKERS) throw bad('tickers', `at most ${MAX_PORTFOLIO_TICKERS}, got ${tickers.length}`);
    universe = { tickers };
  } else {
    const sector = input.sector!.trim();
    if (sector.length > 100) throw bad('sector', 'must be at most 100 characters');
    universe = { sector };
  }
  const from = time('from', input.from);
  const to = time('to', input.to);
  if (!(from < to)) throw bad('to', `must be after from (${from.toISOString()}), got ${to.toISOString()}`);
  const long = selectorOf('long', input.long === undefined ? { top: 5 } : input.long);
  const short = selectorOf('short', input.short);
  if (!long && !short) throw bad('long', 'a portfolio needs a long or a short selection');
  const benchmark = input.benchmark === undefined || input.benchmark === null || input.benchmark === '' ? { kind: 'universe' as const } : { kind: 'ticker' as const, ticker: normaliseTicker(input.benchmark) };
  const name = input.name === undefined ? null : input.name.trim();
  if (name !== null && (name.length === 0 || name.length > 200)) throw bad('name', 'must be 1-200 characters');
  return {
    name,
    universe,
    interval: normaliseInterval(input.interval),
    from: from.toISOString(),
    to: to.toISOString(),
    ranking: rankingOf(input.ranking),
    long,
    short,
    longExposure: num('longExposure', input.longExposure, 0, 2, long ? 1 : 0),
    shortExposure: num('shortExposure', input.shortExposure, 0, 2, short ? 1 : 0),
    weighting: oneOf('weighting', input.weighting, ['equal', 'confidence', 'inverse-volatility'] as const, 'equal'),
    volatilityLookback: int('volatilityLookback', input.volatilityLookback, 2, 1000, 20),
    rebalance: oneOf('rebalance', input.rebalance, ['daily', 'weekly', 'monthly'] as const, 'monthly'),
    execution: oneOf('execution', input.execution, ['next-open', 'next-close'] as const, 'next-open'),
    costBps: num('costBps', input.costBps, 0, 1000, 0),
    slippageBps: num('slippageBps', input.slippageBps, 0, 1000, 0),
    benchmark,
    statistic: oneOf('statistic', input.statistic, ['sharpe', 'totalReturn'] as const, 'sharpe'),
    permutations: int('permutations', input.permutations, 0, MAX_PERMUTATIONS, 1000),
    seed: int('seed', input.seed, 0, 2 ** 31 - 1, randomInt(0, 2 ** 31 - 1)),
    search: searchOf(input.search),
  };
}

/** The tickers of the universe that have at least 3 bars in the period (a sector: its listed and S&P 500 members). */
async function resolveTickers(db: DataSource, p: Omit<PortfolioBacktestParams, 'tickers'>): Promise<string[]> {
  let candidates: string[];
  if ('tickers' in p.universe) candidates = p.universe.tickers;
  else {
    const sector = p.universe.sector.toLowerCase();
    const sp500 = loadSp500Companies().filter((c) => (c.sector ?? '').toLowerCase() === sector).map((c) => c.ticker);
    candidates = [...new Set([...(await instrumentsInSector(db, p.universe.sector)), ...sp500])].sort();
    if (candidates.length === 0) throw bad('sector', `no instrument in sector ${JSON.stringify(p.universe.sector)}`);
  }
  const counts = await barCounts(db, candidates, p.interval, p.from, p.to);
  const priced = candidates.filter((t) => (counts.get(t) ?? 0) >= 3);
  if (priced.length === 0) {
    throw bad('tickers', `none of ${candidates.slice(0, 10).join(', ')}${candidates.length > 10 ? ', ...' : ''} has ${p.interval} price bars between ${p.from} and ${p.to}; import prices first`);
  }
  if ('tickers' in p.universe && priced.length < candidates.length) {
    const missing = candidates.filter((t) => !priced.includes(t));
    throw bad('tickers', `no ${p.interval} price bars between ${p.from} and ${p.to} for ${missing.join(', ')}; import their prices first`);
  }
  if (priced.length > MAX_PORTFOLIO_TICKERS) throw bad('sector', `${priced.length} priced tickers; at most ${MAX_PORTFOLIO_TICKERS} (give tickers instead)`);
  if (p.benchmark.kind === 'ticker') {
    const bench = await barCounts(db, [p.benchmark.ticker], p.interval, p.from, p.to);
    if ((bench.get(p.benchmark.ticker) ?? 0) < 3) throw bad('benchmark', `no ${p.interval} price bars for ${p.benchmark.ticker} between ${p.from} and ${p.to}; import its prices first`);
  }
  return priced;
}

export class PortfolioBacktestService {
  constructor(
    private readonly db: DataSource,
    private readonly temporal: Client,
    private readonly taskQueue: string,
  ) {}

  /** Stores the run first (the workflow never works on a run the database does not know), then starts the workflow. */
  async start(input: StartPortfolioBacktestInput, createdBy: string | null = null): Promise<PortfolioBacktest> {
    const { name, ...base } = validatePortfolioInput(input);
    if (!(await isFeatureEnabled(this.db, 'backtests', { fresh: true }))) throw new ServiceError('FEATURE_DISABLED', 'backtests are turned off (feature flag "backtests")');
    const params: PortfolioBacktestParams = { ...base, tickers: await resolveTickers(this.db, base) };
    const universe = 'sector' in params.universe ? params.universe.sector : params.tickers.join(' ');
    const runName = name ?? `${universe.slice(0, 120)} ${params.ranking.kind} ${params.rebalance} ${params.from.slice(0, 10)}..${params.to.slice(0, 10)}`;
    const id = randomUUID();
    const workflowId = `portfolio-backtest-${id}`;
    await insertPortfolioBacktest(this.db, { id, name: runName, params, workflowId, createdBy });
    try {
      await this.temporal.workflow.start(portfolioBacktestWorkflow, { taskQueue: workflowQueue(this.taskQueue, portfolioBacktestWorkflow), workflowId, args: [id] });
    } catch (err) {
      await markPortfolioBacktestTerminal(this.db, id, 'FAILED', `could not start the workflow: ${(err as Error).message}`);
      throw err;
    }
    return getPortfolioBacktest(this.db, id);
  }

  /** The run, or null when it does not exist or is not the actor's (someone else's run is NOT_FOUND, like a missing one). */
  async get(id: string, actor?: BacktestActor): Promise<PortfolioBacktest | null> {
    if (!isUuid(id)) return null;
    const run = await findPortfolioBacktest(this.db, id);
    return run && mayAct(actor, run) ? run : null;
  }

  /** Newest first: the actor's own runs (admins: everyone's). */
  async list(actor: BacktestActor, first = 20): Promise<PortfolioBacktest[]> {
    const limit = int('first', first, 1, 200, 20);
    return listPortfolioBacktests(this.db, { limit, createdBy: actor.role === 'ADMIN' ? undefined : actor.userId });
  }

  /** Asks the workflow to stop and records CANCELLED at once (a finished run keeps its result). */
  async cancel(id: string, actor: BacktestActor): Promise<PortfolioBacktest> {
    const run = await this.get(id, actor);
    if (!run) throw new ServiceError('NOT_FOUND', `portfolio backtest ${id} does not exist`);
    if (run.status !== BacktestStatus.PENDING && run.status !== BacktestStatus.RUNNING) return run;
    if (run.workflowId) {
      try {
        await this.temporal.workflow.getHandle(run.workflowId).cancel();
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
    }
    await markPortfolioBacktestTerminal(this.db, id, 'CANCELLED', null);
    return getPortfolioBacktest(this.db, id);
  }
}
