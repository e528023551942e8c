import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cosine } from '../../../test/support/encoder-fixture';
import { defaultEncoderDir, SentenceEncoder } from './encoder';
import { loadSentenceEncoder } from './encoder-loader';
import { readEncoderHeadModel } from './encoder-model-store';
import { startEncoderPool } from './encoder-pool';
import { activeTierVersion, defaultModelsDir } from '../model-store';
import { tfRuntime } from '../../runtime/tf-runtime';

// The active accurate model carries fine-tuned encoder layers (deltas from the pinned base).
describe('loading the encoder a fine-tuned model needs', () => {
  jest.setTimeout(300_000);
  const modelsDir = defaultModelsDir();
  const version = activeTierVersion(modelsDir, 'accurate')!;

  test('merges the model\'s layer deltas into the base, and leaves the other layers alone', async () => {
    const spec = readEncoderHeadModel(modelsDir, version);
    expect(spec.encoderLayers).toBeDefined();
    const { from, deltas } = spec.encoderLayers!;
    const { tf } = await tfRuntime();
    const base = SentenceEncoder.load(tf);
    const tuned = loadSentenceEncoder(tf, { dir: defaultEncoderDir(), maxLength: 256, fineTuned: { modelsDir, version } });
    try {
      const b = base.layerWeights(from).ffnInKernel;
      const t = tuned.layerWeights(from).ffnInKernel;
      const d = deltas[0].ffnInKernel;
      for (const i of [0, 1, 777, b.length - 1]) expect(t[i]).toBeCloseTo(b[i] + d[i], 5);
      if (from > 0) expect(Array.from(tuned.layerWeights(from - 1).qkvBias)).toEqual(Array.from(base.layerWeights(from - 1).qkvBias));
      expect(deltas.some((delta) => delta.ffnInKernel.some((v) => v !== 0))).toBe(true);
    } finally {
      base.dispose();
      tuned.dispose();
    }
  });

  test('refuses a base encoder other than the one the deltas were trained from', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-encoder-'));
    try {
      for (const f of ['tokenizer.json', 'config.json']) fs.symlinkSync(path.join(defaultEncoderDir(), f), path.join(dir, f));
      fs.writeFileSync(path.join(dir, 'model.safetensors'), 'not the pinned weights');
      const { tf } = await tfRuntime();
      expect(() => loadSentenceEncoder(tf, { dir, maxLength: 256, fineTuned: { modelsDir, version } })).toThrow(/fine-tuned from an encoder with SHA-256 [0-9a-f]{64}/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the pool\'s worker threads run the same fine-tuned encoder as the calling thread', async () => {
    const fineTuned = { modelsDir, version };
    const threads = await startEncoderPool({ workers: 2, fineTuned });
    const inline = await startEncoderPool({ workers: 0, fineTuned });
    try {
      const rows = ['Oil slides as OPEC+ weighs output hikes', 'Shares of $AAPL rise after earnings beat', 'Fed holds rates'].map((t) => inline.tokenizer.encode(t).ids);
      const a = await threads.embed(rows);
      const b = await inline.embed(rows);
      for (let r = 0; r < rows.length; r++) {
        expect(cosine(a.pooled.subarray(r * threads.dim, (r + 1) * threads.dim), b.pooled.subarray(r * inline.dim, (r + 1) * inline.dim))).toBeGreaterThan(0.99999);
      }
    } finally {
      await threads.close();
      await inline.close();
    }
  });
});
