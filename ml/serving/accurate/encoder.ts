/**
 * The pretrained sentence encoder (sentence-transformers/all-MiniLM-L6-v2: a 6-layer,
 * 384-wide BERT) run as TensorFlow.js ops: embeddings, post-LN transformer layers with exact
 * (erf) GELU, mean pooling over real tokens and L2 normalisation, as sentence-transformers does.
 *
 * Two forwards compute the same thing:
 * - `hiddenStates`: padded batches as tfjs ops (differentiable; the reference);
 * - `tokenStates`, which inference uses: texts packed back to back. On wasm that is
 *   `packedTokenStates`: no padding, the matrix products (Q/K/V fused in one) on the tfjs
 *   backend, and layer norm, GELU and per-text attention as plain loops (encoder-kernels.ts),
 *   because at headline lengths the wasm backend spends as long on those small ops as on the
 *   products. On native TensorFlow it is the padded op forward, which is faster there.
 */
import type { Tensor, Tensor1D, Tensor2D } from '@tensorflow/tfjs';
import { addLayerNorm, geluInPlace, packedAttention } from './encoder-kernels';
import { attentionMaskBias, bertLayer, ENCODER_LAYER_PARAMS, layerNorm, type EncoderLayerWeights, type Layer } from './bert-layer';
import { lengthBuckets } from './length-buckets';
import { defaultEncoderDir, readEncoderCheckpoint, type BertConfig } from './encoder-checkpoint';
import type { Tf } from '../../runtime/tf-runtime';
import { WordPieceTokenizer } from './wordpiece';


/** A padded forward's fixed cost (op dispatch) in tokens' worth of work, for lengthBuckets. */
const PADDED_FORWARD_OVERHEAD_TOKENS = 48;

/** The per-feature vectors the packed forward reads on the JS side (copied once from the tensors). */
interface HostVectors {
  positions: Float32Array;
  tokenType0: Float32Array;
  embGamma: Float32Array;
  embBeta: Float32Array;
  layers: Array<{ ln1Gamma: Float32Array; ln1Beta: Float32Array; ln2Gamma: Float32Array; ln2Beta: Float32Array }>;
}

/** Last-layer token states of packed texts: text t owns rows [starts[t], starts[t] + lengths[t]). */
export interface PackedTokenStates {
  states: Float32Array;
  starts: Int32Array;
  lengths: Int32Array;
  dim: number;
  /** With the branch asked for: the branch's last-layer states of the same rows. */
  branchStates?: Float32Array;
}

/**
 * A second stack of top layers (the emotion branch, ml/emotions/emotion-branch.ts) forking
 * from the shared layers' output at `from`: the layers below run once for both.
 */
interface Branch {
  from: number;
  layers: Layer[];
  norms?: HostVectors['layers'];
}


export interface EncoderOptions {
  dir?: string;
  /** Tokens per text including [CLS]/[SEP]; sentence-transformers uses 256 for this model. */
  maxLength?: number;
}

export interface EncodedBatch {
  /** [rows, hidden] L2-normalised mean-pooled embeddings, row-major, in input order. */
  pooled: Float32Array;
  rows: number;
  dim: number;
}

/** Token span [start, end) (in encode() ids, [CLS] = 0) of the characters [charStart, charEnd) of text. */
export function tokenSpanOf(tokenizer: WordPieceTokenizer, maxLength: number, text: string, charStart: number, charEnd: number): [number, number] {
  const before = tokenizer.encode(text.slice(0, charStart), maxLength).ids.length - 2;
  const through = tokenizer.encode(text.slice(0, charEnd), maxLength).ids.length - 2;
  return [1 + before, 1 + through];
}

export class SentenceEncoder {
  readonly dim: number;
  readonly maxLength: number;
  readonly heads: number;
  readonly eps: number;
  private disposed = false;
  private host: HostVectors | undefined;

  private constructor(
    private readonly tf: Tf,
    readonly tokenizer: WordPieceTokenizer,
    private readonly config: BertConfig,
    private readonly wordEmbeddings: Tensor2D,
    private readonly positionEmbeddings: Tensor2D,
    private readonly tokenType0: Tensor1D,
    private readonly embGamma: Tensor1D,
    private readonly embBeta: Tensor1D,
    private readonly layers: Layer[],
    maxLength: number,
  ) {
    this.dim = config.hidden_size;
    this.heads = config.num_attention_heads;
    this.eps = config.layer_norm_eps;
    this.maxLength = Math.min(maxLength, config.max_position_embeddings);
  }

  private branch: Branch | undefined;

  static load(tf: Tf, opts: EncoderOptions = {}): SentenceEncoder {
    const c = readEncoderCheckpoint(tf, opts.dir ?? defaultEncoderDir());
    return new SentenceEncoder(tf, c.tokenizer, c.config, c.wordEmbeddings, c.positionEmbeddings, c.tokenType0, c.embGamma, c.embBeta, c.layers, opts.maxLength ?? 256);
  }

  /**
   * Hidden states of the last layer for one padded batch: [rows * length, hidden].
   * `ids` are rows of equal length (padded with the pad id), `mask` 1 for real tokens.
   * `throughLayer` < layer count stops early (the input of that layer).
   */
  hiddenStates(ids: Int32Array, mask: Float32Array, rows: number, length: number, throughLayer = this.layers.length): Tensor2D {
    const tf = this.tf;
    return tf.tidy(() => this.runLayers(this.embeddingStates(ids, rows, length), mask, rows, length, 0, throughLayer));
  }

  /** The embedding layer's output (input of layer 0) for one padded batch: [rows * length, hidden]. */
  embeddingStates(ids: Int32Array, rows: number, length: number): Tensor2D {
    const tf = this.tf;
    const H = this.dim;
    return tf.tidy(() => {
      const words = tf.gather(this.wordEmbeddings, tf.tensor1d(ids, 'int32'));
      const positions = tf.tile(tf.slice(this.positionEmbeddings, [0, 0], [length, H]), [rows, 1]);
      return layerNorm(tf, tf.add(tf.add(words, positions), this.tokenType0), this.embGamma, this.embBeta, this.eps) as Tensor2D;
    });
  }

  /**
   * Read lazily, at the first packed forward, so that whoever adjusts the weight tensors
   * after load (fine-tuned deltas) is seen by both forwards.
   */
  private hostVectors(): HostVectors {
    const read = (t: Tensor) => t.dataSync() as Float32Array;
    this.host ??= {
      positions: read(this.positionEmbeddings),
      tokenType0: read(this.tokenType0),
      embGamma: read(this.embGamma),
      embBeta: read(this.embBeta),
      layers: this.layers.map((l) => ({ ln1Gamma: read(l.ln1Gamma), ln1Beta: read(l.ln1Beta), ln2Gamma: read(l.ln2Gamma), ln2Beta: read(l.ln2Beta) })),
    };
    return this.host;
  }

  /** x [rows, in] · kernel [in, out] + bias on the tfjs backend. */
  private dense(x: Float32Array, kernel: Tensor2D, bias: Tensor1D): Float32Array {
    const tf = this.tf;
    const [inner] = kernel.shape;
    const a = tf.tensor2d(x, [x.length / inner, inner]);
    const y = tf.fused.matMul({ a, b: kernel, bias });
    const out = y.dataSync() as Float32Array;
    a.dispose();
    y.dispose();
    return out;
  }

  /**
   * Last-layer hidden states of token-id rows, packed: text t owns rows [starts[t], starts[t] +
   * lengths[t]) (the inference forward). On wasm the packed JS-kernel forward; on native
   * TensorFlow, which runs small ops fast and on every core, the padded op forward (measured:
   * ~100 vs ~58 headlines per CPU-second at batch 32).
   */
  tokenStates(rowsIds: readonly number[][], withBranch = false): PackedTokenStates {
    return this.tf.getBackend() === 'wasm' ? this.packedTokenStates(rowsIds, withBranch) : this.paddedTokenStates(rowsIds, withBranch);
  }

  /** Where each text starts among the packed rows; refuses texts longer than the window. */
  private packing(rowsIds: readonly number[][]): { starts: Int32Array; lengths: Int32Array; tokens: number } {
    if (this.disposed) throw new Error('sentence encoder was disposed');
    const lengths = Int32Array.from(rowsIds, (r) => r.length);
    const starts = new Int32Array(rowsIds.length);
    let tokens = 0;
    rowsIds.forEach((r, t) => {
      if (r.length > this.maxLength) throw new Error(`sentence encoder: ${r.length} tokens exceed the window of ${this.maxLength}`);
      starts[t] = tokens;
      tokens += r.length;
    });
    return { starts, lengths, tokens };
  }

  /**
   * The packed forward without padding: the matrix products on the tfjs backend, layer norm,
   * GELU and per-text attention as JS loops (encoder-kernels.ts). Same result as
   * `hiddenStates` on the real tokens.
   */
  packedTokenStates(rowsIds: readonly number[][], withBranch = false): PackedTokenStates {
    const { starts, lengths, tokens } = this.packing(rowsIds);
    const tf = this.tf;
    const H = this.dim;
    const host = this.hostVectors();
    const ids = new Int32Array(tokens);
    rowsIds.forEach((r, t) => ids.set(r, starts[t]));
    const gathered = tf.tidy(() => tf.gather(this.wordEmbeddings, tf.tensor1d(ids, 'int32')));
    let x = gathered.dataSync() as Float32Array;
    gathered.dispose();
    rowsIds.forEach((r, t) => {
      for (let i = 0; i < r.length; i++) {
        const base = (starts[t] + i) * H;
        for (let h = 0; h < H; h++) x[base + h] += host.positions[i * H + h] + host.tokenType0[h];
      }
    });
    x = addLayerNorm(x, null, host.embGamma, host.embBeta, this.eps, x);
    const branch = withBranch ? this.requireBranch() : undefined;
    let shared: Float32Array | undefined;
    this.layers.forEach((layer, l) => {
      if (branch && l === branch.from) shared = x.slice(); // the layers below are the branch's too
      x = this.packedLayer(x, layer, host.layers[l], starts, lengths);
    });
    if (!branch) return { states: x, starts, lengths, dim: H };
    branch.norms ??= this.hostNorms(branch.layers);
    let y = shared ?? x.slice();
    branch.layers.forEach((layer, k) => (y = this.packedLayer(y, layer, branch.norms![k], starts, lengths)));
    return { states: x, starts, lengths, dim: H, branchStates: y };
  }

  /** One layer of the packed forward, in place on x. */
  private packedLayer(x: Float32Array, layer: Layer, norms: HostVectors['layers'][number], starts: Int32Array, lengths: Int32Array): Float32Array {
    const context = packedAttention(this.dense(x, layer.qkvKernel, layer.qkvBias), starts, lengths, this.dim, this.heads);
    x = addLayerNorm(x, this.dense(context, layer.outKernel, layer.outBias), norms.ln1Gamma, norms.ln1Beta, this.eps, x);
    const inner = geluInPlace(this.dense(x, layer.ffnInKernel, layer.ffnInBias));
    return addLayerNorm(x, this.dense(inner, layer.ffnOutKernel, layer.ffnOutBias), norms.ln2Gamma, norms.ln2Beta, this.eps, x);
  }

  private hostNorms(layers: readonly Layer[]): HostVectors['layers'] {
    const read = (t: Tensor) => t.dataSync() as Float32Array;
    return layers.map((l) => ({ ln1Gamma: read(l.ln1Gamma), ln1Beta: read(l.ln1Beta), ln2Gamma: read(l.ln2Gamma), ln2Beta: read(l.ln2Beta) }));
  }

  private requireBranch(): Branch {
    if (!this.branch) throw new Error('sentence encoder: no branch layers are loaded');
    return this.branch;
  }

  /**
   * Gives the encoder a branch: its own layers [from, from + weights.length) (shapes of
   * layerWeights), run on the shared layers' output at `from` when a forward asks for it.
   */
  setBranch(from: number, weights: readonly EncoderLayerWeights[]): void {
    if (from < 0 || from + weights.length !== this.layers.length) throw new Error(`sentence encoder: a branch of ${weights.length} layers from ${from} must end at the top layer (${this.layers.length})`);
    this.disposeBranch();
    const layers = weights.map((w, k) => {
      const shapes = this.layers[from + k];
      return Object.fromEntries(
        ENCODER_LAYER_PARAMS.map((name) => {
          if (w[name].length !== shapes[name].size) throw new Error(`sentence encoder: branch layer ${from + k} ${name} has ${w[name].length} values, expected ${shapes[name].size}`);
          return [name, this.tf.tensor(w[name], shapes[name].shape)];
        }),
      ) as unknown as Layer;
    });
    this.branch = { from, layers };
  }

  /** The first layer of the branch, when one is loaded. */
  get branchFrom(): number | undefined {
    return this.branch?.from;
  }

  private disposeBranch(): void {
    for (const layer of this.branch?.layers ?? []) Object.values(layer).forEach((t: Tensor) => t.dispose());
    this.branch = undefined;
  }

  /**
   * Runs layers [from, to) on hidden states x ([rows * length, hidden]); fine-tuning caches
   * the frozen lower layers' output once and trains only the top ones.
   */
  runLayers(x: Tensor2D, mask: Float32Array, rows: number, length: number, from: number, to: number): Tensor2D {
    const tf = this.tf;
    return tf.tidy(() => {
      const maskBias = attentionMaskBias(tf, mask, rows, length);
      let h = x;
      for (let l = from; l < to; l++) h = bertLayer(tf, h, this.layers[l], maskBias, rows, length, this.heads, this.eps);
      return h;
    });
  }

  get layerCount(): number {
    return this.layers.length;
  }

  /** A copy of layer l's weights as flat arrays (kernels [in, out], Q/K/V fused). */
  layerWeights(l: number): EncoderLayerWeights {
    const layer = this.layers[l];
    return Object.fromEntries(ENCODER_LAYER_PARAMS.map((name) => [name, layer[name].dataSync().slice() as Float32Array])) as EncoderLayerWeights;
  }

  /** Replaces layer l's weights (fine-tuned ones); shapes are those of layerWeights(l). */
  setLayerWeights(l: number, weights: EncoderLayerWeights): void {
    const layer = this.layers[l];
    for (const name of ENCODER_LAYER_PARAMS) {
      const old = layer[name];
      if (weights[name].length !== old.size) throw new Error(`sentence encoder: layer ${l} ${name} has ${weights[name].length} values, expected ${old.size}`);
      (layer as unknown as Record<string, Tensor>)[name] = this.tf.tensor(weights[name], old.shape);
      old.dispose();
    }
    this.host = undefined; // the packed forward's copies of the layer norms are stale now
  }

  /**
   * `tokenStates` through the padded op forward: the real tokens of `hiddenStates`, packed; the
   * texts go in batches of similar length, so little of the work is padding.
   */
  private paddedTokenStates(rowsIds: readonly number[][], withBranch = false): PackedTokenStates {
    const { starts, lengths, tokens } = this.packing(rowsIds);
    const H = this.dim;
    const states = new Float32Array(tokens * H);
    const branch = withBranch ? this.requireBranch() : undefined;
    const branchStates = branch ? new Float32Array(tokens * H) : undefined;
    const unpad = (out: Float32Array, hidden: Tensor2D, bucket: number[], length: number) => {
      const padded = hidden.dataSync() as Float32Array;
      hidden.dispose();
      bucket.forEach((t, row) => out.set(padded.subarray(row * length * H, (row * length + lengths[t]) * H), starts[t] * H));
    };
    for (const bucket of lengthBuckets(Array.from(lengths), PADDED_FORWARD_OVERHEAD_TOKENS)) {
      const { ids, mask, rows, length } = this.pad(bucket.map((t) => rowsIds[t]));
      if (!branch || !branchStates) {
        unpad(states, this.hiddenStates(ids, mask, rows, length), bucket, length);
        continue;
      }
      const [top, own] = this.tf.tidy(() => {
        const shared = this.hiddenStates(ids, mask, rows, length, branch.from);
        return [this.runLayers(shared, mask, rows, length, branch.from, this.layers.length), this.runOwnLayers(shared, mask, rows, length, branch.layers)];
      });
      unpad(states, top, bucket, length);
      unpad(branchStates, own, bucket, length);
    }
    return { states, starts, lengths, dim: H, ...(branchStates ? { branchStates } : {}) };
  }

  private runOwnLayers(x: Tensor2D, mask: Float32Array, rows: number, length: number, layers: readonly Layer[]): Tensor2D {
    const tf = this.tf;
    return tf.tidy(() => {
      const maskBias = attentionMaskBias(tf, mask, rows, length);
      let h = x;
      for (const layer of layers) h = bertLayer(tf, h, layer, maskBias, rows, length, this.heads, this.eps);
      return h;
    });
  }

  /** Pads token-id rows to their longest member. */
  pad(rowsIds: readonly number[][]): { ids: Int32Array; mask: Float32Array; rows: number; length: number } {
    const rows = rowsIds.length;
    const length = Math.max(...rowsIds.map((r) => r.length));
    const ids = new Int32Array(rows * length).fill(this.tokenizer.padId);
    const mask = new Float32Array(rows * length);
    rowsIds.forEach((r, i) => {
      ids.set(r, i * length);
      mask.fill(1, i * length, i * length + r.length);
    });
    return { ids, mask, rows, length };
  }

  /** Mean-pooled, L2-normalised embeddings of token-id rows (one forward pass). */
  embedIds(rowsIds: readonly number[][]): Float32Array {
    return this.embedIdsWithSpans(rowsIds, []).pooled;
  }

  /**
   * Sentence embeddings plus, per requested token span [start, end) of a row, the
   * L2-normalised mean of the last hidden states over that span (an entity's contextual
   * embedding). Spans are clamped to the row's real tokens; an empty span falls back to the
   * whole sentence.
   */
  embedIdsWithSpans(
    rowsIds: readonly number[][],
    spans: ReadonlyArray<ReadonlyArray<[number, number]>>,
    opts: { branch?: boolean } = {},
  ): { pooled: Float32Array; spans: Float32Array[][]; branchPooled?: Float32Array } {
    if (this.disposed) throw new Error('sentence encoder was disposed');
    const rows = rowsIds.length;
    const H = this.dim;
    if (rows === 0) return { pooled: new Float32Array(0), spans: [], ...(opts.branch ? { branchPooled: new Float32Array(0) } : {}) };
    const { states, starts, branchStates } = this.tokenStates(rowsIds, opts.branch === true);
    const meanOver = (row: number, start: number, end: number, from = states): Float32Array => {
      const out = new Float32Array(H);
      for (let t = start; t < end; t++) {
        const base = (starts[row] + t) * H;
        for (let h = 0; h < H; h++) out[h] += from[base + h];
      }
      let norm = 0;
      for (let h = 0; h < H; h++) norm += out[h] * out[h];
      norm = Math.max(Math.sqrt(norm), 1e-12);
      for (let h = 0; h < H; h++) out[h] /= norm;
      return out;
    };
    const pooled = new Float32Array(rows * H);
    const spanOut: Float32Array[][] = [];
    for (let r = 0; r < rows; r++) {
      const real = rowsIds[r].length;
      pooled.set(meanOver(r, 0, real), r * H);
      spanOut.push(
        (spans[r] ?? []).map(([s, e]) => {
          const start = Math.max(0, Math.min(s, real));
          const end = Math.max(start, Math.min(e, real));
          return end > start ? meanOver(r, start, end) : pooled.slice(r * H, (r + 1) * H);
        }),
      );
    }
    if (!branchStates) return { pooled, spans: spanOut };
    // the branch's sentence vector: the same mean pooling and L2 norm over its own states
    const branchPooled = new Float32Array(rows * H);
    for (let r = 0; r < rows; r++) branchPooled.set(meanOver(r, 0, rowsIds[r].length, branchStates), r * H);
    return { pooled, spans: spanOut, branchPooled };
  }

  /** Token span [start, end) (in encode() ids, [CLS] = 0) of the characters [charStart, charEnd) of text. */
  tokenSpan(text: string, charStart: number, charEnd: number): [number, number] {
    return tokenSpanOf(this.tokenizer, this.maxLength, text, charStart, charEnd);
  }

  tokenize(texts: readonly string[]): number[][] {
    return texts.map((t) => this.tokenizer.encode(t, this.maxLength).ids);
  }

  /**
   * Embeddings of many texts in input order. Texts are sorted by token count and batched
   * `batchSize` at a time so each batch pads only to its own longest text.
   */
  embed(texts: readonly string[], batchSize = 32): EncodedBatch {
    return this.embedTokenized(this.tokenize(texts), batchSize);
  }

  embedTokenized(tokenized: readonly number[][], batchSize = 32): EncodedBatch {
    const out = new Float32Array(tokenized.length * this.dim);
    const order = tokenized.map((_, i) => i).sort((a, b) => tokenized[a].length - tokenized[b].length || a - b);
    for (let start = 0; start < order.length; start += batchSize) {
      const chosen = order.slice(start, start + batchSize);
      const pooled = this.embedIds(chosen.map((i) => tokenized[i]));
      chosen.forEach((i, row) => out.set(pooled.subarray(row * this.dim, (row + 1) * this.dim), i * this.dim));
    }
    return { pooled: out, rows: tokenized.length, dim: this.dim };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    const all: Tensor[] = [this.wordEmbeddings, this.positionEmbeddings, this.tokenType0, this.embGamma, this.embBeta];
    for (const layer of this.layers) all.push(...Object.values(layer));
    for (const t of all) t.dispose();
    this.disposeBranch();
  }
}
