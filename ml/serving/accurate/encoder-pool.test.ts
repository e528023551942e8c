import fs from 'node:fs';
import os from 'node:os';
import { SentenceEncoder } from './encoder';
import { chunkByTokens, encoderPoolSize, startEncoderPool } from './encoder-pool';
import { cosine } from '../../../test/support/encoder-fixture';
import { nativeTfThreads, tfRuntime } from '../../runtime/tf-runtime';
import { loadMlConfig } from '../../../config/ml';

describe('encoder pool sizing and chunking', () => {
  test('size: TIDINGS_ENCODER_WORKERS, else the available parallelism; bad values are refused', () => {
    const size = (env: NodeJS.ProcessEnv, backend?: string) => encoderPoolSize(loadMlConfig(env).encoderWorkers, backend);
    expect(size({})).toBe(os.availableParallelism());
    // native TensorFlow runs each op on every core: one thread, just to keep the caller's event loop free
    expect(size({}, 'tensorflow')).toBe(1);
    expect(size({ TIDINGS_ENCODER_WORKERS: '0' }, 'tensorflow')).toBe(0);
    expect(size({ TIDINGS_ENCODER_WORKERS: '0' })).toBe(0);
    expect(size({ TIDINGS_ENCODER_WORKERS: '3' })).toBe(3);
    expect(() => size({ TIDINGS_ENCODER_WORKERS: 'two' })).toThrow(/TIDINGS_ENCODER_WORKERS/);
    expect(() => size({ TIDINGS_ENCODER_WORKERS: '-1' })).toThrow(/TIDINGS_ENCODER_WORKERS/);
  });

  test('chunks are consecutive, cover every row once, balance the tokens across the workers and keep near the cap', () => {
    const lengths = [10, 10, 12, 12, 14, 20, 30, 40];
    const two = chunkByTokens(lengths, 2, 1000);
    expect(two).toEqual([
      [0, 6],
      [6, 8],
    ]);
    const capped = chunkByTokens(lengths, 2, 25);
    // six chunks of ~25 tokens wanted; the 30- and 40-token rows take one chunk each
    expect(capped).toEqual([
      [0, 2],
      [2, 4],
      [4, 6],
      [6, 7],
      [7, 8],
    ]);
    expect(capped[0][0]).toBe(0);
    expect(capped[capped.length - 1][1]).toBe(lengths.length);
    capped.forEach(([s, e], k) => {
      expect(e).toBeGreaterThan(s);
      if (k > 0) expect(s).toBe(capped[k - 1][1]);
    });
    expect(chunkByTokens([5], 4, 100)).toEqual([[0, 1]]);
    expect(chunkByTokens([], 2, 100)).toEqual([]);
  });
});

// Needs the pretrained weights the install step fetches (as encoder.test.ts does).
describe('encoder pool on worker threads', () => {
  jest.setTimeout(300_000);

  test('two workers give the embeddings of the encoder on this thread, spans included, in input order', async () => {
    const texts = ['Fed holds rates', 'Shares of $AAPL rise after earnings beat', 'Oil slides as OPEC+ weighs output hikes; energy stocks follow crude lower', 'TSLA'];
    const { tf } = await tfRuntime();
    const local = SentenceEncoder.load(tf);
    const pool = await startEncoderPool({ workers: 2 });
    try {
      expect(pool.workers).toBe(2);
      const rows = local.tokenize(texts);
      const spans = rows.map((r) => [[1, Math.min(3, r.length)] as [number, number]]);
      const expected = local.embedIdsWithSpans(rows, spans);
      const got = await pool.embed(rows, spans);
      expect(got.pooled).toHaveLength(texts.length * pool.dim);
      texts.forEach((_, i) => {
        expect(cosine(got.pooled.subarray(i * pool.dim, (i + 1) * pool.dim), expected.pooled.subarray(i * local.dim, (i + 1) * local.dim))).toBeGreaterThan(0.99999);
        expect(cosine(got.spans[i][0], expected.spans[i][0])).toBeGreaterThan(0.99999);
      });
      // calls in flight at once share the workers
      const [a, b] = await Promise.all([pool.embed(rows.slice(0, 2)), pool.embed(rows.slice(2))]);
      expect(cosine(a.pooled.subarray(0, pool.dim), got.pooled.subarray(0, pool.dim))).toBeGreaterThan(0.99999);
      expect(cosine(b.pooled.subarray(pool.dim), got.pooled.subarray(3 * pool.dim))).toBeGreaterThan(0.99999);
    } finally {
      local.dispose();
      await pool.close();
    }
    await expect(pool.embed([[101, 102]])).rejects.toThrow(/closed/);
  });

  test('a folder without the weights is a clear error, before any thread starts', async () => {
    await expect(startEncoderPool({ dir: '/nonexistent/encoder', workers: 2 })).rejects.toThrow(/model\.safetensors.*missing.*TIDINGS_ENCODER_DIR/s);
  });

  test('the encoder thread and the compute threads it runs on yield the CPU (TIDINGS_ENCODER_NICE, default 10)', async () => {
    const niceOf = () => new Map(fs.readdirSync('/proc/self/task').map((t) => [Number(t), os.getPriority(Number(t))]));
    const before = niceOf();
    const pool = await startEncoderPool({ workers: 1, maxLength: 16 });
    try {
      const after = niceOf();
      const started = [...after].filter(([t]) => !before.has(t));
      // The encoder thread (and the V8 threads it brings) at 10; this thread as it was.
      expect(started.some(([, nice]) => nice === 10)).toBe(true);
      expect(after.get(process.pid)).toBe(before.get(process.pid));
      // Native TensorFlow's threads, when this process's first load of it happened on this thread.
      for (const t of nativeTfThreads()) if (after.has(t)) expect(after.get(t)).toBeGreaterThanOrEqual(10);
    } finally {
      await pool.close();
    }
  });

  test('an error inside a worker reaches the caller', async () => {
    const pool = await startEncoderPool({ workers: 1, maxLength: 16 });
    try {
      await expect(pool.embed([Array.from({ length: 40 }, () => 1000)])).rejects.toThrow(/exceed the window of 16/);
      // the worker survives a bad request
      expect((await pool.embed([[101, 2000, 102]])).pooled).toHaveLength(pool.dim);
    } finally {
      await pool.close();
    }
  });
});
