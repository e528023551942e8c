/**
 * `npm run bench -- portfolio [tickers=50] [bars=2520] [permutations=200]`: the portfolio engine
 * (domain/backtest/portfolio.ts) in process, no I/O.
 * - synthetic: `tickers` random walks of `bars` daily bars, top 10 by a random score, inverse
 *   volatility weights, daily / weekly / monthly rebalancing; the peer is the single-ticker engine
 *   run once per ticker over the same bars (runBacktest x tickers), measured in the same run.
 * - the permutation test of the daily run (whole bars shuffled), permutations per second.
 * - real data: AAPL + MSFT + SPY daily 1999-2015 (the vectorbt reference configuration).
 */
import fs from 'node:fs';
import { sharedDataPath } from '../config/paths';
import {
  alignTickerBars, barsToArrays, preparePortfolioPermutationTest, runBacktest, runPortfolioBacktest, runPortfolioPermutationChunk, SeededRandom,
  type PortfolioConfig, type PortfolioInput, type RebalanceFrequency,
} from '../domain/backtest';
import { parsePriceCsv } from '../domain/prices';

function market(m: number, n: number): PortfolioInput {
  const rng = new SeededRandom(23);
  const times = new Float64Array(n);
  for (let i = 0; i < n; i++) times[i] = Date.UTC(2010, 0, 4) + Math.floor(i / 5) * 7 * 86_400_000 + (i % 5) * 86_400_000;
  const assets = Array.from({ length: m }, (_, j) => {
    const open = new Float64Array(n);
    const close = new Float64Array(n);
    const score = new Float64Array(n);
    let p = 20 + j;
    for (let i = 0; i < n; i++) {
      open[i] = p * (1 + rng.gaussian() * 0.003);
      p = open[i] * (1 + rng.gaussian() * 0.015);
      close[i] = p;
      score[i] = rng.next();
    }
    return { ticker: `T${j}`, open, close, score };
  });
  return { times, assets, benchmark: { kind: 'universe' } };
}

/** Median wall time of `runs` calls, in ms. */
function time(runs: number, f: () => void): number {
  const t: number[] = [];
  for (let k = 0; k < runs; k++) {
    const s = performance.now();
    f();
    t.push(performance.now() - s);
  }
  return t.sort((a, b) => a - b)[Math.floor(t.length / 2)];
}

export default async function portfolioBench(args: string[]): Promise<void> {
  const m = Number(args[0] ?? 50);
  const n = Number(args[1] ?? 2520);
  const permutations = Number(args[2] ?? 200);
  const input = market(m, n);
  const config = (rebalance: RebalanceFrequency): PortfolioConfig => ({ long: { top: 10 }, weighting: 'inverse-volatility', rebalance, costBps: 5, slippageBps: 2 });
  const out: Record<string, string> = {};

  time(3, () => runPortfolioBacktest(input, config('daily'))); // warm-up
  const peer = time(5, () => {
    for (const a of input.assets) runBacktest({ open: a.open, close: a.close, times: input.times }, a.score, { costBps: 7 });
  });
  console.log(`synthetic: ${m} tickers x ${n} daily bars`);
  console.log(`  peer: single-ticker engine once per ticker      ${peer.toFixed(2)} ms`);
  for (const rebalance of ['daily', 'weekly', 'monthly'] as const) {
    const ms = time(5, () => runPortfolioBacktest(input, config(rebalance)));
    const r = runPortfolioBacktest(input, config(rebalance));
    console.log(`  portfolio, ${rebalance.padEnd(7)} rebalance (${String(r.rebalances.length).padStart(4)} rebalances) ${ms.toFixed(2).padStart(8)} ms  ${((m * n) / ms / 1000).toFixed(2)} M ticker-bars/s  ${(ms / peer).toFixed(1)}x the peer`);
    out[`${rebalance}_ms`] = ms.toFixed(1);
  }
  out.peer_ms = peer.toFixed(1);

  const daily = runPortfolioBacktest(input, config('daily'));
  const test = preparePortfolioPermutationTest(daily.plan, 'sharpe', 252);
  runPortfolioPermutationChunk(test, 1, 0, 5);
  const s = performance.now();
  runPortfolioPermutationChunk(test, 1, 0, permutations);
  const permMs = performance.now() - s;
  console.log(`  permutation test (daily run): ${permutations} permutations in ${permMs.toFixed(0)} ms = ${((permutations / permMs) * 1000).toFixed(0)} permutations/s`);
  out.permutations_per_s = ((permutations / permMs) * 1000).toFixed(0);

  const files: Record<string, string> = { AAPL: 'AAPL_daily.tsv', MSFT: 'MSFT_daily.tsv', SPY: 'SPY_daily.csv' };
  const { times, bars } = alignTickerBars(
    Object.entries(files).map(([ticker, file]) => ({ ticker, ...barsToArrays(parsePriceCsv(fs.readFileSync(sharedDataPath('prices', file), 'utf8')).bars) })),
    'intersection',
  );
  const real: PortfolioInput = { times, assets: bars.map((b) => ({ ...b, score: b.close.map((c, i) => (i < 63 ? NaN : c / b.close[i - 63] - 1)) })), benchmark: { kind: 'universe' } };
  const realCfg: PortfolioConfig = { long: { top: 2 }, weighting: 'equal', rebalance: 'monthly', costBps: 10, slippageBps: 5 };
  runPortfolioBacktest(real, realCfg);
  const realMs = time(9, () => runPortfolioBacktest(real, realCfg));
  console.log(`real: AAPL+MSFT+SPY, ${times.length} common daily bars, monthly top 2: ${realMs.toFixed(2)} ms`);
  out.real_ms = realMs.toFixed(2);
  console.log(Object.entries({ tickers: String(m), bars: String(n), ...out }).map(([k, v]) => `${k}=${v}`).join(' '));
}
