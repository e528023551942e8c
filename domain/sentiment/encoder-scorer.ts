/**
 * The accurate tier: the MiniLM encoder (frozen, or with fine-tuned top layers) plus our heads. One encoder per process (its
 * weights are 90 MB); texts are scored shortest first in batches padded to their own longest
 * member. Also scores entities within a text (per-ticker sentiment) with the entity head.
 */
import path from 'node:path';
import { sha256File } from './data';
import { SentenceEncoder, defaultEncoderDir } from './encoder';
import { predictHead, uploadHead, type UploadedHead } from './encoder-head';
import { mergeLayerDelta } from './encoder-finetune';
import { readEncoderHeadModel, type EncoderHeadModel } from './encoder-model-store';
import { CLASS_COUNT } from './hashed-linear-model';
import { prepareForScoring } from './scoring-guards';
import { vectorise } from './text-features';
import { tfRuntime } from './tf-runtime';
import { labelFromIndex, type SentimentScore, type SentimentScorer } from './types';

const encoders = new Map<string, Promise<SentenceEncoder>>();

/** The process-wide encoder for a folder (loaded once, kept for the life of the process). */
export function sharedEncoder(dir = defaultEncoderDir(), maxLength = 256): Promise<SentenceEncoder> {
  const key = `${dir}#${maxLength}`;
  let encoder = encoders.get(key);
  if (!encoder) {
    encoder = tfRuntime().then(({ tf }) => SentenceEncoder.load(tf, { dir, maxLength }));
    encoder.catch(() => encoders.delete(key));
    encoders.set(key, encoder);
  }
  return encoder;
}

/**
 * The encoder with a model's fine-tuned top layers merged in (base + delta, once at load), one
 * per (folder, model version). The deltas only make sense on the base they were trained from,
 * so the base file's SHA-256 must match the one the artifact pins.
 */
export function fineTunedEncoder(
  dir: string,
  maxLength: number,
  version: string,
  pinnedSha256: string,
  layers: NonNullable<EncoderHeadModel['encoderLayers']>,
): Promise<SentenceEncoder> {
  const key = `${dir}#${maxLength}#${version}`;
  let encoder = encoders.get(key);
  if (!encoder) {
    encoder = tfRuntime().then(({ tf }) => {
      const actual = sha256File(path.join(dir, 'model.safetensors'));
      if (actual !== pinnedSha256) {
        throw new Error(`sentiment model ${version} was fine-tuned from an encoder with SHA-256 ${pinnedSha256}; ${dir}/model.safetensors has ${actual}`);
      }
      const loaded = SentenceEncoder.load(tf, { dir, maxLength });
      layers.deltas.forEach((delta, k) => loaded.setLayerWeights(layers.from + k, mergeLayerDelta(loaded.layerWeights(layers.from + k), delta)));
      return loaded;
    });
    encoder.catch(() => encoders.delete(key));
    encoders.set(key, encoder);
  }
  return encoder;
}

export interface EntityQuery {
  text: string;
  /** Character span of the entity (ticker, cashtag or company name) in text. */
  span: [number, number];
}

export interface AccurateScorer extends SentimentScorer {
  readonly tier: 'accurate';
  readonly hasEntityHead: boolean;
  /** Sentiment toward each entity in its text; null where the text is not scoreable. */
  scoreEntities(queries: EntityQuery[]): Promise<Array<SentimentScore | null>>;
}

function toScore(p: Float32Array, row: number, version: string, truncated: boolean): SentimentScore {
  const q = Array.from(p.subarray(row * CLASS_COUNT, (row + 1) * CLASS_COUNT));
  return {
    label: labelFromIndex(q.indexOf(Math.max(...q))),
    score: q[2] - q[0],
    probabilities: { negative: q[0], neutral: q[1], positive: q[2] },
    modelVersion: version,
    ...(truncated ? { truncated: true } : {}),
  };
}

export async function loadEncoderScorer(opts: { modelsDir: string; version: string; encoderDir?: string; batchSize?: number }): Promise<AccurateScorer> {
  const spec = readEncoderHeadModel(opts.modelsDir, opts.version);
  const { tf, backend } = await tfRuntime();
  const encoder = spec.encoderLayers
    ? await fineTunedEncoder(opts.encoderDir ?? defaultEncoderDir(), spec.encoder.maxLength, opts.version, spec.encoder.safetensorsSha256, spec.encoderLayers)
    : await sharedEncoder(opts.encoderDir, spec.encoder.maxLength);
  const sentence: UploadedHead = uploadHead(tf, spec.sentence);
  const entity: UploadedHead | undefined = spec.entity ? uploadHead(tf, spec.entity) : undefined;
  // Encoder batches of 8: a caller's batch of 32 headlines of mixed length, sorted and cut in
  // fours, wastes far less compute on padding than one batch padded to its longest headline.
  const batchSize = opts.batchSize ?? 8;
  const version = opts.version;
  let disposed = false;

  const scoreBatch = async (texts: string[]): Promise<SentimentScore[]> => {
    if (disposed) throw new Error(`sentiment model ${version} was disposed`);
    const results: SentimentScore[] = new Array(texts.length);
    const pending: Array<{ at: number; text: string; truncated: boolean; ids: number[] }> = [];
    texts.forEach((raw, at) => {
      const prepared = prepareForScoring(raw);
      if ('unscoredReason' in prepared) {
        results[at] = { label: null, score: null, probabilities: null, modelVersion: version, unscoredReason: prepared.unscoredReason };
      } else {
        const encoded = encoder.tokenizer.encode(prepared.text, encoder.maxLength);
        pending.push({ at, text: prepared.text, truncated: prepared.truncated || encoded.truncated, ids: encoded.ids });
      }
    });
    pending.sort((a, b) => a.ids.length - b.ids.length);
    for (let start = 0; start < pending.length; start += batchSize) {
      const chunk = pending.slice(start, start + batchSize);
      const pooled = encoder.embedIds(chunk.map((c) => c.ids));
      const dense = chunk.map((_, row) => pooled.subarray(row * encoder.dim, (row + 1) * encoder.dim));
      const ngram = spec.sentence.ngram;
      const sparse = ngram ? chunk.map((c) => vectorise(c.text, ngram.features, ngram.idf)) : undefined;
      const p = predictHead(tf, sentence, dense, sparse);
      chunk.forEach((c, row) => (results[c.at] = toScore(p, row, version, c.truncated)));
    }
    return results;
  };

  return {
    modelVersion: version,
    backend,
    tier: 'accurate',
    hasEntityHead: entity !== undefined,
    scoreBatch,
    async scoreEntities(queries: EntityQuery[]): Promise<Array<SentimentScore | null>> {
      if (!entity) throw new Error(`sentiment model ${version} has no entity head`);
      const out: Array<SentimentScore | null> = new Array(queries.length).fill(null);
      const pending = queries
        .map((q, at) => ({ at, q, prepared: prepareForScoring(q.text) }))
        .filter((p) => !('unscoredReason' in p.prepared))
        .map((p) => ({ ...p, ids: encoder.tokenizer.encode(p.q.text, encoder.maxLength).ids }));
      pending.sort((a, b) => a.ids.length - b.ids.length);
      for (let start = 0; start < pending.length; start += batchSize) {
        const chunk = pending.slice(start, start + batchSize);
        const spans = chunk.map((c) => [encoder.tokenSpan(c.q.text, c.q.span[0], c.q.span[1])]);
        const { pooled, spans: spanVectors } = encoder.embedIdsWithSpans(
          chunk.map((c) => c.ids),
          spans,
        );
        const dense = chunk.map((_, row) => {
          const v = new Float32Array(encoder.dim * 2);
          v.set(spanVectors[row][0], 0);
          v.set(pooled.subarray(row * encoder.dim, (row + 1) * encoder.dim), encoder.dim);
          return v;
        });
        const p = predictHead(tf, entity, dense);
        chunk.forEach((c, row) => (out[c.at] = toScore(p, row, version, false)));
      }
      return out;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      sentence.dispose();
      entity?.dispose();
    },
  };
}
