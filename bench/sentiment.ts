/**
 * `npm run bench -- sentiment [--models-dir D] [--version V]`: headlines/s of the shipped
 * model at batch 1, 32 and 256 (backend named) and of the lexicon fallback, plus the
 * model's recorded training time. Last line: `sentiment_headlines_per_s=<best batched rate>`.
 */
import path from 'node:path';
import { sharedDataPath } from '../config/paths';
import { readLabelledCsv } from '../domain/sentiment/data';
import { createLexiconScorer } from '../domain/sentiment/lexicon-scorer';
import { loadModelScorer } from '../domain/sentiment/model-scorer';
import { defaultModelsDir, readMetadata } from '../domain/sentiment/model-store';
import type { SentimentScorer } from '../domain/sentiment/types';

function flag(args: string[], name: string): string | undefined {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
}

/** Repeats the corpus until `count` texts so every batch size sees the same workload. */
function workload(corpus: readonly string[], count: number): string[] {
  return Array.from({ length: count }, (_, i) => corpus[i % corpus.length]);
}

async function headlinesPerSecond(scorer: SentimentScorer, texts: readonly string[], batchSize: number): Promise<number> {
  await scorer.scoreBatch(texts.slice(0, Math.min(batchSize, 64)));
  const started = process.hrtime.bigint();
  for (let start = 0; start < texts.length; start += batchSize) await scorer.scoreBatch(texts.slice(start, start + batchSize));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return texts.length / seconds;
}

export default async function benchSentiment(args: string[]): Promise<void> {
  const modelsDir = flag(args, 'models-dir') ?? defaultModelsDir();
  const corpusFile = flag(args, 'file') ?? path.join(process.env.TIDINGS_SENTIMENT_DATA_DIR ?? sharedDataPath('sentiment'), 'twitter-financial-news', 'valid.csv');
  const corpus = readLabelledCsv(corpusFile).map((r) => r.text);
  const model = await loadModelScorer({ modelsDir, version: flag(args, 'version') });
  const metadata = readMetadata(modelsDir, model.modelVersion);
  console.log(`model ${model.modelVersion} on the ${model.backend} backend; corpus ${corpus.length} headlines from ${path.basename(corpusFile)}`);
  console.log(`training time (from metadata): ${Number(metadata.trainingSeconds).toFixed(1)}s on ${String(metadata.backend)}`);

  const rates = new Map<number, number>();
  for (const [batchSize, count] of [[1, 3000], [32, 20000], [256, 40000]] as const) {
    const rate = await headlinesPerSecond(model, workload(corpus, count), batchSize);
    rates.set(batchSize, rate);
    console.log(`model   ${model.backend.padEnd(10)} batch ${String(batchSize).padStart(3)}: ${Math.round(rate)} headlines/s`);
  }
  model.dispose?.();

  const lexicon = createLexiconScorer();
  for (const batchSize of [1, 256]) {
    const rate = await headlinesPerSecond(lexicon, workload(corpus, 40000), batchSize);
    console.log(`lexicon ${lexicon.backend.padEnd(10)} batch ${String(batchSize).padStart(3)}: ${Math.round(rate)} headlines/s (${lexicon.modelVersion})`);
  }
  const best = Math.max(rates.get(32)!, rates.get(256)!);
  console.log(`sentiment_headlines_per_s=${Math.round(best)}`);
}
