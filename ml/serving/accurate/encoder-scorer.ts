/**
 * The accurate tier: the MiniLM encoder (frozen, or with our fine-tuned top layers merged in)
 * plus our heads. The encoder runs in a pool of worker threads (encoder-pool.ts: one per core on
 * wasm, one on native TensorFlow), shared by every scorer of the process and
 * closed when the last is disposed. Texts go to the pool packed without padding; it cuts them
 * across the workers. Also scores entities within a text (per-ticker sentiment) with the
 * entity head.
 */
import { defaultEncoderDir } from './encoder-checkpoint';
import { tokenSpanOf } from './encoder';
import { predictHead, uploadHead, type UploadedHead } from './encoder-head';
import { readEncoderHeadModel } from './encoder-model-store';
import { type EmotionBranchSource, type FineTunedSource } from './encoder-loader';
import { startEncoderPool, type EncoderPool } from './encoder-pool';
import { CLASS_COUNT } from '../fast/hashed-linear-model';
import { prepareForScoring } from '../../../domain/sentiment/scoring-guards';
import { vectorise } from '../fast/text-features';
import { tfRuntime } from '../../runtime/tf-runtime';
import { labelIndex, SENTIMENT_LABELS, type SentimentScore, type SentimentScorer } from '../../../domain/sentiment/types';
import { calibratedScore, IDENTITY_CALIBRATION, type Calibration } from '../calibration';
import { occlusionExplanation, occlusionVariants } from './occlusion';
import { uploadEmotionHead, EMOTION_CLASS_COUNT, type UploadedEmotionHead } from '../../emotions/emotion-head';
import { activeEmotionVersion, readEmotionModel } from '../../emotions/emotion-model-store';
import { emotionSparse } from '../../emotions/emotion-text';
import { emotionScoreFrom, type EmotionScore } from '../../../domain/emotions/labels';

const pools = new Map<string, { pool: Promise<EncoderPool>; users: number }>();

/** The process-wide encoder pool for a folder; each acquire needs one release. */
function acquireEncoderPool(dir = defaultEncoderDir(), maxLength = 256, fineTuned?: FineTunedSource, emotionBranch?: EmotionBranchSource): { pool: Promise<EncoderPool>; release: () => Promise<void> } {
  // a model with fine-tuned layers has an encoder of its own, and so has one carrying an emotion branch
  const key = `${dir}#${maxLength}#${fineTuned ? `${fineTuned.modelsDir}#${fineTuned.version}` : 'base'}#${emotionBranch ? `${emotionBranch.emotionsDir}#${emotionBranch.version}` : 'no-branch'}`;
  let entry = pools.get(key);
  if (!entry) {
    const pool = startEncoderPool({ dir, maxLength, fineTuned, ...(emotionBranch ? { emotionBranch } : {}) });
    const created = { pool, users: 0 };
    pool.catch(() => pools.get(key) === created && pools.delete(key));
    pools.set(key, created);
    entry = created;
  }
  const held = entry;
  held.users++;
  let released = false;
  return {
    pool: held.pool,
    async release() {
      if (released) return;
      released = true;
      if (--held.users > 0) return;
      if (pools.get(key) === held) pools.delete(key);
      await (await held.pool.catch(() => undefined))?.close();
    },
  };
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
  /** The emotion head's version when one reading this encoder is loaded. */
  readonly emotionVersion?: string;
  /**
   * Sentiment and emotions from one encoder forward pass: the emotion head reads the pooled
   * state the sentence head reads, or (an emotion model of kind 'branch') the pooled output of
   * its own top layers run on the shared lower layers' states; an emotion is null where the
   * text is not scoreable.
   */
  scoreWithEmotions(texts: string[]): Promise<{ sentiment: SentimentScore[]; emotions: Array<EmotionScore | null> }>;
}

/**
 * The emotion head to load beside an accurate version: the requested one, else the active one
 * of `emotionsDir`, and only when it was trained on this version's encoder (a head reads the
 * pooled state of one encoder; another's vectors would mean something else).
 */
function emotionModelFor(emotionsDir: string | undefined, accurateVersion: string, requested?: string) {
  if (!emotionsDir) return undefined;
  const version = requested ?? activeEmotionVersion(emotionsDir);
  if (!version) return undefined;
  const model = readEmotionModel(emotionsDir, version);
  if (model.encoderVersion !== accurateVersion) {
    if (requested) throw new Error(`emotion model ${version} reads the encoder of ${model.encoderVersion}, not ${accurateVersion}`);
    return undefined;
  }
  return model;
}

/**
 * `calibration` (ml/serving/calibration.ts) applies to the sentence head; the entity head's
 * probabilities are not calibrated yet (it has no held-out split of its own to fit one on).
 */
export async function loadEncoderScorer(opts: { modelsDir: string; version: string; encoderDir?: string; calibration?: Calibration; explain?: boolean; emotionsDir?: string; emotionVersion?: string }): Promise<AccurateScorer> {
  const calibration = opts.calibration ?? IDENTITY_CALIBRATION;
  const spec = readEncoderHeadModel(opts.modelsDir, opts.version);
  const emotionModel = emotionModelFor(opts.emotionsDir, opts.version, opts.emotionVersion);
  const { tf } = await tfRuntime();
  const fineTuned = spec.encoderLayers ? { modelsDir: opts.modelsDir, version: opts.version } : undefined;
  // a branch head's layers live in the encoder threads, beside the layers they branch from
  const emotionBranch = emotionModel?.branch && opts.emotionsDir ? { emotionsDir: opts.emotionsDir, version: emotionModel.version } : undefined;
  const held = acquireEncoderPool(opts.encoderDir, spec.encoder.maxLength, fineTuned, emotionBranch);
  let encoder: EncoderPool;
  try {
    encoder = await held.pool;
  } catch (err) {
    await held.release();
    throw err;
  }
  const sentence: UploadedHead = uploadHead(tf, spec.sentence);
  const entity: UploadedHead | undefined = spec.entity ? uploadHead(tf, spec.entity) : undefined;
  const emotion: UploadedEmotionHead | undefined = emotionModel ? uploadEmotionHead(tf, emotionModel.head) : undefined;
  const version = opts.version;
  let disposed = false;
  const rowOf = (pooled: Float32Array, row: number) => pooled.subarray(row * encoder.dim, (row + 1) * encoder.dim);

  const score = async (texts: string[], withEmotions: boolean): Promise<{ sentiment: SentimentScore[]; emotions: Array<EmotionScore | null> }> => {
    if (disposed) throw new Error(`sentiment model ${version} was disposed`);
    const results: SentimentScore[] = new Array(texts.length);
    const emotions: Array<EmotionScore | null> = new Array(texts.length).fill(null);
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
    if (pending.length === 0) return { sentiment: results, emotions };
    // shortest first, so each worker's chunk holds texts of similar length
    pending.sort((a, b) => a.ids.length - b.ids.length);
    const withBranch = withEmotions && emotionBranch !== undefined;
    const { pooled, branchPooled } = await encoder.embed(
      pending.map((c) => c.ids),
      [],
      { branch: withBranch },
    );
    const ngram = spec.sentence.ngram;
    const sparse = ngram ? pending.map((c) => vectorise(c.text, ngram.features, ngram.idf)) : undefined;
    const p = predictHead(
      tf,
      sentence,
      pending.map((_, row) => rowOf(pooled, row)),
      sparse,
    );
    pending.forEach((c, row) => (results[c.at] = calibratedScore(p.subarray(row * CLASS_COUNT, (row + 1) * CLASS_COUNT), calibration, version, c.truncated)));
    if (withEmotions && emotion && emotionModel) {
      const emotionNgram = emotion.ngram;
      const q = emotion.predict(
        pending.map((_, row) => rowOf(withBranch ? branchPooled! : pooled, row)),
        emotionNgram ? pending.map((c) => emotionSparse(c.text, emotionNgram.features, emotionNgram.idf)) : undefined,
      );
      pending.forEach((c, row) => (emotions[c.at] = emotionScoreFrom(q.subarray(row * EMOTION_CLASS_COUNT, (row + 1) * EMOTION_CLASS_COUNT), emotionModel.version)));
    }
    return { sentiment: results, emotions };
  };
  const scoreBatch = async (texts: string[]): Promise<SentimentScore[]> => (await score(texts, false)).sentiment;

  /** Occlusion (occlusion.ts): every text again without each of its words, in one batch. */
  const explainScores = async (texts: string[], results: SentimentScore[]): Promise<void> => {
    const jobs = texts.map((text, i) => ({ i, label: results[i].label, variants: results[i].label ? occlusionVariants(text) : [] }));
    const without = await scoreBatch(jobs.flatMap((j) => j.variants.map((v) => v.without)));
    let at = 0;
    for (const job of jobs) {
      if (!job.label) continue;
      const key = SENTIMENT_LABELS[labelIndex(job.label)];
      const probabilities = job.variants.map((_, n) => without[at + n].probabilities?.[key] ?? results[job.i].probabilities![key]);
      at += job.variants.length;
      results[job.i].explanation = occlusionExplanation(
        job.variants.map((v) => v.word),
        results[job.i].probabilities![key],
        probabilities,
      );
    }
  };

  return {
    modelVersion: version,
    backend: encoder.backend,
    tier: 'accurate',
    hasEntityHead: entity !== undefined,
    async scoreBatch(texts: string[]): Promise<SentimentScore[]> {
      const results = await scoreBatch(texts);
      if (opts.explain) await explainScores(texts, results);
      return results;
    },
    ...(emotionModel ? { emotionVersion: emotionModel.version } : {}),
    async scoreWithEmotions(texts: string[]) {
      const scored = await score(texts, true);
      if (opts.explain) await explainScores(texts, scored.sentiment);
      return scored;
    },
    async scoreEntities(queries: EntityQuery[]): Promise<Array<SentimentScore | null>> {
      if (!entity) throw new Error(`sentiment model ${version} has no entity head`);
      if (disposed) throw new Error(`sentiment model ${version} was disposed`);
      const out: Array<SentimentScore | null> = new Array(queries.length).fill(null);
      const pending = queries
        .map((q, at) => ({ at, q, prepared: prepareForScoring(q.text) }))
        .filter((p) => !('unscoredReason' in p.prepared))
        .map((p) => ({ ...p, ids: encoder.tokenizer.encode(p.q.text, encoder.maxLength).ids }));
      if (pending.length === 0) return out;
      pending.sort((a, b) => a.ids.length - b.ids.length);
      const spans = pending.map((c) => [tokenSpanOf(encoder.tokenizer, encoder.maxLength, c.q.text, c.q.span[0], c.q.span[1])]);
      const { pooled, spans: spanVectors } = await encoder.embed(
        pending.map((c) => c.ids),
        spans,
      );
      const dense = pending.map((_, row) => {
        const v = new Float32Array(encoder.dim * 2);
        v.set(spanVectors[row][0], 0);
        v.set(rowOf(pooled, row), encoder.dim);
        return v;
      });
      const p = predictHead(tf, entity, dense);
      pending.forEach((c, row) => (out[c.at] = calibratedScore(p.subarray(row * CLASS_COUNT, (row + 1) * CLASS_COUNT), IDENTITY_CALIBRATION, version)));
      return out;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      sentence.dispose();
      entity?.dispose();
      emotion?.dispose();
      void held.release();
    },
  };
}
