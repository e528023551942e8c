/**
 * `npm run eval:sentiment -- --file <csv> [--version V] [--models-dir D] [--lexicon]`:
 * scores a `text,label` CSV (labels negative|neutral|positive or twitter 0/1/2) with the
 * shipped model (or the lexicon) and prints the report; the last line is
 * `accuracy=<a> macro_f1=<f>`.
 */
import { readLabelledCsv } from '../domain/sentiment/data';
import { evaluateScorer } from '../domain/sentiment/evaluation';
import { createLexiconScorer } from '../domain/sentiment/lexicon-scorer';
import { formatReport } from '../domain/sentiment/metrics';
import { loadModelScorer } from '../domain/sentiment/model-scorer';
import { parseFlags } from './flags';

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const file = flags.get('file');
  if (!file) throw new Error('usage: npm run eval:sentiment -- --file <csv with text,label> [--version V] [--models-dir D] [--lexicon]');
  const rows = readLabelledCsv(file);
  const scorer = flags.get('lexicon') === 'true' ? createLexiconScorer() : await loadModelScorer({ version: flags.get('version'), modelsDir: flags.get('models-dir') });
  console.log(`scoring ${rows.length} texts from ${file} with ${scorer.modelVersion} on ${scorer.backend}`);
  const report = await evaluateScorer(scorer, rows);
  scorer.dispose?.();
  console.log(formatReport(file, report));
  console.log(`accuracy=${report.accuracy.toFixed(4)} macro_f1=${report.macroF1.toFixed(4)}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
