/**
 * `npm run eval:sentiment -- --file <csv> [--tier fast|accurate] [--version V] [--models-dir D] [--lexicon] [--errors N]`:
 * scores a `text,label` CSV (labels negative|neutral|positive or twitter 0/1/2) with the tier
 * the product prefers (the accurate one once it is active; `--tier fast` for the n-gram model,
 * `--lexicon` for the fallback) and prints the report, then N misclassified examples; the
 * last line is `accuracy=<a> macro_f1=<f>`.
 *
 * `--summary unrelated|agreeing [--limit N]`: scores each text as a title, and again as the
 * title plus a summary (summary-eval.ts says what each kind shows), on the same rows (an
 * even sample of N of them); the last line is that of title + summary, after
 * `title_only_accuracy=… title_only_macro_f1=…`.
 */
import path from 'node:path';
import { sharedDataPath } from '../config/paths';
import { createLexiconScorer, type SentimentLabel, type SentimentScorer } from '../domain/sentiment';
import { loadMlConfig } from '../config/ml';
import { type AccurateScorer, buildSplits, configureMl, defaultModelsDir, entitySplit, evaluate, evaluateScorer, formatReport, type LabelledText, loadModelScorer, type ModelTier, preferredVersion, readLabelledCsv, withAgreeingSummaries, withUnrelatedSummaries } from '../ml';
import { articlesFromFeedBody } from '../domain/feeds';
import fs from 'node:fs';
import { parseFlags } from './flags';

async function main(): Promise<void> {
  configureMl(loadMlConfig()); // the models and backend the environment names (config/ml.ts)
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
  const summary = flags.get('summary');
  if (summary !== undefined) return evalWithSummaries(scorer, rows, file ?? '', summary, flags.get('limit'));
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

/** Real summaries of other news: the SEC press-release, testimony and filing feeds in the shared data. */
function feedSummaries(): string[] {
  const dir = process.env.TIDINGS_FEEDS_DATA_DIR ?? sharedDataPath('feeds');
  const files = fs.readdirSync(dir).filter((f) => /\.(xml|rss|atom)$/.test(f));
  return files.flatMap((f) => articlesFromFeedBody(fs.readFileSync(path.join(dir, f)), { fetchedAt: new Date() }).articles.map((a) => a.summary));
}

function evenSample<T>(rows: readonly T[], limit: number | undefined): T[] {
  if (!limit || limit >= rows.length) return [...rows];
  return Array.from({ length: limit }, (_, i) => rows[Math.floor((i * rows.length) / limit)]);
}

async function evalWithSummaries(scorer: SentimentScorer, rows: LabelledText[], file: string, kind: string, limitFlag: string | undefined): Promise<void> {
  const limit = limitFlag === undefined ? undefined : Number(limitFlag);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) throw new Error(`--limit must be a positive integer, got "${limitFlag}"`);
  const sample = evenSample(rows, limit);
  let examples;
  if (kind === 'unrelated') examples = withUnrelatedSummaries(sample, feedSummaries());
  else if (kind === 'agreeing') examples = withAgreeingSummaries(sample);
  else throw new Error(`--summary must be unrelated or agreeing, got "${kind}"`);
  console.log(`scoring ${examples.length} texts from ${file} as titles and as title + ${kind} summary with ${scorer.modelVersion} (${scorer.tier ?? 'fast'} tier) on ${scorer.backend}`);
  const timed = async (texts: LabelledText[]) => {
    const started = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const report = await evaluateScorer(scorer, texts, 64);
    const used = process.cpuUsage(cpu);
    return { report, seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: (used.user + used.system) / 1e6 };
  };
  const titles = await timed(examples.map((e) => ({ text: e.title, label: e.label })));
  const whole = await timed(examples.map((e) => ({ text: e.text, label: e.label })));
  scorer.dispose?.();
  console.log(formatReport(`${file}: title only`, titles.report));
  console.log(formatReport(`${file}: title + ${kind} summary`, whole.report));
  console.log(`cost: title only ${titles.cpuSeconds.toFixed(1)} CPU-s (${titles.seconds.toFixed(1)} s), title + summary ${whole.cpuSeconds.toFixed(1)} CPU-s (${whole.seconds.toFixed(1)} s)`);
  console.log(`title_only_accuracy=${titles.report.accuracy.toFixed(4)} title_only_macro_f1=${titles.report.macroF1.toFixed(4)}`);
  console.log(`accuracy=${whole.report.accuracy.toFixed(4)} macro_f1=${whole.report.macroF1.toFixed(4)}`);
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
