/**
 * Portfolio backtests: many tickers, one pool of cash, periodic rebalancing to a ranked selection.
 *
 * Point in time. A rebalance is decided at the close of a decision bar d (rebalance-calendar in
 * portfolio-selection.ts) from scores and closes at or before d only, and traded at bar d+1: at
 * its open ('next-open') or its close ('next-close'). Nothing of bar d+1 or later enters the
 * decision; a test shocks every later price and score and checks the earlier path is unchanged.
 *
 * Bookkeeping is shares and cash (fractional shares, starting cash 1), the convention of
 * vectorbt's cash-sharing `from_orders` with `size_type='targetpercent'` and `call_seq='auto'`,
 * which scripts/reference/portfolio_reference.py reproduces to 1e-9:
 *  - the portfolio value V at the rebalance is cash + shares valued at the fill prices;
 *  - each ticker's order is target weight x V / price - shares held, all sized from the same V;
 *  - orders run from the smallest order value to the largest (sells first, releasing cash);
 *  - a buy fills at price x (1 + slippage), a sell at price x (1 - slippage), and fees are
 *    costBps of the traded value at the fill price, paid in cash;
 *  - a buy that needs more cash than is left is cut to what the cash pays for, fees included
 *    (no leverage; short sales credit their proceeds to cash).
 * Equity at each bar is cash + shares x close (a ticker without a bar keeps its last close).
 */
import { performanceMetrics } from './metrics';
import { inferPeriodsPerYear, yearsCovered } from './periods';
import { bookWeights, rebalanceBars, selectTickers, trailingVolatility, type RebalanceFrequency, type Selector, type WeightScheme } from './portfolio-selection';
import type { Execution, PerformanceMetrics } from './types';

export interface PortfolioAsset {
  ticker: string;
  /** On the portfolio's calendar (`PortfolioInput.times`); NaN where the ticker has no bar. */
  open: Float64Array;
  close: Float64Array;
  /**
   * The ranking score known at each bar's close (NaN = none yet): a signal's confidence, rolling
   * sentiment, an emotion's share, or a strategy's target position. Built point in time by the caller.
   */
  score: Float64Array;
}

export type PortfolioBenchmark =
  | { kind: 'universe' }
  | { kind: 'ticker'; ticker: string; open: Float64Array; close: Float64Array };

export interface PortfolioInput {
  /** Bar times (epoch ms), oldest first: the union of the tickers' calendars. */
  times: Float64Array;
  assets: PortfolioAsset[];
  benchmark: PortfolioBenchmark;
}

export interface PortfolioConfig {
  /** The long book: which tickers it holds. At least one of long / short. */
  long?: Selector;
  short?: Selector;
  /** Fraction of equity in the long book (default 1) and in the short book (default 1 when there is one). */
  longExposure?: number;
  shortExposure?: number;
  weighting: WeightScheme;
  /** Returns used for inverse-volatility weights (default 20); a ticker with fewer is not eligible. */
  volatilityLookback?: number;
  rebalance: RebalanceFrequency;
  /** Default 'next-open'. */
  execution?: Execution;
  costBps?: number;
  slippageBps?: number;
  /** Default: inferred from the bar times. */
  periodsPerYear?: number;
}

export interface PortfolioRebalance {
  /** The bar whose close decided, and the bar that traded. */
  decisionBar: number;
  bar: number;
  time: number;
  /** Weight of each asset (universe order) right after the trades, at the fill prices. */
  weights: Float64Array;
  /** Traded value (buys plus sells, at fill prices) over the portfolio value before the trades. */
  turnover: number;
  /** Fees plus slippage paid, as a fraction of the value before the trades. */
  costs: number;
}

export interface PortfolioTickerResult {
  ticker: string;
  /** P&L of the ticker net of its fees and slippage, as a fraction of initial equity; they sum to totalReturn. */
  contribution: number;
  /** Share of return periods the ticker was held in. */
  exposure: number;
  fills: number;
}

export interface PortfolioResult extends PerformanceMetrics {
  tickers: string[];
  equity: Float64Array;
  benchmarkEquity: Float64Array;
  benchmark: PerformanceMetrics & { name: string };
  rebalances: PortfolioRebalance[];
  perTicker: PortfolioTickerResult[];
  /** Sum of the rebalances' turnover, and that per year. */
  turnover: number;
  annualTurnover: number;
  /** Fees and slippage paid, as a fraction of initial equity. */
  costsPaid: number;
  /** Share of return periods with any position. */
  exposure: number;
  fills: number;
  /** Holding runs (a ticker from a non-zero position back to zero; an open one is marked at the last close). */
  trades: number;
  winRate: number | null;
  profitFactor: number | null;
  execution: Execution;
}

/**
 * The run as per-bar exposures, for the permutation test: bar i's equity return is
 * (1 + sum_j before[i][j] gap[i][j]) (1 - cost[i]) (1 + sum_j after[i][j] body[i][j]) - 1,
 * with gap/body the tickers' returns split at the fill (see execution-plan.ts). Row-major n x m.
 */
export interface PortfolioPlan {
  n: number;
  m: number;
  gap: Float64Array;
  body: Float64Array;
  before: Float64Array;
  after: Float64Array;
  cost: Float64Array;
}

/** Relative tolerance below which vectorbt treats two amounts as equal (utils/math_.py rel_tol). */
const REL_TOL = 1e-9;
function isClose(a: number, b: number): boolean {
  return a === b || Math.abs(a - b) <= Math.max(REL_TOL * Math.max(Math.abs(a), Math.abs(b)), 1e-12);
}
/** a + b, exactly 0 when they cancel up to rounding (a position sold in full is flat, not 1e-17). */
function addSnap(a: number, b: number): number {
  return Math.sign(a) !== Math.sign(b) ? (isClose(Math.abs(a), Math.abs(b)) ? 0 : a + b) : isClose(a + b, 0) ? 0 : a + b;
}

export function validatePortfolioInput(input: PortfolioInput, config: PortfolioConfig): void {
  const n = input.times.length;
  if (input.assets.length === 0) throw new Error('a portfolio needs at least one ticker');
  for (const a of input.assets) {
    if (a.open.length !== n || a.close.length !== n || a.score.length !== n) throw new Error(`${a.ticker}: open, close and score need one entry per bar (${n})`);
  }
  if (input.benchmark.kind === 'ticker' && (input.benchmark.open.length !== n || input.benchmark.close.length !== n)) throw new Error(`benchmark ${input.benchmark.ticker}: needs one bar per portfolio bar (${n})`);
  if (!config.long && !config.short) throw new Error('a portfolio needs a long or a short selector');
  for (let i = 1; i < n; i++) if (!(input.times[i] > input.times[i - 1])) throw new Error('bar times must increase');
}

/** Target weights decided at the close of bar d (only data up to d is read). */
export function decideWeights(input: PortfolioInput, config: PortfolioConfig, d: number): Float64Array {
  const m = input.assets.length;
  const lookback = config.volatilityLookback ?? 20;
  const scores = new Float64Array(m);
  const vol = new Float64Array(m);
  const candidates: number[] = [];
  for (let j = 0; j < m; j++) {
    const a = input.assets[j];
    scores[j] = a.score[d];
    if (!(a.close[d] > 0) || scores[j] !== scores[j]) continue;
    if (config.weighting === 'inverse-volatility') {
      vol[j] = trailingVolatility(a.close, d, lookback);
      if (!(vol[j] > 0)) continue;
    }
    candidates.push(j);
  }
  const weights = new Float64Array(m);
  const longs = config.long ? selectTickers(candidates, scores, config.long) : [];
  const inLong = new Set(longs);
  const shorts = config.short ? selectTickers(candidates.filter((j) => !inLong.has(j)), scores, config.short) : [];
  for (const [j, w] of bookWeights(longs, scores, vol, config.weighting, config.longExposure ?? 1)) weights[j] += w;
  for (const [j, w] of bookWeights(shorts, scores, vol, config.weighting, config.shortExposure ?? 1)) weights[j] -= w;
  return weights;
}

/** A single equity curve held from the first fill: equal-weight buy-and-hold of the universe, or one ticker. No costs. */
function benchmarkEquity(input: PortfolioInput, execution: Execution): { name: string; equity: Float64Array } {
  const n = input.times.length;
  const legs = input.benchmark.kind === 'ticker' ? [{ open: input.benchmark.open, close: input.benchmark.close }] : input.assets;
  const equity = new Float64Array(n).fill(1);
  const name = input.benchmark.kind === 'ticker' ? input.benchmark.ticker : 'equal-weight universe';
  if (n < 2) return { name, equity };
  const fill = (leg: { open: Float64Array; close: Float64Array }) => (execution === 'next-open' ? leg.open[1] : leg.close[1]);
  const bought = legs.filter((leg) => fill(leg) > 0);
  const shares = bought.map((leg) => 1 / bought.length / fill(leg));
  const last = bought.map((leg) => fill(leg));
  for (let i = 1; i < n; i++) {
    let e = bought.length === 0 ? 1 : 0;
    for (let k = 0; k < bought.length; k++) {
      const c = bought[k].close[i];
      if (c > 0) last[k] = c;
      e += shares[k] * last[k];
    }
    equity[i] = e;
  }
  return { name, equity };
}

/**
 * Runs a portfolio backtest. Returns the result and the plan the permutation test replays
 * (preparePortfolioPermutationTest).
 */
export function runPortfolioBacktest(input: PortfolioInput, config: PortfolioConfig): PortfolioResult & { plan: PortfolioPlan } {
  validatePortfolioInput(input, config);
  const { times, assets } = input;
  const n = times.length;
  const m = assets.length;
  const execution = config.execution ?? 'next-open';
  const fees = (config.costBps ?? 0) / 10_000;
  const slippage = (config.slippageBps ?? 0) / 10_000;
  const periodsPerYear = config.periodsPerYear ?? inferPeriodsPerYear(times);

  const decisionAt = new Map<number, number>(); // execution bar -> decision bar
  for (const d of rebalanceBars(times, config.rebalance)) if (d + 1 < n) decisionAt.set(d + 1, d);

  const shares = new Float64Array(m);
  const lastClose = new Float64Array(m).fill(NaN);
  const cashFlow = new Float64Array(m); // sells minus buys (fees included), per ticker
  const heldBars = new Float64Array(m);
  const fillsOf = new Float64Array(m);
  const runPnl = new Float64Array(m); // cash flows of the open holding run
  let cash = 1;
  let costsPaid = 0;
  let turnover = 0;
  let anyHeldBars = 0;
  let trades = 0;
  let wins = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  const closeRun = (pnl: number) => {
    trades++;
    if (pnl > 0) {
      wins++;
      grossProfit += pnl;
    } else if (pnl < 0) grossLoss -= pnl;
  };

  const equity = new Float64Array(n);
  const plan: PortfolioPlan = {
    n, m, gap: new Float64Array(n * m), body: new Float64Array(n * m), before: new Float64Array(n * m), after: new Float64Array(n * m), cost: new Float64Array(n),
  };
  const rebalances: PortfolioRebalance[] = [];
  const price = new Float64Array(m);
  const held = new Uint8Array(m);

  for (let j = 0; j < m; j++) if (assets[j].close[0] > 0) lastClose[j] = assets[j].close[0];
  equity[0] = 1;

  for (let i = 1; i < n; i++) {
    const prevEquity = equity[i - 1];
    // Fill prices (NaN: the ticker has no bar and cannot trade) and the return up to the fill.
    for (let j = 0; j < m; j++) {
      const a = assets[j];
      const p = execution === 'next-open' ? a.open[i] : a.close[i];
      price[j] = p > 0 ? p : NaN;
      const k = i * m + j;
      held[j] = shares[j] !== 0 ? 1 : 0;
      if (shares[j] !== 0) plan.before[k] = (shares[j] * lastClose[j]) / prevEquity;
      if (price[j] === price[j] && lastClose[j] === lastClose[j]) plan.gap[k] = price[j] / lastClose[j] - 1;
    }

    const d = decisionAt.get(i);
    if (d !== undefined) {
      const target = decideWeights(input, config, d);
      // Value at the fill prices (a ticker without a bar at its last close).
      let value = cash;
      for (let j = 0; j < m; j++) if (shares[j] !== 0) value += shares[j] * (price[j] === price[j] ? price[j] : lastClose[j]);
      const orders: Array<{ j: number; size: number; orderValue: number }> = [];
      for (let j = 0; j < m; j++) {
        if (price[j] !== price[j]) continue;
        const size = (target[j] * value) / price[j] - shares[j];
        orders.push({ j, size, orderValue: target[j] * value - shares[j] * price[j] });
      }
      // Sells first (most negative order value), then buys smallest first; stable for ties.
      orders.sort((a, b) => a.orderValue - b.orderValue);
      let traded = 0;
      let paid = 0;
      for (const { j, size: wanted } of orders) {
        if (isClose(wanted, 0)) continue;
        let size = wanted;
        const before = shares[j];
        let flow: number;
        let fee: number;
        if (size > 0) {
          const fillPrice = price[j] * (1 + slippage);
          const req = size * fillPrice;
          const total = req + req * fees;
          if (!(isClose(total, cash) || total < cash)) {
            if (cash === 0) continue;
            const affordable = cash / (1 + fees);
            size = affordable / fillPrice;
            fee = cash - affordable;
            flow = -cash;
            cash = 0;
          } else {
            fee = req * fees;
            flow = -(req + fee);
            cash = addSnap(cash, flow);
          }
          shares[j] = addSnap(shares[j], size);
          traded += size * fillPrice;
          paid += fee + size * (fillPrice - price[j]);
        } else {
          size = -size;
          const fillPrice = price[j] * (1 - slippage);
          const acquired = size * fillPrice;
          fee = acquired * fees;
          flow = acquired - fee;
          cash += flow;
          shares[j] = addSnap(shares[j], -size);
          traded += acquired;
          paid += fee + size * (price[j] - fillPrice);
        }
        fillsOf[j]++;
        cashFlow[j] += flow;
        // Holding runs: a run closes when the position returns to zero or changes sign.
        if (before !== 0 && (shares[j] === 0 || Math.sign(shares[j]) !== Math.sign(before))) {
          const crossing = shares[j] === 0 ? 0 : shares[j] / (shares[j] - before); // share of the fill that opened the new run
          closeRun(runPnl[j] + flow * (1 - crossing));
          runPnl[j] = flow * crossing;
        } else {
          runPnl[j] += flow;
        }
      }
      costsPaid += paid;
      let valueAfter = cash;
      for (let j = 0; j < m; j++) if (shares[j] !== 0) valueAfter += shares[j] * (price[j] === price[j] ? price[j] : lastClose[j]);
      plan.cost[i] = 1 - valueAfter / value;
      const weights = new Float64Array(m);
      for (let j = 0; j < m; j++) if (shares[j] !== 0) weights[j] = (shares[j] * (price[j] === price[j] ? price[j] : lastClose[j])) / valueAfter;
      rebalances.push({ decisionBar: d, bar: i, time: times[i], weights, turnover: value > 0 ? traded / value : 0, costs: value > 0 ? paid / value : 0 });
      turnover += value > 0 ? traded / value : 0;
    }

    // From the fill to the close: the new holdings earn the body of the bar (next-open only).
    let e = cash;
    let anyHeld = false;
    let atFill = NaN;
    if (execution === 'next-open') {
      atFill = cash;
      for (let j = 0; j < m; j++) if (shares[j] !== 0) atFill += shares[j] * (price[j] === price[j] ? price[j] : lastClose[j]);
    }
    for (let j = 0; j < m; j++) {
      const c = assets[j].close[i];
      const k = i * m + j;
      if (execution === 'next-open') {
        if (shares[j] !== 0) plan.after[k] = (shares[j] * (price[j] === price[j] ? price[j] : lastClose[j])) / atFill;
        if (c > 0 && price[j] === price[j]) plan.body[k] = c / price[j] - 1;
        else if (c > 0 && lastClose[j] === lastClose[j]) plan.gap[k] = c / lastClose[j] - 1; // no open but a close: the whole move is the gap
      }
      if (c > 0) lastClose[j] = c;
      if (shares[j] !== 0) e += shares[j] * lastClose[j];
      // Exposed over bar i: held before the fill, or (next-open) from the fill to the close.
      if (execution === 'next-open' && shares[j] !== 0) held[j] = 1;
      if (held[j]) {
        heldBars[j]++;
        anyHeld = true;
      }
    }
    if (anyHeld) anyHeldBars++;
    equity[i] = e;
  }

  const contributions = cashFlow.map((flow, j) => flow + (shares[j] !== 0 ? shares[j] * lastClose[j] : 0));
  for (let j = 0; j < m; j++) if (shares[j] !== 0) closeRun(runPnl[j] + shares[j] * lastClose[j]);
  const bench = benchmarkEquity(input, execution);
  const years = yearsCovered(n, periodsPerYear, times);
  return {
    ...performanceMetrics(equity, periodsPerYear, times),
    tickers: assets.map((a) => a.ticker),
    equity,
    benchmarkEquity: bench.equity,
    benchmark: { name: bench.name, ...performanceMetrics(bench.equity, periodsPerYear, times) },
    rebalances,
    perTicker: assets.map((a, j) => ({ ticker: a.ticker, contribution: contributions[j], exposure: n > 1 ? heldBars[j] / (n - 1) : 0, fills: fillsOf[j] })),
    turnover,
    annualTurnover: years > 0 ? turnover / years : 0,
    costsPaid,
    exposure: n > 1 ? anyHeldBars / (n - 1) : 0,
    fills: fillsOf.reduce((s, x) => s + x, 0),
    trades,
    winRate: trades > 0 ? wins / trades : null,
    profitFactor: grossLoss > 0 ? grossProfit / grossLoss : null,
    execution,
    plan,
  };
}

/**
 * Puts several tickers' bars (each oldest first) on one calendar: the union of their bar times
 * (a ticker without a bar at a time gets NaN there and neither trades nor re-prices), or only
 * the times every ticker has ('intersection').
 */
export function alignTickerBars(
  series: Array<{ ticker: string; times: ArrayLike<number>; open: ArrayLike<number>; close: ArrayLike<number> }>,
  calendar: 'union' | 'intersection' = 'union',
): { times: Float64Array; bars: Array<{ ticker: string; open: Float64Array; close: Float64Array }> } {
  const count = new Map<number, number>();
  for (const s of series) for (let i = 0; i < s.times.length; i++) count.set(s.times[i], (count.get(s.times[i]) ?? 0) + 1);
  const keep = [...count.entries()].filter(([, c]) => calendar === 'union' || c === series.length).map(([t]) => t);
  const times = Float64Array.from(keep.sort((a, b) => a - b));
  const index = new Map<number, number>();
  times.forEach((t, i) => index.set(t, i));
  const bars = series.map((s) => {
    const open = new Float64Array(times.length).fill(NaN);
    const close = new Float64Array(times.length).fill(NaN);
    for (let i = 0; i < s.times.length; i++) {
      const k = index.get(s.times[i]);
      if (k === undefined) continue;
      open[k] = s.open[i];
      close[k] = s.close[i];
    }
    return { ticker: s.ticker, open, close };
  });
  return { times, bars };
}
