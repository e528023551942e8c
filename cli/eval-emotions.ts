/**
 * `npm run eval:emotions -- --file <csv with text,label> [--version emotion-version] [--errors N]`:
 * scores each text with the accurate tier and its emotion head (one forward pass), prints the
 * per-class report and the confusion matrix; the last line is `accuracy=<a> macro_f1=<f>`.
 * Labels: neutral, happy (or joy), sad (or sadness), anger, disgust, surprise, fear. A text the
 * scorer refuses (no Latin letters) counts as predicted neutral, so every row is in the figures.
 */
import { loadMlConfig } from '../config/ml';
import { evaluateEmotions, formatEmotionReport } from '../domain/emotions/metrics';
import type { EmotionLabel } from '../domain/emotions/labels';
import { activeTierVersion, configureMl, defaultModelsDir, emotionsDirBeside, loadEncoderScorer, readEmotionCsv } from '../ml';
import { parseFlags } from './flags';

async function main(): Promise<void> {
  configureMl(loadMlConfig()); // the models and backend the environment names (config/ml.ts)
  const flags = parseFlags(process.argv.slice(2));
  const file = flags.get('file');
  if (!file || file === 'true') throw new Error('usage: npm run eval:emotions -- --file <csv with text,label> [--version emotion-version] [--errors N]');
  const rows = readEmotionCsv(file);
  const modelsDir = flags.get('models-dir') ?? defaultModelsDir();
  const accurate = flags.get('accurate-version') ?? activeTierVersion(modelsDir, 'accurate');
  if (!accurate) throw new Error(`no active accurate sentiment model in ${modelsDir}`);
  const scorer = await loadEncoderScorer({ modelsDir, version: accurate, emotionsDir: flags.get('emotions-dir') ?? emotionsDirBeside(modelsDir), emotionVersion: flags.get('version') });
  try {
    if (!scorer.emotionVersion) throw new Error(`no emotion model for ${accurate} in ${emotionsDirBeside(modelsDir)} (run npm run train:emotions -- --activate)`);
    console.log(`scoring ${rows.length} texts from ${file} with emotion head ${scorer.emotionVersion} on ${accurate} (${scorer.backend})`);
    const predicted: EmotionLabel[] = [];
    let unscored = 0;
    for (let s = 0; s < rows.length; s += 256) {
      const { emotions } = await scorer.scoreWithEmotions(rows.slice(s, s + 256).map((r) => r.text));
      for (const e of emotions) {
        if (!e) unscored++;
        predicted.push(e?.label ?? 'neutral');
      }
    }
    const report = evaluateEmotions(
      rows.map((r) => r.label),
      predicted,
    );
    console.log(formatEmotionReport(file, report));
    if (unscored) console.log(`${unscored} texts were not scoreable (counted as predicted neutral)`);
    const errors = Number(flags.get('errors') ?? 0);
    const wrong = rows.map((r, i) => ({ r, p: predicted[i] })).filter((x) => x.p !== x.r.label);
    for (const { r, p } of wrong.slice(0, errors)) console.log(`  ${r.label} -> ${p}: ${r.text}`);
    console.log(`accuracy=${report.accuracy.toFixed(4)} macro_f1=${report.macroF1.toFixed(4)}`);
  } finally {
    scorer.dispose?.();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
