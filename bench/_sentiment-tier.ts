/**
 * One tier of the sentiment benchmark in its own process (so its peak RSS is its own):
 * `node dist/bench/_sentiment-tier.js <fast|accurate> <corpus csv> [models dir] [version] [batch sizes, e.g. 32]`.
 * Prints one JSON line: rates per batch size, peak RSS, model version and backend.
 */
import { createLexiconScorer, type SentimentScorer } from '../domain/sentiment';
import { loadMlConfig } from '../config/ml';
import { configureMl, encoderPoolSize, mlConfig, loadModelScorer, readLabelledCsv } from '../ml';

/** Repeats the corpus until `count` texts so every batch size sees the same workload. */
function workload(corpus: readonly string[], count: number): string[] {
  return Array.from({ length: count }, (_, i) => corpus[i % corpus.length]);
}

const cpuRates: Record<string, number> = {};

/** Wall-clock headlines/s; also records headlines per CPU-second of the whole process, worker threads included (independent of other load on the machine). */
async function headlinesPerSecond(scorer: SentimentScorer, texts: readonly string[], batchSize: number): Promise<number> {
  await scorer.scoreBatch(texts.slice(0, Math.min(batchSize, 64)));
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  for (let start = 0; start < texts.length; start += batchSize) await scorer.scoreBatch(texts.slice(start, start + batchSize));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const used = process.cpuUsage(cpu);
  cpuRates[batchSize] = texts.length / ((used.user + used.system) / 1e6);
  return texts.length / seconds;
}

async function main(): Promise<void> {
  configureMl(loadMlConfig()); // the models and backend the environment names (config/ml.ts)
  const [tier, corpusFile, modelsDir, version, only] = process.argv.slice(2);
  const corpus = readLabelledCsv(corpusFile).map((r) => r.text);
  const loadStarted = process.hrtime.bigint();
  const scorer = await loadModelScorer({ modelsDir: modelsDir || undefined, version: version || undefined, tier: tier === 'accurate' ? 'accurate' : 'fast' });
  const loadSeconds = Number(process.hrtime.bigint() - loadStarted) / 1e9;
  const rates: Record<string, number> = {};
  // The accurate tier is ~100x slower: fewer texts (distinct ones, in corpus order), same batch sizes.
  const plan: Array<[number, number]> = tier === 'accurate' ? [[1, 64], [32, 960], [256, 1024]] : [[1, 3000], [32, 20000], [256, 40000]];
  const wanted = only ? new Set(only.split(',').map(Number)) : undefined;
  for (const [batchSize, count] of plan.filter(([b]) => !wanted || wanted.has(b))) rates[batchSize] = await headlinesPerSecond(scorer, workload(corpus, count), batchSize);
  const perCpuSecond = { ...cpuRates };
  scorer.dispose?.();
  let lexicon: Record<string, number> | undefined;
  if (tier === 'fast') {
    const lex = createLexiconScorer();
    lexicon = {};
    for (const batchSize of [1, 256]) lexicon[batchSize] = await headlinesPerSecond(lex, workload(corpus, 40000), batchSize);
  }
  const peakRssMb = process.resourceUsage().maxRSS / 1024;
  const load = (await import('node:os')).loadavg()[0];
  const workers = tier === 'accurate' ? encoderPoolSize(mlConfig().encoderWorkers, scorer.backend) : 0;
  console.log(JSON.stringify({ tier, version: scorer.modelVersion, backend: scorer.backend, rates, perCpuSecond, lexicon, peakRssMb, load, loadSeconds, workers }));
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
