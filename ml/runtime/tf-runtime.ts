/**
 * Picks the TensorFlow.js build to run the model on: the native tfjs-node binding when it is
 * installed (optional dependency; `npm install` builds it against libtensorflow from PyPI, see
 * scripts/install/tf-native.js), otherwise tfjs with the WebAssembly backend.
 * The ML configuration's disableNativeTf (TIDINGS_TF_DISABLE_NATIVE=1) forces wasm. The pure-JS
 * 'cpu' backend is refused: it is orders of magnitude slower, and the caller would rather
 * fall back to the lexicon than stall a scoring workflow.
 */
import path from 'node:path';
import { mlConfig } from '../settings';
import { processThreadIds } from './thread-priority';

export type Tf = typeof import('@tensorflow/tfjs');

export interface TfRuntime {
  tf: Tf;
  backend: string;
}

let runtimePromise: Promise<TfRuntime> | undefined;

// libtensorflow's start-up INFO lines are kept out of the logs by TF_CPP_MIN_LOG_LEVEL, which
// config/ml.ts (and jest.config.js for tests) default in the real environment before this loads.
let nativeThreads: readonly number[] = [];

function loadNativeTf(): Tf | undefined {
  const before = new Set(processThreadIds());
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tf = require('@tensorflow/tfjs-node') as Tf;
    // libtensorflow starts its thread pools as it loads: the threads every op of the process,
    // from any JS thread, runs on (one pool per process, whichever thread loaded it first).
    nativeThreads = processThreadIds().filter((t) => !before.has(t));
    return tf;
  } catch {
    return undefined;
  }
}

/**
 * The threads native TensorFlow started when this thread loaded it (empty on wasm, before
 * tfRuntime(), or when another thread loaded it first: then they are that thread's children).
 */
export function nativeTfThreads(): readonly number[] {
  return nativeThreads;
}

/** Folder holding the .wasm binaries; a file path so Node loads them from disk, never the network. */
export function wasmBinariesDir(): string {
  return path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
}

async function initialise(): Promise<TfRuntime> {
  const native = mlConfig().disableNativeTf ? undefined : loadNativeTf();
  if (native) {
    await native.ready();
    if (native.getBackend() === 'tensorflow') return { tf: native, backend: 'tensorflow' };
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tf = require('@tensorflow/tfjs') as Tf;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  wasm.setWasmPaths(wasmBinariesDir());
  let ok: boolean;
  try {
    ok = await tf.setBackend('wasm');
  } catch (err) {
    throw new Error(`sentiment model: the wasm backend failed to start (${(err as Error).message}); refusing the slow cpu backend`, { cause: err });
  }
  await tf.ready();
  if (!ok || tf.getBackend() !== 'wasm') {
    throw new Error(`sentiment model: no fast TensorFlow.js backend (got "${tf.getBackend()}"); refusing the slow cpu backend`);
  }
  return { tf, backend: 'wasm' };
}

/** One shared runtime per process: tfjs backends are process-global state. */
export function tfRuntime(): Promise<TfRuntime> {
  runtimePromise ??= initialise().catch((err) => {
    runtimePromise = undefined;
    throw err;
  });
  return runtimePromise;
}
