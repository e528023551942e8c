/**
 * `npm run eval:tickers [-- --file <jsonl>] [--verbose]`: precision and recall of ticker
 * extraction per match source on hand-labelled headlines (default: the committed fixture
 * test/fixtures/tickers/labelled-headlines.jsonl). The universe is the S&P 500 list plus the
 * built-in crypto instruments; the last line is `precision=<p> recall=<r>`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../config/paths';
import { createTickerExtractor, defaultInstruments, evaluateExtraction, formatExtractionReport, loadSp500Companies, type LabelledHeadline } from '../domain/tickers';

import { parseFlags } from './flags';

function main(): void {
  const flags = parseFlags(process.argv.slice(2));
  const file = flags.get('file') ?? path.join(repoRoot(), 'test', 'fixtures', 'tickers', 'labelled-headlines.jsonl');
  const items = fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as LabelledHeadline);
  const extractor = createTickerExtractor([...loadSp500Companies(), ...defaultInstruments()]);
  const report = evaluateExtraction((input) => extractor.extract(input), items);
  console.log(formatExtractionReport(report));
  if (flags.get('verbose') === 'true') {
    const text = new Map(items.map((i) => [i.id, i.text]));
    for (const fp of report.falsePositives) console.log(`FP ${fp.ticker} [${fp.matchedBy.join(',')}] #${fp.id}: ${text.get(fp.id)}`);
    for (const fn of report.falseNegatives) console.log(`FN ${fn.ticker} #${fn.id}: ${text.get(fn.id)}`);
  }
  console.log(`precision=${report.overall.precision?.toFixed(4)} recall=${report.overall.recall?.toFixed(4)}`);
}

main();
