/**
 * `npm run eval:tickers [-- --file <jsonl|csv>] [--universe sp500|listed] [--verbose]`: precision
 * and recall of ticker extraction per match source on hand-labelled headlines.
 *
 * Without --file it reports both committed sets side by side:
 *   - S&P: test/fixtures/tickers/labelled-headlines.jsonl against the S&P 500 list plus the
 *     built-in crypto and ETF instruments (the universe those labels were written for);
 *   - listed: test/fixtures/tickers/listed-headlines.csv against the full listed universe
 *     (../shared/data/companies/us_listed.csv with the S&P list laid over it, plus built-ins).
 * A .jsonl file defaults to the S&P universe, a .csv file to the listed one. The last line is
 * `precision=<p> recall=<r>` for the last set reported.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { repoRoot } from '../config/paths';
import {
  createTickerExtractor,
  defaultInstruments,
  evaluateExtraction,
  formatExtractionReport,
  listedUniverse,
  loadSp500Companies,
  mergeInstruments,
  type LabelledHeadline,
  type TickerExtractor,
} from '../domain/tickers';

import { parseFlags } from './flags';

type Universe = 'sp500' | 'listed';

export function readLabelledHeadlines(file: string): LabelledHeadline[] {
  const text = fs.readFileSync(file, 'utf8');
  if (file.endsWith('.csv')) {
    const rows = parse(text, { columns: true, skip_empty_lines: true, bom: true }) as Array<{ id: string; text: string; tickers: string }>;
    return rows.map((r) => ({ id: Number(r.id), text: r.text, tickers: r.tickers.split(/\s+/).filter(Boolean) }));
  }
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as LabelledHeadline);
}

const extractors = new Map<Universe, TickerExtractor>();
function extractorFor(universe: Universe): TickerExtractor {
  let extractor = extractors.get(universe);
  if (!extractor) {
    const companies = universe === 'listed' ? listedUniverse() : mergeInstruments(loadSp500Companies(), defaultInstruments());
    extractor = createTickerExtractor(companies);
    extractors.set(universe, extractor);
  }
  return extractor;
}

function report(file: string, universe: Universe, verbose: boolean): string {
  const items = readLabelledHeadlines(file);
  const extractor = extractorFor(universe);
  const result = evaluateExtraction((input) => extractor.extract(input), items);
  console.log(`== ${path.relative(repoRoot(), file)} (universe: ${universe}, ${extractor.companies.length} instruments)`);
  console.log(formatExtractionReport(result));
  if (verbose) {
    const text = new Map(items.map((i) => [i.id, i.text]));
    for (const fp of result.falsePositives) console.log(`FP ${fp.ticker} [${fp.matchedBy.join(',')}] #${fp.id}: ${text.get(fp.id)}`);
    for (const fn of result.falseNegatives) console.log(`FN ${fn.ticker} #${fn.id}: ${text.get(fn.id)}`);
  }
  return `precision=${result.overall.precision?.toFixed(4)} recall=${result.overall.recall?.toFixed(4)}`;
}

function main(): void {
  const flags = parseFlags(process.argv.slice(2));
  const verbose = flags.get('verbose') === 'true';
  const fixtures = path.join(repoRoot(), 'test', 'fixtures', 'tickers');
  const file = flags.get('file');
  const universeFlag = flags.get('universe') as Universe | undefined;
  if (universeFlag && universeFlag !== 'sp500' && universeFlag !== 'listed') throw new Error(`--universe must be sp500 or listed, not ${universeFlag}`);
  let last: string;
  if (file) {
    last = report(path.resolve(file), universeFlag ?? (file.endsWith('.csv') ? 'listed' : 'sp500'), verbose);
  } else {
    report(path.join(fixtures, 'labelled-headlines.jsonl'), universeFlag ?? 'sp500', verbose);
    console.log('');
    last = report(path.join(fixtures, 'listed-headlines.csv'), universeFlag ?? 'listed', verbose);
  }
  console.log(last);
}

if (require.main === module) main();
