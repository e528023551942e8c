/**
 * Backtest engine throughput. Bars are synthetic: SPY's real daily returns bootstrapped
 * (seeded) into a 1,000,000-bar path, so the return distribution is real but the length is not
 * limited by history. Sentiment is a seeded AR(1) series standing in for rolling news sentiment;
 * it has no edge, so over ~4,000 synthetic years costs grind equity towards zero (maxDD ~ 1):
 * the point here is throughput, not performance.
 */
import fs from 'node:fs';
import { sharedDataPath } from '../config/paths';
import { parsePriceCsv } from '../domain/prices';
import {
  permutationTest, runBacktest, SeededRandom, sentimentThresholdPositions, BacktestBars,
} from '../domain/backtest';

function bootstrapBars(returns: Float64Array, gaps: Float64Array, n: number, rng: SeededRandom): Required<BacktestBars> {
  const close = new Float64Array(n);
  const open = new Float64Array(n);
  const times = new Float64Array(n);
  close[0] = open[0] = 100;
  for (let i = 1; i < n; i++) {
    const k = rng.int(returns.length);
    open[i] = close[i - 1] * (1 + gaps[k]);
    close[i] = close[i - 1] * (1 + returns[k]);
    times[i] = times[i - 1] + 86_400_000;
  }
  return { close, open, times };
}

function syntheticSentiment(n: number, rng: SeededRandom): Float64Array {
  const s = new Float64Array(n);
  for (let i = 1; i < n; i++) s[i] = 0.98 * s[i - 1] + 0.05 * rng.gaussian();
  return s;
}

function timeIt<T>(fn: () => T): { ms: number; value: T } {
  const t0 = process.hrtime.bigint();
  const value = fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, value };
}

export default async function backtestBench(args: string[]): Promise<void> {
  const bars = Number(args[0] ?? 1_000_000);
  const spy = parsePriceCsv(fs.readFileSync(sharedDataPath('prices', 'SPY_daily.csv'), 'utf8')).bars;
  const returns = new Float64Array(spy.length - 1);
  const gaps = new Float64Array(spy.length - 1);
  for (let i = 1; i < spy.length; i++) {
    returns[i - 1] = spy[i].close / spy[i - 1].close - 1;
    gaps[i - 1] = spy[i].open / spy[i - 1].close - 1;
  }
  const rng = new SeededRandom(42);
  const data = bootstrapBars(returns, gaps, bars, rng);
  const sentiment = syntheticSentiment(bars, rng);
  const params = { enter: 0.2, exit: 0.05, allowShort: true, holdingBars: 20 };
  const options = { costBps: 1, slippageBps: 2, periodsPerYear: 252 };

  const run = () => runBacktest(data, sentimentThresholdPositions(sentiment, params), options);
  for (let w = 0; w < 3; w++) run(); // let the JIT settle
  const runs: number[] = [];
  let last = run();
  for (let r = 0; r < 7; r++) {
    const t = timeIt(run);
    runs.push(t.ms);
    last = t.value;
  }
  runs.sort((a, b) => a - b);
  const median = runs[Math.floor(runs.length / 2)];
  const barsPerS = Math.round(bars / (median / 1000));
  console.log(`strategy+backtest over ${bars} bars: median ${median.toFixed(1)} ms of ${runs.length} runs (min ${runs[0].toFixed(1)} ms)`);
  console.log(`  trades=${last.trades} sharpe=${last.sharpe?.toFixed(3)} maxDD=${last.maxDrawdown.toFixed(3)} costs=${last.costsPaid.toFixed(4)}`);

  const targets1m = sentimentThresholdPositions(sentiment, params);
  const engineRuns: number[] = [];
  for (let r = 0; r < 7; r++) engineRuns.push(timeIt(() => runBacktest(data, targets1m, options)).ms);
  engineRuns.sort((a, b) => a - b);
  const engineMedian = engineRuns[Math.floor(engineRuns.length / 2)];
  console.log(`engine only (positions precomputed): median ${engineMedian.toFixed(1)} ms = ${Math.round(bars / (engineMedian / 1000))} bars/s`);

  const small: Required<BacktestBars> = { close: data.close.slice(0, 5000), open: data.open.slice(0, 5000), times: data.times.slice(0, 5000) };
  const targets = sentimentThresholdPositions(sentiment.subarray(0, 5000), params);
  permutationTest(small, targets, { ...options, permutations: 50, seed: 7 }); // warm-up
  const mc = timeIt(() => permutationTest(small, targets, { ...options, permutations: 1000, seed: 7 }));
  console.log(`permutation test 1000 x 5000 bars: ${mc.ms.toFixed(1)} ms, observed sharpe=${mc.value.observed.toFixed(3)} p=${mc.value.pValue.toFixed(4)}`);
  console.log(`backtest_bars_per_s=${barsPerS} mcpt_1000x5000_s=${(mc.ms / 1000).toFixed(3)}`);
}
