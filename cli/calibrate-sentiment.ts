/**
 * `node dist/cli/calibrate-sentiment.js --version V [--seed S] [--write] [--soft-labels FILE]`:
 * fits a model's calibration (temperature + decision biases, ml/serving/calibration.ts) on its
 * early-stopping texts only, and reports on the held-out splits (twitter valid, SEntFiN 20 %
 * test) and the clear-business-news probe, before and after: 15-bin ECE, accuracy, macro-F1 and
 * the confusion matrix. `--write` stores the calibration in the model's metadata.json, which
 * the scorers then apply. Raw probabilities come from the soft-label cache (cli/soft-labels.ts)
 * where it has the text, else from scoring live.
 *
 * Early-stopping texts: for the accurate tier the fine-tuning run's held-back tenth (it never
 * trained on them); for the fast tier the trainer's stratified tenth (a model trained with
 * refitOnAll saw them in its last pass, which the metadata's `fittedOn` then says).
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadMlConfig } from '../config/ml';
import { repoRoot } from '../config/paths';
import {
  accurateEarlyStoppingRows,
  buildSplits,
  type Calibration,
  calibratedScore,
  configureMl,
  defaultModelsDir,
  evaluate,
  expectedCalibrationError,
  fitCalibration,
  IDENTITY_CALIBRATION,
  type LabelledText,
  loadModelScorer,
  readLabelledCsv,
  readMetadata,
  sourceTexts,
  reportFromConfusion,
  stratifiedSplit,
  tierOfModel,
} from '../ml';
import { labelIndex, SENTIMENT_LABELS, type SentimentLabel } from '../domain/sentiment/types';
import { numberFlag, parseFlags, sentimentDataFiles } from './flags';

export const PROBE_FILE = path.join(repoRoot(), 'test', 'fixtures', 'sentiment', 'clear-business-news-probe.csv');

/** Raw probabilities per text: the cache first, the model for the rest. */
export async function rawProbabilities(version: string, modelsDir: string, texts: readonly string[], cacheFile?: string): Promise<number[][]> {
  const cache = new Map<string, number[]>();
  if (cacheFile && fs.existsSync(cacheFile)) {
    for (const line of fs.readFileSync(cacheFile, 'utf8').split('\n')) {
      if (!line) continue;
      const row = JSON.parse(line) as { text: string; p: number[] };
      cache.set(row.text, row.p);
    }
  }
  const missing = [...new Set(texts.filter((t) => !cache.has(t)))];
  if (missing.length > 0) {
    console.log(`scoring ${missing.length} texts live with ${version}`);
    const scorer = await loadModelScorer({ modelsDir, version, uncalibrated: true });
    for (let start = 0; start < missing.length; start += 256) {
      const chunk = missing.slice(start, start + 256);
      const scores = await scorer.scoreBatch(chunk);
      scores.forEach((s, i) => s.probabilities && cache.set(chunk[i], [s.probabilities.negative, s.probabilities.neutral, s.probabilities.positive]));
    }
    scorer.dispose?.();
  }
  return texts.map((t) => cache.get(t) ?? [0, 1, 0]);
}

export function describeCalibrated(name: string, raw: readonly number[][], rows: readonly LabelledText[], calibration: Calibration): { ece: number; accuracy: number; macroF1: number; confusion: number[][]; lines: string[] } {
  const scored = raw.map((p) => calibratedScore(p, calibration, ''));
  const probabilities = scored.map((s) => [s.probabilities!.negative, s.probabilities!.neutral, s.probabilities!.positive]);
  const targets = rows.map((r) => labelIndex(r.label));
  const ece = expectedCalibrationError(probabilities, targets);
  const report = evaluate(
    rows.map((r) => r.label),
    scored.map((s) => s.label as SentimentLabel),
  );
  const lines = [
    `${name}: n=${rows.length} ECE15=${ece.toFixed(4)} accuracy=${report.accuracy.toFixed(4)} macro_f1=${report.macroF1.toFixed(4)}`,
    `  confusion (rows actual, cols predicted; ${SENTIMENT_LABELS.join('/')}): ${JSON.stringify(report.confusion)}`,
  ];
  return { ece, accuracy: report.accuracy, macroF1: report.macroF1, confusion: report.confusion, lines };
}

async function main(): Promise<void> {
  configureMl(loadMlConfig());
  const flags = parseFlags(process.argv.slice(2));
  const modelsDir = flags.get('models-dir') ?? defaultModelsDir();
  const version = flags.get('version');
  if (!version) throw new Error('usage: calibrate-sentiment --version V [--seed S] [--write] [--soft-labels FILE]');
  const seed = numberFlag(flags, 'seed', 7);
  const splitSeed = numberFlag(flags, 'split-seed', 42);
  const files = sentimentDataFiles(flags);
  const tier = tierOfModel(version, modelsDir);
  const metadata = readMetadata(modelsDir, version);
  const cacheFile = flags.get('soft-labels') ?? (tier === 'accurate' ? path.join(repoRoot(), 'scratch', 'soft-labels', `${version}.jsonl`) : undefined);
  const splits = buildSplits(files, splitSeed);
  const refit = (metadata.hyperParameters as { refitOnAll?: boolean } | undefined)?.refitOnAll === true;
  // a fast model trained without a source (cli/distil-fast.ts --without) stopped on the rest's tenth
  const without = (metadata.hyperParameters as { without?: 'twitter' | 'sentfin' | null } | undefined)?.without;
  const excluded = without ? sourceTexts(files, without) : new Set<string>();
  const stopRows = tier === 'accurate' ? accurateEarlyStoppingRows(files, seed, splitSeed) : stratifiedSplit(splits.train.filter((r) => !excluded.has(r.text)), 0.1, seed + 1).test;
  const fittedOn = tier === 'accurate' ? `fine-tuning early-stopping texts (seed ${seed}, ${stopRows.length} rows)` : `trainer early-stopping tenth (seed ${seed}, ${stopRows.length} rows${refit ? '; the model refit on them' : ''})`;
  const sets: Array<{ name: string; rows: LabelledText[] }> = [{ name: 'early-stopping', rows: stopRows }, ...splits.evaluations, { name: 'probe', rows: readLabelledCsv(PROBE_FILE) }];
  const raw = new Map<string, number[][]>();
  for (const set of sets) raw.set(set.name, await rawProbabilities(version, modelsDir, set.rows.map((r) => r.text), cacheFile));

  const calibration = fitCalibration(raw.get('early-stopping')!, stopRows.map((r) => labelIndex(r.label)), fittedOn);
  console.log(`${version} (${tier}): temperature ${calibration.temperature.toFixed(4)}, decision biases ${JSON.stringify(calibration.decisionBias)} fitted on ${fittedOn}`);
  const temperatureOnly: Calibration = { temperature: calibration.temperature, decisionBias: [0, 0, 0] };
  const report: Record<string, unknown> = {};
  for (const set of sets) {
    const before = describeCalibrated(`${set.name} raw`, raw.get(set.name)!, set.rows, IDENTITY_CALIBRATION);
    const scaled = describeCalibrated(`${set.name} temperature only`, raw.get(set.name)!, set.rows, temperatureOnly);
    const after = describeCalibrated(`${set.name} calibrated + decision biases`, raw.get(set.name)!, set.rows, calibration);
    for (const d of [before, scaled, after]) console.log(d.lines.join('\n'));
    const strip = ({ lines: _lines, ...rest }: ReturnType<typeof describeCalibrated>) => rest;
    report[set.name] = { before: strip(before), temperatureOnly: strip(scaled), after: strip(after) };
  }
  if (flags.get('write') === 'true') {
    // hl-2026-11-22-s7 shows why: fitted on texts it trained on, T = 0.37 took its held-out ECE from 0.019 to 0.10
    if (refit) throw new Error(`${version} refit on its early-stopping texts (refitOnAll): a calibration fitted there is over-confident; not written`);
    const file = path.join(modelsDir, version, 'metadata.json');
    // a fast-tier model's metrics are live scores of its held-out splits: they follow its calibration
    // (the accurate tier's stay those of its training run, computed from cached states)
    const metrics =
      tier === 'fast'
        ? {
            ...(metadata.metrics as Record<string, unknown> | undefined),
            ...Object.fromEntries(
              sets.filter((s) => s.name !== 'early-stopping').map((s) => {
                const after = (report[s.name] as { after: { ece: number; confusion: number[][] } }).after;
                return [s.name, { ...reportFromConfusion(after.confusion), ece: after.ece }];
              }),
            ),
          }
        : metadata.metrics;
    const updated = { ...metadata, calibration: { ...calibration, report }, metrics };
    fs.writeFileSync(file, JSON.stringify(updated, null, 2) + '\n');
    console.log(`wrote the calibration into ${file}`);
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
