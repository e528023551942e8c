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
});
