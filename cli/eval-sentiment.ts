/**
 * `npm run eval:sentiment -- --file <csv> [--tier fast|accurate] [--version V] [--models-dir D] [--lexicon] [--errors N]`:
 * scores a `text,label` CSV (labels negative|neutral|positive or twitter 0/1/2) with the tier
 * the product prefers (the accurate one once it is active; `--tier fast` for the n-gram model,
 * `--lexicon` for the fallback) and prints the report, then N misclassified examples; the
 * last line is `accuracy=<a> macro_f1=<f>`.
 */
import path from 'node:path';
import { sharedDataPath } from '../config/paths';
import { buildSplits, readLabelledCsv, type LabelledText } from '../domain/sentiment/data';
import type { AccurateScorer } from '../domain/sentiment/encoder-scorer';
import { entitySplit } from '../domain/sentiment/entity-data';
import { evaluate } from '../domain/sentiment/metrics';
import type { SentimentLabel } from '../domain/sentiment/types';
import { evaluateScorer } from '../domain/sentiment/evaluation';
import { createLexiconScorer } from '../domain/sentiment/lexicon-scorer';
import { formatReport } from '../domain/sentiment/metrics';
import { loadModelScorer } from '../domain/sentiment/model-scorer';
import { defaultModelsDir, preferredVersion, type ModelTier } from '../domain/sentiment/model-store';
import { parseFlags } from './flags';

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const dataDir = process.env.TIDINGS_SENTIMENT_DATA_DIR ?? sharedDataPath('sentiment');
  const sentfin = path.join(dataDir, 'sentfin', 'SEntFiN.csv');
  const split = flags.get('split');
  let file = flags.get('file');
  let rows: LabelledText[];
  if (file) {
    rows = readLabelledCsv(file);
  } else if (split === 'twitter-valid' || split === 'sentfin-test-20') {
    const twitter = path.join(dataDir, 'twitter-financial-news');
    const splits = buildSplits({ twitterTrain: path.join(twitter, 'train.csv'), twitterValid: path.join(twitter, 'valid.csv'), sentfin });
    rows = splits.evaluations.find((e) => e.name === split)!.rows;
    file = split;
  } else if (flags.get('entities') !== 'true') {
    throw new Error(
      'usage: npm run eval:sentiment -- (--file <csv with text,label> | --split twitter-valid|sentfin-test-20 | --entities) [--tier fast|accurate] [--version V] [--models-dir D] [--lexicon] [--errors N]',
    );
  } else {
    rows = [];
  }
  const modelsDir = flags.get('models-dir') ?? defaultModelsDir();
  const requestedTier = flags.get('tier');
  if (requestedTier !== undefined && requestedTier !== 'fast' && requestedTier !== 'accurate') throw new Error(`--tier must be fast or accurate, got "${requestedTier}"`);
  const tier: ModelTier = (requestedTier as ModelTier | undefined) ?? preferredVersion(modelsDir).tier;
  const scorer = flags.get('lexicon') === 'true' ? createLexiconScorer() : await loadModelScorer({ version: flags.get('version'), modelsDir, tier });
  if (flags.get('entities') === 'true') return evalEntities(scorer as AccurateScorer, sentfin, Number(flags.get('errors') ?? 0));
  console.log(`scoring ${rows.length} texts from ${file} with ${scorer.modelVersion} (${scorer.tier ?? tier} tier) on ${scorer.backend}`);
  const predicted: string[] = [];
  const report = await evaluateScorer(scorer, rows, 256, (labels) => predicted.push(...labels));
  scorer.dispose?.();
  console.log(formatReport(file ?? "", report));
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

/**
 * SEntFiN's entity-level test split: every entity of the headlines whose entities disagree,
 * scored by the entity head, against giving each entity the headline model's label.
 */
async function evalEntities(scorer: AccurateScorer, sentfin: string, errors: number): Promise<void> {
  if (scorer.tier !== 'accurate' || !scorer.hasEntityHead) throw new Error(`--entities needs an accurate-tier model with an entity head (got ${scorer.modelVersion})`);
  const mixed = entitySplit(sentfin).test.filter((h) => h.mixed);
  const entities = mixed.flatMap((h) => h.entities.map((e) => ({ text: h.text, entity: e.entity, label: e.label, span: e.span ?? ([0, h.text.length] as [number, number]) })));
  console.log(`scoring ${entities.length} entities of ${mixed.length} mixed-label SEntFiN test headlines with ${scorer.modelVersion}`);
  const perEntity = await scorer.scoreEntities(entities.map((e) => ({ text: e.text, span: e.span })));
  const headline = await scorer.scoreBatch(mixed.map((h) => h.text));
  const headlineLabel = new Map(mixed.map((h, i) => [h.text, headline[i].label ?? 'neutral']));
  const actual = entities.map((e) => e.label);
  const predicted = perEntity.map((s) => (s?.label ?? 'neutral') as SentimentLabel);
  const baseline = evaluate(actual, entities.map((e) => headlineLabel.get(e.text) as SentimentLabel));
  const report = evaluate(actual, predicted);
  console.log(formatReport('baseline: the headline model label for every entity', baseline));
  console.log(formatReport('entity head', report));
  if (errors > 0) {
    console.log(`first ${errors} misclassified entities (actual -> predicted):`);
    entities
      .map((e, i) => ({ ...e, predicted: predicted[i] }))
      .filter((e) => e.predicted !== e.label)
      .slice(0, errors)
      .forEach((e) => console.log(`  [${e.entity}] ${e.label} -> ${e.predicted}: ${e.text}`));
  }
  console.log(`baseline_accuracy=${baseline.accuracy.toFixed(4)} baseline_macro_f1=${baseline.macroF1.toFixed(4)}`);
  console.log(`accuracy=${report.accuracy.toFixed(4)} macro_f1=${report.macroF1.toFixed(4)}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
