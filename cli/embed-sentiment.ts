/**
 * `npm run cli -- embed-sentiment` (or `node dist/cli/embed-sentiment.js`): fills the on-disk
 * embedding cache (.cache/encoder) for every text and SEntFiN entity span that training and
 * evaluation of the accurate tier use. Resumable: an interrupted run keeps what it stored.
 */
import path from 'node:path';
import { repoRoot, sharedDataPath } from '../config/paths';
import { loadMlConfig } from '../config/ml';
import { configureMl, defaultEncoderDir, EmbeddingCache, type EmbedItem, ENCODER_NAME, ensureEmbeddings, readLabelledCsv, readSentfinEntities, SentenceEncoder, tfRuntime } from '../ml';

export function embeddingCacheDir(): string {
  return process.env.TIDINGS_EMBEDDING_CACHE_DIR ?? path.join(repoRoot(), '.cache', 'encoder');
}

export function openEmbeddingCache(encoder: SentenceEncoder): EmbeddingCache {
  return new EmbeddingCache(embeddingCacheDir(), `${ENCODER_NAME}-L${encoder.maxLength}`, encoder.dim);
}

async function main(): Promise<void> {
  configureMl(loadMlConfig()); // the models and backend the environment names (config/ml.ts)
  const dataDir = process.env.TIDINGS_SENTIMENT_DATA_DIR ?? sharedDataPath('sentiment');
  const { tf } = await tfRuntime();
  const encoder = SentenceEncoder.load(tf, { dir: defaultEncoderDir() });
  const cache = openEmbeddingCache(encoder);
  const items: EmbedItem[] = [];
  for (const h of readSentfinEntities(path.join(dataDir, 'sentfin', 'SEntFiN.csv'))) {
    items.push({ text: h.text, spans: h.entities.flatMap((e) => (e.span ? [e.span] : [])) });
  }
  for (const f of ['valid.csv', 'train.csv']) for (const r of readLabelledCsv(path.join(dataDir, 'twitter-financial-news', f))) items.push({ text: r.text });
  const started = Date.now();
  ensureEmbeddings(encoder, ENCODER_NAME, cache, items, {
    onProgress: (done, total) => {
      if (done % 640 === 0 || done === total) console.log(`${done}/${total} texts embedded (${((done / (Date.now() - started)) * 1000).toFixed(1)}/s)`);
    },
  });
  console.log(`cache holds ${cache.size} vectors; ${((Date.now() - started) / 1000).toFixed(0)}s`);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
