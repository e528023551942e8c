import { SentenceEncoder } from './encoder';
import { cosine, readEncoderReference } from '../../../test/support/encoder-fixture';
import { tfRuntime } from '../../runtime/tf-runtime';

// The encoder needs the pretrained weights that the install step puts in
// models/encoder/all-MiniLM-L6-v2 (or TIDINGS_ENCODER_DIR). The reference embeddings were
// computed by an independent numpy BERT (scripts/encoder_reference.py), stored as float16.
describe('sentence encoder (all-MiniLM-L6-v2 on the TensorFlow.js backend tfRuntime picks)', () => {
  jest.setTimeout(900_000);

  test('embeds 1,000 real headlines with cosine >= 0.999 to the reference, every one', async () => {
    const reference = readEncoderReference();
    const { tf } = await tfRuntime();
    const encoder = SentenceEncoder.load(tf, { maxLength: reference.maxLength });
    try {
      const texts = reference.texts.slice(0, reference.embeddingCount);
      expect(texts).toHaveLength(1000);
      const { pooled, dim } = encoder.embed(texts, 32);
      expect(dim).toBe(reference.dim);
      const cosines = texts.map((_, i) => cosine(pooled.subarray(i * dim, (i + 1) * dim), reference.embeddings.subarray(i * dim, (i + 1) * dim)));
      const worst = Math.min(...cosines);
      expect(worst).toBeGreaterThanOrEqual(0.999);
      // unit length, as sentence-transformers' Normalize module leaves them
      for (let i = 0; i < 5; i++) expect(Math.hypot(...pooled.subarray(i * dim, (i + 1) * dim))).toBeCloseTo(1, 4);
    } finally {
      encoder.dispose();
    }
  });

  test('padding does not change an embedding: a text alone and in a mixed-length batch agree', async () => {
    const { tf } = await tfRuntime();
    const encoder = SentenceEncoder.load(tf);
    try {
      const short = 'Shares of $AAPL rise after earnings beat';
      const alone = encoder.embed([short]).pooled;
      const batched = encoder.embedIds(encoder.tokenize([short, 'A much longer headline about quarterly results, guidance cuts and the outlook for the rest of the fiscal year']));
      expect(cosine(alone, batched.subarray(0, encoder.dim))).toBeGreaterThan(0.99999);
    } finally {
      encoder.dispose();
    }
  });

  test('the packed JS-kernel forward (wasm inference) equals the padded tfjs-op forward on every real token', async () => {
    const { tf } = await tfRuntime();
    const encoder = SentenceEncoder.load(tf);
    try {
      const rows = encoder.tokenize(['Shares of $AAPL rise', 'Oil slides as OPEC+ weighs output hikes; energy stocks follow crude lower', 'Fed holds']);
      const { ids, mask, length } = encoder.pad(rows);
      const padded = encoder.hiddenStates(ids, mask, rows.length, length);
      const reference = padded.dataSync() as Float32Array;
      padded.dispose();
      const packed = encoder.packedTokenStates(rows);
      expect(Array.from(packed.lengths)).toEqual(rows.map((r) => r.length));
      let worst = 1;
      rows.forEach((r, t) => {
        for (let i = 0; i < r.length; i++) {
          const a = packed.states.subarray((packed.starts[t] + i) * encoder.dim, (packed.starts[t] + i + 1) * encoder.dim);
          const b = reference.subarray((t * length + i) * encoder.dim, (t * length + i + 1) * encoder.dim);
          worst = Math.min(worst, cosine(a, b));
        }
      });
      expect(worst).toBeGreaterThan(0.99999);
      // and the forward inference picks on this backend gives the same states
      const chosen = encoder.tokenStates(rows);
      expect(Array.from(chosen.starts)).toEqual(Array.from(packed.starts));
      rows.forEach((r, t) => {
        const a = chosen.states.subarray(chosen.starts[t] * encoder.dim, (chosen.starts[t] + r.length) * encoder.dim);
        const b = packed.states.subarray(packed.starts[t] * encoder.dim, (packed.starts[t] + r.length) * encoder.dim);
        expect(cosine(a, b)).toBeGreaterThan(0.99999);
      });
    } finally {
      encoder.dispose();
    }
  });

  describe('a branch of its own top layers (the emotion branch)', () => {
    const texts = ['Shares of $AAPL rise', 'Oil slides as OPEC+ weighs output hikes; energy stocks follow crude lower', 'Fed holds', '$TSLA to the moon 🚀🚀'];
    const pooledRows = (v: Float32Array, dim: number) => Array.from({ length: v.length / dim }, (_, r) => v.subarray(r * dim, (r + 1) * dim));

    test('a branch holding copies of the top layers gives the sentence vector itself, on both forwards; shapes follow the rows', async () => {
      const { tf } = await tfRuntime();
      const encoder = SentenceEncoder.load(tf);
      try {
        const rows = encoder.tokenize(texts);
        encoder.setBranch(4, [encoder.layerWeights(4), encoder.layerWeights(5)]);
        expect(encoder.branchFrom).toBe(4);
        const plain = encoder.embedIdsWithSpans(rows, []);
        expect(plain.branchPooled).toBeUndefined(); // not asked for: no branch work
        const both = encoder.embedIdsWithSpans(rows, [], { branch: true });
        expect(both.branchPooled).toHaveLength(rows.length * encoder.dim);
        expect(Array.from(both.pooled)).toEqual(Array.from(plain.pooled)); // the shared path is unchanged
        pooledRows(both.branchPooled!, encoder.dim).forEach((v, r) => expect(cosine(v, plain.pooled.subarray(r * encoder.dim, (r + 1) * encoder.dim))).toBeGreaterThan(0.99999));
        const packed = encoder.packedTokenStates(rows, true);
        expect(packed.branchStates).toHaveLength(packed.states.length);
        expect(cosine(packed.branchStates!, packed.states)).toBeGreaterThan(0.99999);
        expect(encoder.embedIdsWithSpans([], [], { branch: true }).branchPooled).toHaveLength(0);
      } finally {
        encoder.dispose();
      }
    });

    test('different branch layers change only the branch vector; the shared layers run once for both', async () => {
      const { tf } = await tfRuntime();
      const encoder = SentenceEncoder.load(tf);
      try {
        const rows = encoder.tokenize(texts);
        const plain = encoder.embedIdsWithSpans(rows, []).pooled;
        // the branch's layer 5 is a copy of layer 4 (different weights, same shapes)
        encoder.setBranch(5, [encoder.layerWeights(4)]);
        const spyPacked = jest.spyOn(encoder as unknown as { packedLayer: () => unknown }, 'packedLayer');
        const packed = encoder.packedTokenStates(rows, true);
        expect(spyPacked).toHaveBeenCalledTimes(encoder.layerCount + 1); // 6 shared + 1 branch layer, not 6 + 6
        spyPacked.mockRestore();
        const spyShared = jest.spyOn(encoder, 'runLayers');
        const both = encoder.embedIdsWithSpans(rows, [], { branch: true });
        if (tf.getBackend() !== 'wasm') {
          // the padded forward: per length bucket, layers [0, 5) once, then [5, 6) for the top and the branch's own layer
          const ranges = spyShared.mock.calls.map((c) => [c[4], c[5]]);
          const buckets = ranges.filter(([a]) => a === 0).length;
          expect(buckets).toBeGreaterThan(0);
          expect(ranges).toEqual(Array.from({ length: buckets }, () => [[0, 5], [5, 6]]).flat());
        }
        spyShared.mockRestore();
        expect(Array.from(both.pooled)).toEqual(Array.from(plain));
        const sameAsMain = pooledRows(both.branchPooled!, encoder.dim).map((v, r) => cosine(v, plain.subarray(r * encoder.dim, (r + 1) * encoder.dim)));
        expect(Math.max(...sameAsMain)).toBeLessThan(0.999);
        // the packed forward agrees with the padded one on the branch too
        const first = packed.branchStates!.subarray(0, packed.lengths[0] * encoder.dim);
        const one = encoder.pad([rows[0]]);
        const shared = encoder.hiddenStates(one.ids, one.mask, 1, one.length, 5);
        const reference = encoder.runLayers(shared, one.mask, 1, one.length, 4, 5); // layer 4's weights: the branch's copy
        expect(cosine(first, reference.dataSync() as Float32Array)).toBeGreaterThan(0.9999);
        shared.dispose();
        reference.dispose();
      } finally {
        encoder.dispose();
      }
    });

    test('refuses a branch that does not end at the top layer, and a forward asking for a branch it lacks', async () => {
      const { tf } = await tfRuntime();
      const encoder = SentenceEncoder.load(tf);
      try {
        expect(() => encoder.setBranch(3, [encoder.layerWeights(3)])).toThrow(/must end at the top layer/);
        expect(() => encoder.embedIdsWithSpans(encoder.tokenize(['Fed holds']), [], { branch: true })).toThrow(/no branch layers/);
      } finally {
        encoder.dispose();
      }
    });
  });
});
