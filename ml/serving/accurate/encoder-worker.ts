/**
 * One thread of the encoder pool (encoder-pool.ts): loads the sentence encoder on its own
 * TensorFlow.js backend once, then answers embed requests. Posts `{ type: 'ready', dim }`
 * or `{ type: 'failed', message }` after loading.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { SentenceEncoder } from './encoder';
import { loadSentenceEncoder, type EmotionBranchSource, type FineTunedSource } from './encoder-loader';
import { tfRuntime } from '../../runtime/tf-runtime';
import { currentThreadId, lowerThreadPriority } from '../../runtime/thread-priority';
import { configureMl, type MlConfig } from '../../settings';

export interface EncoderWorkerData {
  /** The parent's ML configuration (the TensorFlow backend choice): this thread's modules start afresh. */
  ml: MlConfig;
  dir: string;
  maxLength: number;
  fineTuned?: FineTunedSource;
  /** An emotion model whose own top layers this thread's encoder carries. */
  emotionBranch?: EmotionBranchSource;
}

export interface EmbedRequest {
  id: number;
  rowsIds: number[][];
  spans: Array<Array<[number, number]>>;
  /** Also the emotion branch's pooled state (from the same shared lower layers). */
  branch?: boolean;
}

export type EncoderWorkerMessage =
  | { type: 'ready'; dim: number; maxLength: number; backend: string }
  | { type: 'failed'; message: string }
  | { type: 'embedded'; id: number; pooled: Float32Array; spans: Float32Array[][]; branchPooled?: Float32Array }
  | { type: 'error'; id: number; message: string };

async function serve(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('encoder-worker runs only as a worker thread');
  const { ml, dir, maxLength, fineTuned, emotionBranch } = workerData as EncoderWorkerData;
  configureMl(ml);
  // Before TensorFlow loads here, so the threads it starts from this thread inherit the value.
  const self = currentThreadId();
  if (self !== undefined) lowerThreadPriority(ml.encoderNice, [self]);
  let encoder: SentenceEncoder;
  let backend: string;
  try {
    const runtime = await tfRuntime();
    backend = runtime.backend;
    encoder = loadSentenceEncoder(runtime.tf, { dir, maxLength, fineTuned, emotionBranch });
  } catch (err) {
    port.postMessage({ type: 'failed', message: (err as Error).message } satisfies EncoderWorkerMessage);
    return;
  }
  port.on('message', (request: EmbedRequest) => {
    let reply: EncoderWorkerMessage;
    try {
      const { pooled, spans, branchPooled } = encoder.embedIdsWithSpans(request.rowsIds, request.spans, { branch: request.branch });
      reply = { type: 'embedded', id: request.id, pooled, spans, ...(branchPooled ? { branchPooled } : {}) };
    } catch (err) {
      reply = { type: 'error', id: request.id, message: (err as Error).message };
    }
    port.postMessage(reply);
  });
  port.postMessage({ type: 'ready', dim: encoder.dim, maxLength: encoder.maxLength, backend } satisfies EncoderWorkerMessage);
}

void serve();
