/**
 * `npm run bench -- tickers [--rounds N]`: ticker extraction speed on real headlines (the 2,388
 * twitter-financial-news validation texts, each as a title with the next one as its summary),
 * for the full listed universe and, as the peer in the same run, the S&P 500-only universe it
 * replaced. Prints build time, articles/s, the ratio listed/S&P, and a `key=value` line.
 */
import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { sharedDataPath } from '../config/paths';
import { createTickerExtractor, defaultInstruments, listedUniverse, loadSp500Companies, mergeInstruments, type TickerExtractor } from '../domain/tickers';
import { parseFlags } from '../cli/flags';

function articlesPerSecond(extractor: TickerExtractor, texts: string[], rounds: number): number {
  // One warm-up pass so the regex engine and the guard's word lists are compiled and loaded.
  for (let i = 0; i < texts.length; i++) extractor.extract({ title: texts[i]!, summary: texts[(i + 1) % texts.length] });
  const started = process.hrtime.bigint();
  let n = 0;
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < texts.length; i++, n++) extractor.extract({ title: texts[i]!, summary: texts[(i + 1) % texts.length] });
  }
  return n / (Number(process.hrtime.bigint() - started) / 1e9);
}

export default async function tickers(args: string[]): Promise<void> {
  const rounds = Number(parseFlags(args).get('rounds') ?? 5);
  const rows = parse(fs.readFileSync(sharedDataPath('sentiment', 'twitter-financial-news', 'valid.csv')), { columns: true, skip_empty_lines: true }) as Array<{ text: string }>;
  const texts = rows.map((r) => r.text);

  const t0 = process.hrtime.bigint();
  const sp500 = createTickerExtractor(mergeInstruments(loadSp500Companies(), defaultInstruments()));
  const spBuildMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const t1 = process.hrtime.bigint();
  const listed = createTickerExtractor(listedUniverse());
  const listedBuildMs = Number(process.hrtime.bigint() - t1) / 1e6;

  const spRate = articlesPerSecond(sp500, texts, rounds);
  const listedRate = articlesPerSecond(listed, texts, rounds);
  const mem = process.memoryUsage().heapUsed / 2 ** 20;
  console.log(`universe  instruments  build_ms  articles/s`);
  console.log(`sp500     ${String(sp500.companies.length).padStart(11)}  ${spBuildMs.toFixed(0).padStart(8)}  ${spRate.toFixed(0).padStart(10)}`);
  console.log(`listed    ${String(listed.companies.length).padStart(11)}  ${listedBuildMs.toFixed(0).padStart(8)}  ${listedRate.toFixed(0).padStart(10)}`);
  console.log(`listed/sp500 throughput ratio ${(listedRate / spRate).toFixed(2)}; heap ${mem.toFixed(0)} MiB; ${texts.length} articles x ${rounds} rounds`);
  console.log(
    `tickers_listed_articles_per_s=${listedRate.toFixed(0)} tickers_sp500_articles_per_s=${spRate.toFixed(0)} ratio=${(listedRate / spRate).toFixed(2)} listed_build_ms=${listedBuildMs.toFixed(0)} sp500_build_ms=${spBuildMs.toFixed(0)}`,
  );
}
