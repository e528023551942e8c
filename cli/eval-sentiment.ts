/**
 * `npm run eval:sentiment -- --file <csv> [--tier fast|accurate] [--version V] [--models-dir D] [--lexicon] [--errors N]`:
 * scores a `text,label` CSV (labels negative|neutral|positive or twitter 0/1/2) with the tier
 * the product prefers (the accurate one once it is active; `--tier fast` for the n-gram model,
 * `--lexicon` for the fallback) and prints the report, then N misclassified examples; the
 * last line is `accuracy=<a> macro_f1=<f>`.
 */
import { readLabelledCsv } from '../domain/sentiment/data';
import { evaluateScorer } from '../domain/sentiment/evaluation';
import { createLexiconScorer } from '../domain/sentiment/lexicon-scorer';
import { formatReport } from '../domain/sentiment/metrics';
import { loadModelScorer } from '../domain/sentiment/model-scorer';
import { defaultModelsDir, preferredVersion, type ModelTier } from '../domain/sentiment/model-store';
import { parseFlags } from './flags';

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const file = flags.get('file');
  if (!file) throw new Error('usage: npm run eval:sentiment -- --file <csv with text,label> [--tier fast|accurate] [--version V] [--models-dir D] [--lexicon] [--errors N]');
  const rows = readLabelledCsv(file);
  const modelsDir = flags.get('models-dir') ?? defaultModelsDir();
  const requestedTier = flags.get('tier');
  if (requestedTier !== undefined && requestedTier !== 'fast' && requestedTier !== 'accurate') throw new Error(`--tier must be fast or accurate, got "${requestedTier}"`);
  const tier: ModelTier = (requestedTier as ModelTier | undefined) ?? preferredVersion(modelsDir).tier;
  const scorer = flags.get('lexicon') === 'true' ? createLexiconScorer() : await loadModelScorer({ version: flags.get('version'), modelsDir, tier });
  console.log(`scoring ${rows.length} texts from ${file} with ${scorer.modelVersion} (${scorer.tier ?? tier} tier) on ${scorer.backend}`);
  const predicted: string[] = [];
  const report = await evaluateScorer(scorer, rows, 256, (labels) => predicted.push(...labels));
  scorer.dispose?.();
  console.log(formatReport(file, report));
  const errors = Number(flags.get('errors') ?? 0);
  if (errors > 0) {
    console.log(`first ${errors} misclassified (actual -> predicted):`);
    rows
      .map((r, i) => ({ ...r, predicted: predicted[i] }))
      .filter((r) => r.predicted !== r.label)
      .slice(0, errors)
      .forEach((r) => console.log(`  ${r.label} -> ${r.predicted}: ${r.text.replace(/\s+/g, ' ')}`));
  }
  console.log(`accuracy=${report.accuracy.toFixed(4)} macro_f1=${report.macroF1.toFixed(4)}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
