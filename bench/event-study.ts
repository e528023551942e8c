/**
 * Event study on the shared data (../shared/data/prices). The repository holds no dated news for
 * those years (the shared sentiment sets are undated headlines), so the events here are the
 * signal rules' own price-only decisions replayed point in time over the real daily bars: a
 * replayed signal turning BUY (or SELL) is an event, traded from the day after its bar. This
 * measures what follows a technical signal (momentum/reversal), not what follows news.
 *
 *   npm run bench -- event-study [bootstrapSamples=2000] [seed=1]
 */
import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { sharedDataPath } from '../config/paths';
import { parsePriceCsv, type PriceBar } from '../domain/prices';
import { dayAfterBar, runEventStudy, simpleReturnsByDay, type EventStudyResult, type StudyEvent } from '../domain/research';
import { computeSignal } from '../domain/signals';

const TRAILING_BARS = 320; // the longest lookback (Hurst, 256) plus the slow SMA, with room

function load(file: string): PriceBar[] {
  return parsePriceCsv(fs.readFileSync(sharedDataPath('prices', file), 'utf8')).bars.sort((a, b) => a.time.getTime() - b.time.getTime());
}

const day = (t: Date) => t.toISOString().slice(0, 10);

/** Price-only signals at every bar from `from`, each from the trailing bars only (point in time). */
function replayTransitions(ticker: string, bars: PriceBar[], from: string, to: string): { BUY: StudyEvent[]; SELL: StudyEvent[]; decisions: number } {
  const out = { BUY: [] as StudyEvent[], SELL: [] as StudyEvent[], decisions: 0 };
  let previous = 'HOLD';
  for (let i = TRAILING_BARS; i < bars.length; i++) {
    const d = day(bars[i].time);
    if (d < from || d > to) continue;
    const s = computeSignal({ ticker, asOf: bars[i].time, observations: [], bars: bars.slice(i - TRAILING_BARS, i + 1) });
    out.decisions++;
    if (s.type !== previous && s.type !== 'HOLD') out[s.type].push({ ticker, day: dayAfterBar(bars[i].time), id: `${ticker}@${d}` });
    previous = s.type;
  }
  return out;
}

function report(name: string, r: EventStudyResult): string {
  const d0 = r.days.find((d) => d.day === 0)!;
  const last = r.days[r.days.length - 1];
  const f = (x: number) => (x * 100).toFixed(2) + '%';
  console.log(`\n${name}: n=${r.eventsUsed} of ${r.eventsIn} (merged ${r.mergedSameDay}, dropped overlapping ${r.droppedOverlapping}, skipped ${JSON.stringify(r.skipped)})`);
  console.log('  day   AAR      t      AAR interval            CAR      t      CAR interval');
  for (const x of r.days) {
    console.log(`  ${String(x.day).padStart(3)}  ${f(x.aar).padStart(7)} ${(x.aarT ?? NaN).toFixed(2).padStart(6)}  [${f(x.aarLow)}, ${f(x.aarHigh)}]`.padEnd(60) + `${f(x.car).padStart(7)} ${(x.carT ?? NaN).toFixed(2).padStart(6)}  [${f(x.carLow)}, ${f(x.carHigh)}]`);
  }
  return `${name}_n=${r.eventsUsed} ${name}_aar0=${d0.aar.toFixed(5)} ${name}_car${last.day}=${last.car.toFixed(5)} ${name}_car${last.day}_ci=[${last.carLow.toFixed(5)},${last.carHigh.toFixed(5)}] ${name}_car${last.day}_t=${(last.carT ?? NaN).toFixed(2)}`;
}

export default async function eventStudyBench(args: string[]): Promise<void> {
  const bootstrapSamples = Number(args[0] ?? 2000);
  const seed = Number(args[1] ?? 1);
  const t0 = performance.now();
  const spy = load('SPY_daily.csv');
  const stocks = { AAPL: load('AAPL_daily.tsv'), MSFT: load('MSFT_daily.tsv') };
  const market = simpleReturnsByDay(spy.map((b) => ({ day: day(b.time), close: b.close })));
  const returns = new Map(Object.entries(stocks).map(([t, bars]) => [t, simpleReturnsByDay(bars.map((b) => ({ day: day(b.time), close: b.close })))]));
  for (const [t, r] of [['SPY', market] as const, ...returns]) {
    const worst = Math.min(...r.values());
    console.log(`${t}: ${r.size} daily returns, ${[...r.keys()][0]} .. ${[...r.keys()].pop()}, worst day ${(worst * 100).toFixed(1)}% (a split left unadjusted would show as about -50%)`);
  }
  const t1 = performance.now();
  // The estimation window needs ~250 SPY days first; AAPL ends 2015, MSFT 2016.
  const from = '2001-01-01';
  const to = '2015-12-31';
  const events = { BUY: [] as StudyEvent[], SELL: [] as StudyEvent[] };
  let decisions = 0;
  for (const [t, bars] of Object.entries(stocks)) {
    const e = replayTransitions(t, bars, from, to);
    events.BUY.push(...e.BUY);
    events.SELL.push(...e.SELL);
    decisions += e.decisions;
  }
  const t2 = performance.now();
  const buy = runEventStudy(returns, market, events.BUY, { bootstrapSamples, seed });
  const t3 = performance.now();
  const sell = runEventStudy(returns, market, events.SELL, { bootstrapSamples, seed });
  const t4 = performance.now();
  const lineBuy = report('buy', buy);
  const lineSell = report('sell', sell);
  // The [-5, 10] window's CAR carries the run-up that triggered the signal (days -5..-1); what
  // follows the signal, the tradeable part, is the CAR over [0, 10] on its own.
  const after = { window: [0, 10] as [number, number], bootstrapSamples, seed };
  const linePostBuy = report('buy_post', runEventStudy(returns, market, events.BUY, after));
  const linePostSell = report('sell_post', runEventStudy(returns, market, events.SELL, after));
  console.log(`\n${buy.overlapNote}`);
  console.log(`\nload ${(t1 - t0).toFixed(0)} ms; replay ${decisions} price-only decisions ${(t2 - t1).toFixed(0)} ms (${((t2 - t1) / decisions).toFixed(3)} ms each); study BUY ${(t3 - t2).toFixed(0)} ms, SELL ${(t4 - t3).toFixed(0)} ms with ${bootstrapSamples} bootstrap samples`);
  console.log(`${lineBuy} ${lineSell} ${linePostBuy} ${linePostSell} decisions=${decisions} replay_ms=${(t2 - t1).toFixed(0)} study_buy_ms=${(t3 - t2).toFixed(0)} bootstrap=${bootstrapSamples} seed=${seed}`);
}
