/**
 * `npm run bench -- emotions [texts=640] [batch=32] [rounds=3]`: what the emotion head adds to
 * the accurate tier. The same StockTwits messages are scored by the active accurate tier with
 * sentiment only (`scoreBatch`) and with sentiment + emotions from the same forward pass
 * (`scoreWithEmotions`), in alternating rounds so both see the same machine load. Last line:
 * `emotions_texts_per_s=… sentiment_only_texts_per_s=… ratio=…`.
 */
import path from 'node:path';
import { loadMlConfig } from '../config/ml';
import { sharedDataPath } from '../config/paths';
import { activeTierVersion, configureMl, defaultModelsDir, emotionsDirBeside, loadEncoderScorer, readEmotionCsv } from '../ml';

export default async function emotionsBench(args: string[]): Promise<void> {
  configureMl(loadMlConfig()); // the models and backend the environment names (config/ml.ts)
  const [count = 640, batch = 32, rounds = 3] = args.map(Number);
  const modelsDir = defaultModelsDir();
  const accurate = activeTierVersion(modelsDir, 'accurate');
  if (!accurate) throw new Error(`no active accurate model in ${modelsDir}`);
  const scorer = await loadEncoderScorer({ modelsDir, version: accurate, emotionsDir: emotionsDirBeside(modelsDir) });
  if (!scorer.emotionVersion) throw new Error(`no emotion head for ${accurate} in ${emotionsDirBeside(modelsDir)}`);
  const texts = readEmotionCsv(path.join(sharedDataPath('emotions'), 'emtract', 'train.csv'))
    .slice(0, count)
    .map((r) => r.text);
  const time = async (f: (chunk: string[]) => Promise<unknown>): Promise<number> => {
    const started = process.hrtime.bigint();
    for (let s = 0; s < texts.length; s += batch) await f(texts.slice(s, s + batch));
    return Number(process.hrtime.bigint() - started) / 1e9;
  };
  await scorer.scoreWithEmotions(texts.slice(0, batch)); // warm-up: the worker thread and both heads
  let plain = 0;
  let withEmotions = 0;
  for (let r = 0; r < rounds; r++) {
    plain += await time((c) => scorer.scoreBatch(c));
    withEmotions += await time((c) => scorer.scoreWithEmotions(c));
  }
  scorer.dispose?.();
  const n = texts.length * rounds;
  const load = (await import('node:os')).loadavg()[0];
  console.log(`accurate ${accurate} + emotion head ${scorer.emotionVersion} on ${scorer.backend}; ${texts.length} StockTwits messages x ${rounds} rounds at batch ${batch}; load ${load.toFixed(1)}`);
  console.log(`emotions_texts_per_s=${(n / withEmotions).toFixed(1)} sentiment_only_texts_per_s=${(n / plain).toFixed(1)} ratio=${(plain / withEmotions).toFixed(3)}`);
}
