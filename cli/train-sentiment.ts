/**
 * `npm run train:sentiment [-- --seed N --version NAME --no-activate …]`: trains the
 * sentiment model on twitter train + 80% of SEntFiN, evaluates on twitter valid and the
 * held-out 20% of SEntFiN, and writes a versioned artifact into models/sentiment/.
 * Data paths: --twitter-dir / --sentfin (or TIDINGS_SENTIMENT_DATA_DIR, default ../shared).
 * `--tier accurate` trains the encoder tier instead (cli/train-accurate.ts).
 */
import path from 'node:path';
import { loadMlConfig } from '../config/ml';
import { buildSplits, configureMl, DEFAULT_FEATURE_CONFIG, defaultModelsDir, evaluateScorer, type EvaluationReport, formatReport, loadModelScorer, saveModel, setActiveVersion, sha256File, tfRuntime, type TrainingConfig, trainModel } from '../ml';
import { numberFlag, parseFlags, sentimentDataFiles } from './flags';
import { trainAccurateCli } from './train-accurate';


function timestampVersion(): string {
  return 'hl-' + new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
}

async function main(): Promise<void> {
  configureMl(loadMlConfig()); // the models and backend the environment names (config/ml.ts)
  const flags = parseFlags(process.argv.slice(2));
  if (flags.get('tier') === 'accurate') return trainAccurateCli(flags);
  const files = sentimentDataFiles(flags);
  const modelsDir = flags.get('models-dir') ?? defaultModelsDir();
  const config: TrainingConfig = {
    seed: numberFlag(flags, 'seed', 7),
    features: { ...DEFAULT_FEATURE_CONFIG, buckets: 1 << numberFlag(flags, 'bucket-bits', Math.log2(DEFAULT_FEATURE_CONFIG.buckets)) },
    learningRate: numberFlag(flags, 'lr', 0.01),
    batchSize: numberFlag(flags, 'batch', 32),
    maxEpochs: numberFlag(flags, 'epochs', 20),
    patience: numberFlag(flags, 'patience', 3),
    earlyStoppingFraction: numberFlag(flags, 'early-stopping-fraction', 0.1),
    l2: numberFlag(flags, 'l2', 0),
    refitOnAll: flags.get('refit') !== 'false',
  };
  const splitSeed = numberFlag(flags, 'split-seed', 42);
  const version = flags.get('version') ?? timestampVersion();

  const splits = buildSplits(files, splitSeed);
  console.log(`train ${splits.train.length} rows; ${splits.evaluations.map((e) => `${e.name} ${e.rows.length}`).join(', ')}`);
  const { tf, backend } = await tfRuntime();
  console.log(`training on the ${backend} backend`);
  const result = trainModel(tf, splits.train, config);
  for (const entry of result.log) {
    console.log(`epoch ${entry.epoch} loss ${entry.loss.toFixed(4)} early-stop acc ${entry.earlyStoppingAccuracy.toFixed(4)} (${entry.seconds.toFixed(1)}s)`);
  }
  console.log(`best epoch ${result.bestEpoch}; trained in ${result.seconds.toFixed(1)}s`);

  const metadata = {
    version,
    createdAt: new Date().toISOString(),
    model: 'multinomial logistic regression over hashed TF-IDF word uni/bi-grams + char n-grams (TensorFlow.js)',
    backend,
    trainingSeconds: result.seconds,
    bestEpoch: result.bestEpoch,
    hyperParameters: { ...config, splitSeed },
    data: Object.fromEntries(Object.entries(files).map(([key, file]) => [key, { file: path.basename(file), sha256: sha256File(file) }])),
    trainRows: splits.train.length,
    metrics: {} as Record<string, EvaluationReport>,
  };
  saveModel(modelsDir, result.model, metadata);
  const scorer = await loadModelScorer({ modelsDir, version });
  for (const evaluation of splits.evaluations) {
    const report = await evaluateScorer(scorer, evaluation.rows);
    metadata.metrics[evaluation.name] = report;
    console.log(formatReport(evaluation.name, report));
  }
  scorer.dispose?.();
  saveModel(modelsDir, result.model, metadata);
  if (flags.get('no-activate') !== 'true') setActiveVersion(modelsDir, version);
  console.log(`wrote ${path.join(modelsDir, version)}${flags.get('no-activate') === 'true' ? '' : ' (active)'}`);
  const summary = Object.entries(metadata.metrics).map(([name, r]) => `${name}_accuracy=${r.accuracy.toFixed(4)} ${name}_macro_f1=${r.macroF1.toFixed(4)}`);
  console.log(summary.join(' '));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
