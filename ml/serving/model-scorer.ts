/** Scores texts with a shipped model artifact on a fast TensorFlow.js backend. */
import path from 'node:path';
import { CLASS_COUNT, predictTexts, uploadModel } from './fast/hashed-linear-model';
import { loadEncoderScorer } from './accurate/encoder-scorer';
import { ENCODER_HEAD_FORMAT, modelFormat } from './accurate/encoder-model-store';
import { activeTierVersion, defaultModelsDir, readMetadata, readModel, type ModelTier } from './model-store';
import { calibratedScore, calibrationOf, IDENTITY_CALIBRATION, type Calibration } from './calibration';
import { prepareForScoring } from '../../domain/sentiment/scoring-guards';
import { tfRuntime } from '../runtime/tf-runtime';
import { labelIndex, type SentimentScore, type SentimentScorer } from '../../domain/sentiment/types';
import { explainFast } from './fast/explain';

/** Bounds the tensors built per call so one huge batch cannot exhaust wasm memory. */
const MAX_TENSOR_BATCH = 256;

export interface LoadModelOptions {
  version?: string;
  modelsDir?: string;
  /** Without a version: the active model of this tier (default fast). */
  tier?: ModelTier;
  /** The model's raw probabilities and argmax label, without its calibration (for fitting one). */
  uncalibrated?: boolean;
  /**
   * Attach each score's explanation (the phrases that pushed it to its label): exact n-gram
   * shares for the fast tier, occlusion for the accurate one (one extra encoder pass per word).
   */
  explain?: boolean;
  /** Emotion heads loaded beside the accurate tier; default models/emotions beside modelsDir. */
  emotionsDir?: string;
}

/** The calibration a scorer applies: the model's (metadata `calibration`) unless asked for raw output. */
export function scoringCalibration(modelsDir: string, version: string, uncalibrated = false): Calibration {
  return uncalibrated ? IDENTITY_CALIBRATION : calibrationOf(readMetadata(modelsDir, version));
}

/** Where emotion heads live: models/emotions beside the sentiment models folder. */
export function emotionsDirBeside(modelsDir: string): string {
  return path.join(path.dirname(modelsDir), 'emotions');
}

/** The tier a shipped model serves, read from its artifact's format (not from its name). */
export function tierOfModel(version: string, modelsDir = defaultModelsDir()): ModelTier {
  return modelFormat(modelsDir, version) === ENCODER_HEAD_FORMAT ? 'accurate' : 'fast';
}

export async function loadModelScorer(opts: LoadModelOptions = {}): Promise<SentimentScorer> {
  const modelsDir = opts.modelsDir ?? defaultModelsDir();
  const tier = opts.tier ?? 'fast';
  const version = opts.version ?? activeTierVersion(modelsDir, tier);
  if (!version) throw new Error(`no active ${tier} sentiment model in ${modelsDir} (run npm run train:sentiment${tier === 'accurate' ? ' -- --tier accurate' : ''})`);
  let format: string;
  try {
    format = modelFormat(modelsDir, version);
  } catch (err) {
    throw new Error(`cannot read sentiment model ${version} from ${modelsDir}: ${(err as Error).message}`, { cause: err });
  }
  const calibration = scoringCalibration(modelsDir, version, opts.uncalibrated);
  if (format === ENCODER_HEAD_FORMAT) return loadEncoderScorer({ modelsDir, version, calibration, explain: opts.explain, emotionsDir: opts.emotionsDir ?? emotionsDirBeside(modelsDir) });
  let spec;
  try {
    spec = readModel(modelsDir, version);
  } catch (err) {
    throw new Error(`cannot read sentiment model ${version} from ${modelsDir}: ${(err as Error).message}`, { cause: err });
  }
  const { tf, backend } = await tfRuntime();
  const model = uploadModel(tf, spec);
  let disposed = false;

  return {
    modelVersion: version,
    backend,
    tier: 'fast',
    async scoreBatch(texts: string[]): Promise<SentimentScore[]> {
      if (disposed) throw new Error(`sentiment model ${version} was disposed`);
      const results: SentimentScore[] = new Array(texts.length);
      const pending: Array<{ at: number; text: string; truncated: boolean }> = [];
      texts.forEach((raw, at) => {
        const prepared = prepareForScoring(raw);
        if ('unscoredReason' in prepared) {
          results[at] = { label: null, score: null, probabilities: null, modelVersion: version, unscoredReason: prepared.unscoredReason };
        } else {
          pending.push({ at, ...prepared });
        }
      });
      for (let start = 0; start < pending.length; start += MAX_TENSOR_BATCH) {
        const chunk = pending.slice(start, start + MAX_TENSOR_BATCH);
        const probabilities = predictTexts(tf, model, chunk.map((p) => p.text));
        chunk.forEach((item, row) => {
          const scored = calibratedScore(probabilities.subarray(row * CLASS_COUNT, (row + 1) * CLASS_COUNT), calibration, version, item.truncated);
          if (opts.explain && scored.label) scored.explanation = explainFast(item.text, spec, labelIndex(scored.label), calibration.temperature);
          results[item.at] = scored;
        });
      }
      return results;
    },
    dispose() {
      if (!disposed) model.dispose();
      disposed = true;
    },
  };
}
