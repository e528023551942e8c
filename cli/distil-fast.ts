/**
 * `node dist/cli/distil-fast.js [--without sentfin|twitter] [--no-distil] [--gold-weight 0.5]
 *   [--temperature 1] [--buckets 18] [--word-ngrams 2] [--char-ngrams 2-5] [--version V] [--save]
 *   [--activate-if-better]`: trains the fast tier (hashed n-gram model)
 * on the gold rows plus the accurate tier's soft labels (cli/soft-labels.ts cache) over real
 * text, fits its calibration on its early-stopping tenth (it does not refit on it), and reports
 * on twitter valid, the SEntFiN 20 % test and the clear-business-news probe.
 *
 * `--without S` drops source S entirely (its gold rows and its texts in the corpus) and so
 * measures the model on text unlike everything it trained on; `--no-distil` trains the same gold
 * rows without the teacher, for the comparison. Evaluation texts never enter training.
 * `--temperature T` softens (T > 1) or sharpens the teacher's probabilities before they become
 * targets; `--buckets` (log2), `--word-ngrams` and `--char-ngrams` set the student's features.
 * Choose these on the early-stopping tenth (printed as `early-stopping raw`), never on the
 * held-out splits.
 * `--save` writes models/sentiment/<version>; `--activate-if-better` makes it the active fast
 * tier only when it beats the active one on both held-out splits (macro-F1).
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadMlConfig } from '../config/ml';
import { repoRoot } from '../config/paths';
import {
  activeTierVersion,
  buildSplits,
  configureMl,
  DEFAULT_FEATURE_CONFIG,
  defaultModelsDir,
  fitCalibration,
  type DistillationConfig,
  type LabelledText,
  type SoftLabelledText,
  readLabelledCsv,
  readMetadata,
  reportFromConfusion,
  saveModel,
  setActiveVersion,
  sha256File,
  sourceTexts,
  stratifiedSplit,
  temperatureScale,
  tfRuntime,
  type TrainingConfig,
  trainModel,
} from '../ml';
import { labelIndex } from '../domain/sentiment/types';
import { describeCalibrated, PROBE_FILE, rawProbabilities } from './calibrate-sentiment';
import { numberFlag, parseFlags, sentimentDataFiles } from './flags';

interface CachedSoftLabel {
  text: string;
  source: string;
  p: number[];
}

async function main(): Promise<void> {
  configureMl(loadMlConfig());
  const flags = parseFlags(process.argv.slice(2));
  const files = sentimentDataFiles(flags);
  const without = flags.get('without');
  if (without !== undefined && without !== 'sentfin' && without !== 'twitter') throw new Error(`--without must be sentfin or twitter, got "${without}"`);
  const distil = flags.get('no-distil') !== 'true';
  const goldWeight = numberFlag(flags, 'gold-weight', 0.5);
  const temperature = numberFlag(flags, 'temperature', 1);
  const [charMin, charMax] = (flags.get('char-ngrams') ?? `${DEFAULT_FEATURE_CONFIG.charNgramMin}-${DEFAULT_FEATURE_CONFIG.charNgramMax}`).split('-').map(Number);
  const features = {
    ...DEFAULT_FEATURE_CONFIG,
    buckets: 2 ** numberFlag(flags, 'buckets', Math.log2(DEFAULT_FEATURE_CONFIG.buckets)),
    wordNgrams: numberFlag(flags, 'word-ngrams', DEFAULT_FEATURE_CONFIG.wordNgrams),
    charNgramMin: charMin,
    charNgramMax: charMax,
  };
  if (!(charMin >= 1 && charMax >= charMin)) throw new Error(`--char-ngrams must be MIN-MAX, got "${flags.get('char-ngrams')}"`);
  const seed = numberFlag(flags, 'seed', 7);
  const teacher = flags.get('teacher') ?? 'ft6-2026-11-30-s7';
  const softFile = flags.get('soft-labels') ?? path.join(repoRoot(), 'scratch', 'soft-labels', `${teacher}.jsonl`);
  const version = flags.get('version') ?? `ds-${new Date().toISOString().slice(0, 10)}-s${seed}${without ? `-no-${without}` : ''}${distil ? '' : '-gold'}`;
  const save = flags.get('save') === 'true';
  const modelsDir = save ? (flags.get('models-dir') ?? defaultModelsDir()) : path.join(repoRoot(), 'scratch', 'models');

  const splits = buildSplits(files);
  const twitterTexts = sourceTexts(files, 'twitter');
  const sentfinTexts = sourceTexts(files, 'sentfin');
  const excluded = without === 'sentfin' ? sentfinTexts : without === 'twitter' ? twitterTexts : new Set<string>();
  const evaluationTexts = new Set(splits.evaluations.flatMap((e) => e.rows.map((r) => r.text)));
  const gold = splits.train.filter((r) => !excluded.has(r.text));

  const cached: CachedSoftLabel[] = fs.existsSync(softFile)
    ? fs
        .readFileSync(softFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as CachedSoftLabel)
    : [];
  if (distil && cached.length === 0) throw new Error(`no soft labels in ${softFile} (run node dist/cli/soft-labels.js first)`);
  const usable = cached.filter((c) => !evaluationTexts.has(c.text) && !excluded.has(c.text));
  const goldTexts = new Set(gold.map((r) => r.text));
  const distillation: DistillationConfig | undefined = distil
    ? {
        teacherOf: new Map(usable.filter((c) => goldTexts.has(c.text)).map((c) => [c.text, temperatureScale(c.p, temperature)])),
        unlabelled: usable
          .filter((c) => !goldTexts.has(c.text) && !sentfinTexts.has(c.text) && !twitterTexts.has(c.text))
          .map((c): SoftLabelledText => ({ text: c.text, soft: temperatureScale(c.p, temperature) })),
        goldWeight,
      }
    : undefined;
  const sources: Record<string, number> = {};
  const sourceOf = new Map(cached.map((c) => [c.text, c.source]));
  for (const c of distillation?.unlabelled ?? []) {
    const source = sourceOf.get(c.text) ?? '?';
    sources[source] = (sources[source] ?? 0) + 1;
  }
  console.log(
    `${version}: ${gold.length} gold rows${without ? ` (without ${without})` : ''}` +
      (distillation ? `, ${distillation.teacherOf.size} of them with soft labels, ${distillation.unlabelled.length} unlabelled texts ${JSON.stringify(sources)}, gold weight ${goldWeight}, temperature ${temperature}` : ', no teacher') +
      `; features ${JSON.stringify(features)}`,
  );

  const config: TrainingConfig = {
    seed,
    features,
    learningRate: numberFlag(flags, 'lr', 0.01),
    batchSize: numberFlag(flags, 'batch', 32),
    maxEpochs: numberFlag(flags, 'epochs', 12),
    patience: numberFlag(flags, 'patience', 2),
    earlyStoppingFraction: 0.1,
    l2: 0,
    // the early-stopping tenth stays unseen, so the calibration fitted there is honest
    refitOnAll: false,
  };
  const { tf, backend } = await tfRuntime();
  const result = trainModel(tf, gold, config, distillation);
  for (const entry of result.log) console.log(`epoch ${entry.epoch} loss ${entry.loss.toFixed(4)} early-stop acc ${entry.earlyStoppingAccuracy.toFixed(4)} (${entry.seconds.toFixed(1)}s)`);
  const metadata: Record<string, unknown> & { version: string; createdAt: string } = {
    version,
    createdAt: new Date().toISOString(),
    model: `multinomial logistic regression over hashed TF-IDF word uni/bi-grams + char n-grams (TensorFlow.js)${distil ? `, distilled from ${teacher}` : ''}`,
    backend,
    trainingSeconds: result.seconds,
    bestEpoch: result.bestEpoch,
    hyperParameters: { ...config, splitSeed: 42, goldWeight: distil ? goldWeight : 1, teacherTemperature: distil ? temperature : null, without: without ?? null },
    data: Object.fromEntries(Object.entries(files).map(([key, file]) => [key, { file: path.basename(file), sha256: sha256File(file) }])),
    distillation: distillation ? { teacher, softLabels: path.basename(softFile), goldWithTeacher: distillation.teacherOf.size, unlabelled: distillation.unlabelled.length, unlabelledSources: sources } : null,
    trainRows: gold.length,
  };
  saveModel(modelsDir, result.model, metadata);

  const stopRows = stratifiedSplit(gold, 0.1, seed + 1).test;
  const stopRaw = await rawProbabilities(version, modelsDir, stopRows.map((r) => r.text));
  const calibration = fitCalibration(stopRaw, stopRows.map((r) => labelIndex(r.label)), `trainer early-stopping tenth (seed ${seed}, ${stopRows.length} rows, not trained on)`);
  console.log(`calibration: temperature ${calibration.temperature.toFixed(4)}, decision biases ${JSON.stringify(calibration.decisionBias)}`);
  // what settings are chosen on: the trainer's early-stopping tenth (not trained on), raw
  console.log(describeCalibrated('early-stopping raw', stopRaw, stopRows, { temperature: 1, decisionBias: [0, 0, 0] }).lines.join('\n'));
  const sets: Array<{ name: string; rows: LabelledText[] }> = [...splits.evaluations, { name: 'probe', rows: readLabelledCsv(PROBE_FILE) }];
  const metrics: Record<string, ReturnType<typeof reportFromConfusion> & { ece: number }> = {};
  const calibrationReport: Record<string, unknown> = {};
  for (const set of sets) {
    const raw = await rawProbabilities(version, modelsDir, set.rows.map((r) => r.text));
    const before = describeCalibrated(`${set.name} raw`, raw, set.rows, { temperature: 1, decisionBias: [0, 0, 0] });
    const after = describeCalibrated(`${set.name} calibrated`, raw, set.rows, calibration);
    console.log([...before.lines, ...after.lines].join('\n'));
    metrics[set.name] = { ...reportFromConfusion(after.confusion), ece: after.ece };
    calibrationReport[set.name] = { before: { ...before, lines: undefined }, after: { ...after, lines: undefined } };
  }
  saveModel(modelsDir, result.model, { ...metadata, calibration: { ...calibration, report: calibrationReport }, metrics });
  console.log(`wrote ${path.join(modelsDir, version)}`);

  if (save && flags.get('activate-if-better') === 'true') {
    const active = activeTierVersion(modelsDir, 'fast');
    const activeMetrics = active ? (readMetadata(modelsDir, active).metrics as Record<string, { macroF1: number } | undefined>) : {};
    const better = splits.evaluations.every((e) => metrics[e.name].macroF1 > (activeMetrics[e.name]?.macroF1 ?? 0));
    if (better) setActiveVersion(modelsDir, version);
    console.log(better ? `${version} is the active fast tier (was ${active})` : `${version} not activated: ${active} is as good on a held-out split`);
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
