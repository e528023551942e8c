/**
 * The portfolio engine against vectorbt's cash-sharing simulation on the shared AAPL, MSFT and
 * SPY daily files. The fixture is vectorbt's equity curve for each configuration, made offline by
 * scripts/reference/portfolio_reference.py (see its header for the exact call); the decisions
 * (rebalance bars, selection, weights) follow the same rules on both sides, the bookkeeping
 * (fills, slippage, fees, order sequence, cash limits) is vectorbt's own.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sharedDataPath } from '../../config/paths';
import { parsePriceCsv } from '../prices';
import { barsToArrays } from './bars';
import { alignTickerBars, runPortfolioBacktest } from './portfolio';
import type { Execution } from './types';

interface ReferenceConfig {
  name: string;
  rebalance: 'monthly' | 'weekly';
  select: number;
  weighting: 'equal' | 'inverse-volatility';
  execution: Execution;
  costBps: number;
  slippageBps: number;
  orders: number;
  equity: number[];
}
const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '../../test/fixtures/portfolio/vectorbt-reference.json'), 'utf8')) as {
  tickers: string[]; bars: number; first: string; last: string; configs: ReferenceConfig[];
};

const files: Record<string, string> = { AAPL: 'AAPL_daily.tsv', MSFT: 'MSFT_daily.tsv', SPY: 'SPY_daily.csv' };
const { times, bars } = alignTickerBars(
  fixture.tickers.map((ticker) => ({ ticker, ...barsToArrays(parsePriceCsv(fs.readFileSync(sharedDataPath('prices', files[ticker]), 'utf8')).bars) })),
  'intersection',
);
const from = times.indexOf(Date.parse(`${fixture.first}T00:00:00Z`));
const to = times.indexOf(Date.parse(`${fixture.last}T00:00:00Z`));
const window = { times: times.slice(from, to + 1), bars: bars.map((b) => ({ ticker: b.ticker, open: b.open.slice(from, to + 1), close: b.close.slice(from, to + 1) })) };

/** 63-bar momentum known at each close (NaN before 63 bars of history). */
function momentum63(close: Float64Array): Float64Array {
  return close.map((c, i) => (i < 63 ? NaN : c / close[i - 63] - 1));
}

describe('portfolio engine vs. vectorbt from_orders (cash sharing, auto call sequence)', () => {
  it('uses the same calendar as the reference', () => {
    expect(from).toBeGreaterThanOrEqual(0);
    expect(window.times.length).toBe(fixture.bars);
  });

  it.each(fixture.configs.map((c) => [c.name, c] as const))('%s: equity equal to 1e-9 on every bar', (_name, cfg) => {
    const result = runPortfolioBacktest(
      { times: window.times, assets: window.bars.map((b) => ({ ...b, score: momentum63(b.close) })), benchmark: { kind: 'universe' } },
      {
        long: { top: cfg.select }, weighting: cfg.weighting, volatilityLookback: 20, rebalance: cfg.rebalance,
        execution: cfg.execution, costBps: cfg.costBps, slippageBps: cfg.slippageBps,
      },
    );
    expect(result.equity).toHaveLength(cfg.equity.length);
    let worst = 0;
    for (let i = 0; i < cfg.equity.length; i++) worst = Math.max(worst, Math.abs(result.equity[i] - cfg.equity[i]));
    expect(worst).toBeLessThan(1e-9);
    expect(result.fills).toBe(cfg.orders);
  });
});
