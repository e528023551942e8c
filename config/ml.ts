/**
 * Where the models are and how they run, read from the environment once (loadConfig and the
 * ML command-line tools call this) and passed to ml/ through configureMl: nothing under ml/
 * reads the environment itself.
 */
import { niceValueFromEnv } from './nice-value';

export interface MlConfig {
  /** TIDINGS_SENTIMENT_MODELS_DIR: the versioned sentiment models; unset = models/sentiment. */
  sentimentModelsDir: string | undefined;
  /** TIDINGS_ENCODER_DIR: the pretrained encoder files; unset = models/encoder/<encoder name>. */
  encoderDir: string | undefined;
  /**
   * TIDINGS_ENCODER_WORKERS: the encoder pool's threads (0 = the calling thread); unset = one
   * per core on wasm and 1 on native TensorFlow (ml/serving/accurate/encoder-pool.ts says why).
   */
  encoderWorkers: number | undefined;
  /**
   * TIDINGS_ENCODER_NICE (0-19, default 10): the CPU priority of the encoder pool's threads and of
   * native TensorFlow's compute threads, so the accurate tier's re-scoring, which is always
   * behind a busy stream, yields the cores to the fast tier, signals and webhooks. 0 = as the
   * process. Not applied when the encoder runs on the calling thread (TIDINGS_ENCODER_WORKERS=0).
   */
  encoderNice: number;
  /** TIDINGS_TF_DISABLE_NATIVE=1: run TensorFlow.js on wasm although native TensorFlow is installed. */
  disableNativeTf: boolean;
}

export class MlConfigError extends Error {}

function encoderWorkers(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 64) throw new MlConfigError(`TIDINGS_ENCODER_WORKERS must be an integer from 0 to 64, got "${raw}"`);
  return n;
}

export function loadMlConfig(env: NodeJS.ProcessEnv = process.env): MlConfig {
  // libtensorflow (native tfjs-node) reads this from the real environment when it loads and has
  // no other switch: keep its start-up INFO lines (oneDNN, CPU features) out of the logs.
  env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  return {
    sentimentModelsDir: env.TIDINGS_SENTIMENT_MODELS_DIR || undefined,
    encoderDir: env.TIDINGS_ENCODER_DIR || undefined,
    encoderWorkers: encoderWorkers(env.TIDINGS_ENCODER_WORKERS),
    encoderNice: niceValueFromEnv(env, 'TIDINGS_ENCODER_NICE', 10, MlConfigError),
    disableNativeTf: env.TIDINGS_TF_DISABLE_NATIVE === '1',
  };
}
