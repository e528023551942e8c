/**
 * The configuration ml/ runs with (config/ml.ts reads it from the environment). The
 * composition roots (the worker and API processes, the ML command-line tools and benchmarks)
 * call configureMl once at start; until then ml/ uses the defaults: the committed model and
 * encoder folders, native TensorFlow when it loads. Encoder worker threads get a copy in
 * their workerData (a thread's modules start afresh).
 */
import type { MlConfig } from '../config/ml';

export type { MlConfig };

export const DEFAULT_ML_CONFIG: Readonly<MlConfig> = { sentimentModelsDir: undefined, encoderDir: undefined, encoderWorkers: undefined, encoderNice: 10, disableNativeTf: false };

let current: Readonly<MlConfig> = DEFAULT_ML_CONFIG;

export function configureMl(config: MlConfig): void {
  current = { ...config };
}

export function mlConfig(): Readonly<MlConfig> {
  return current;
}
