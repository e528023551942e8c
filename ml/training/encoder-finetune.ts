/**
 * Fine-tuning the encoder's top layers jointly with the sentence and entity heads (multi-task),
 * over cached hidden states of the frozen lower layers:
 *
 *   x      = cached input of layer `cachedFrom` for a text's tokens
 *   x      = frozen layers [cachedFrom, trainFrom), then trainable layers [trainFrom, layers)
 *   sent   = l2norm(mean of x over the text's tokens)            (what SentenceEncoder.embedIds gives)
 *   span   = l2norm(mean of x over the entity's tokens)          (what embedIdsWithSpans gives)
 *   p(sentence) = head([sent], + hashed TF-IDF n-grams)   p(entity) = head([span ; sent])
 *
 * Poolings are products with small dense pooling matrices, so everything differentiates on
 * the wasm backend (no gather gradients). The trained layers run at inference through the
 * very same SentenceEncoder forward, their weights swapped in at load time. Deterministic
 * for a seed: shuffles, initial head weights and dropout masks come from seeded generators.
 */
import type { Scalar, Tensor, Tensor2D, Variable } from '@tensorflow/tfjs';
import { seededRandom, shuffleInPlace } from '../data/datasets';
import { attentionMaskBias, bertLayer, ENCODER_LAYER_PARAMS, layerShapes, type EncoderLayerWeights, type Layer } from '../serving/accurate/bert-layer';
import type { SentenceEncoder } from '../serving/accurate/encoder';
import { glorot, type HeadWeights } from '../serving/accurate/encoder-head';
import { CLASS_COUNT, packBatch, sparseTimesDense, trainableSparseTimesDense } from '../serving/fast/hashed-linear-model';
import type { FeatureConfig, SparseVector } from '../serving/fast/text-features';
import type { Tf } from '../runtime/tf-runtime';
import { batchInputs, l2Rows, learningRateFactor, poolingMatrix, type BatchInputs } from './finetune-batches';

export interface FinetuneText {
  /** Token ids including [CLS] and [SEP]. */
  ids: readonly number[];
  /** Cached input of layer `cachedFrom`: [ids.length, hidden], row-major. */
  states: Float32Array;
  /**
   * The per-text head's label (the 3 sentiment classes, or `textClasses` of them: the emotion
   * branch trains its 7 emotions here); `distribution` replaces the one-hot target (soft
   * labels), `weight` scales the row's loss (default 1).
   */
  sentence?: { target: number; sparse?: SparseVector; distribution?: Float32Array; weight?: number };
  /** Token spans [start, end) of the entities in ids, with their labels. */
  entities: ReadonlyArray<{ span: [number, number]; target: number; /** loss weight, default 1 */ weight?: number }>;
}

/** How top encoder layers and a head on them are trained: the sentiment fine-tune's and the emotion branch's. */
export interface TopLayerSchedule {
  seed: number;
  epochs: number;
  batchSize: number;
  encoderLearningRate: number;
  headLearningRate: number;
  /** The head's hidden width. */
  hidden: number;
  dropout: number;
  /** Fraction of all steps with a linear learning-rate warm-up; the rate then decays linearly to 0. */
  warmupFraction: number;
}

export interface FinetuneConfig extends TopLayerSchedule {
  /** First layer whose input is cached. */
  cachedFrom: number;
  /** First trainable layer (>= cachedFrom); layers [trainFrom, layerCount) are trained. */
  trainFrom: number;
  /** Weight of the entity loss next to the sentence loss. */
  entityLossWeight: number;
  /** Classes of the per-text head (default CLASS_COUNT, the sentiment labels). */
  textClasses?: number;
  /** L2 on the per-text head's W1/W2 (mean squared weight, added to the loss; default 0). */
  textL2?: number;
}

export interface FinetuneResult {
  /** Trained weights of layers [trainFrom, layerCount), absolute (not deltas). */
  layers: EncoderLayerWeights[];
  sentence: HeadWeights;
  entity: HeadWeights;
  bestEpoch: number;
  log: string[];
  seconds: number;
}

interface HeadVars {
  w1: Variable;
  b1: Variable;
  w2: Variable;
  bias: Variable;
  kernel?: Variable;
}

function headVars(tf: Tf, random: () => number, inputDim: number, hidden: number, buckets: number | undefined, classes = CLASS_COUNT): HeadVars {
  return {
    w1: tf.variable(tf.tensor2d(glorot(random, inputDim, hidden), [inputDim, hidden])),
    b1: tf.variable(tf.zeros([hidden])),
    w2: tf.variable(tf.tensor2d(glorot(random, hidden, classes), [hidden, classes])),
    bias: tf.variable(tf.zeros([classes])),
    ...(buckets ? { kernel: tf.variable(tf.zeros([buckets, classes])) } : {}),
  };
}

export class EncoderFinetuner {
  private readonly layerVars: Layer[];
  private readonly sentenceVars: HeadVars;
  private readonly entityVars: HeadVars;
  private readonly shapes: ReturnType<typeof layerShapes>;
  private readonly intermediate: number;
  /** Classes of the per-text head. */
  readonly textClasses: number;

  constructor(
    private readonly tf: Tf,
    private readonly encoder: SentenceEncoder,
    private readonly config: FinetuneConfig,
    private readonly ngram: { features: FeatureConfig; idf: Float32Array } | undefined,
  ) {
    if (config.cachedFrom > config.trainFrom || config.trainFrom >= encoder.layerCount) throw new Error(`fine-tuning: need cachedFrom <= trainFrom < ${encoder.layerCount}`);
    const random = seededRandom(config.seed);
    const H = encoder.dim;
    this.textClasses = config.textClasses ?? CLASS_COUNT;
    this.layerVars = [];
    let intermediate = 0;
    for (let l = config.trainFrom; l < encoder.layerCount; l++) {
      const w = encoder.layerWeights(l);
      intermediate = w.ffnInBias.length;
      const shapes = layerShapes(H, intermediate);
      this.layerVars.push(Object.fromEntries(ENCODER_LAYER_PARAMS.map((n) => [n, tf.variable(tf.tensor(w[n], shapes[n]), true, `layer${l}/${n}`)])) as unknown as Layer);
    }
    this.intermediate = intermediate;
    this.shapes = layerShapes(H, intermediate);
    this.sentenceVars = headVars(tf, random, H, config.hidden, ngram?.features.buckets, this.textClasses);
    this.entityVars = headVars(tf, random, 2 * H, config.hidden, undefined);
  }

  private frozenThenTrainable(inputs: BatchInputs, frozenX: Tensor2D): Tensor2D {
    const tf = this.tf;
    const maskBias = attentionMaskBias(tf, inputs.mask, inputs.rows, inputs.length);
    let x = frozenX;
    for (const layer of this.layerVars) x = bertLayer(tf, x, layer, maskBias, inputs.rows, inputs.length, this.encoder.heads, this.encoder.eps);
    return x;
  }

  private head(vars: HeadVars, input: Tensor2D, dropoutSeed: number | undefined, packed?: ReturnType<typeof packBatch>, trainingKernel = false): Tensor2D {
    const tf = this.tf;
    let hidden: Tensor = tf.relu(tf.add(tf.matMul(input, vars.w1 as Tensor2D), vars.b1));
    if (dropoutSeed !== undefined && this.config.dropout > 0) hidden = tf.dropout(hidden, this.config.dropout, undefined, dropoutSeed);
    let logits = tf.add(tf.matMul(hidden as Tensor2D, vars.w2 as Tensor2D), vars.bias) as Tensor2D;
    if (vars.kernel && packed) logits = tf.add(logits, trainingKernel ? trainableSparseTimesDense(tf, packed, vars.kernel as Tensor2D) : sparseTimesDense(tf, packed, vars.kernel as Tensor2D)) as Tensor2D;
    return logits;
  }

  /** Sentence and entity logits for a batch; `sentenceRows`/`entities` choose what to score. */
  private logits(
    inputs: BatchInputs,
    frozenX: Tensor2D,
    texts: readonly FinetuneText[],
    sentenceRows: readonly number[],
    entities: ReadonlyArray<{ row: number; span: [number, number] }>,
    dropoutSeed: number | undefined,
  ): { sentence?: Tensor2D; entity?: Tensor2D } {
    const tf = this.tf;
    const x = this.frozenThenTrainable(inputs, frozenX);
    const width = inputs.rows * inputs.length;
    const out: { sentence?: Tensor2D; entity?: Tensor2D } = {};
    if (sentenceRows.length) {
      const pool = tf.tensor2d(poolingMatrix(inputs.length, inputs.real, sentenceRows.map((row) => ({ row, start: 0, end: inputs.real[row] }))), [sentenceRows.length, width]);
      const sent = l2Rows(tf, tf.matMul(pool, x));
      const packed = this.ngram ? packBatch(sentenceRows.map((r) => texts[r].sentence!.sparse!)) : undefined;
      out.sentence = this.head(this.sentenceVars, sent, dropoutSeed, packed, dropoutSeed !== undefined);
    }
    if (entities.length) {
      const spanPool = tf.tensor2d(poolingMatrix(inputs.length, inputs.real, entities.map((e) => ({ row: e.row, start: e.span[0], end: e.span[1] }))), [entities.length, width]);
      const rowPool = tf.tensor2d(poolingMatrix(inputs.length, inputs.real, entities.map((e) => ({ row: e.row, start: 0, end: inputs.real[e.row] }))), [entities.length, width]);
      const input = tf.concat([l2Rows(tf, tf.matMul(spanPool, x)), l2Rows(tf, tf.matMul(rowPool, x))], 1) as Tensor2D;
      out.entity = this.head(this.entityVars, input, dropoutSeed === undefined ? undefined : dropoutSeed + 1);
    }
    return out;
  }

  private frozen(inputs: BatchInputs): Tensor2D {
    const { cachedFrom, trainFrom } = this.config;
    return cachedFrom === trainFrom ? inputs.x : this.encoder.runLayers(inputs.x, inputs.mask, inputs.rows, inputs.length, cachedFrom, trainFrom);
  }

  /** Batches of similar length: shuffle, sort within windows of 16 batches, shuffle the batches. */
  private batches(count: number, random: () => number, lengthOf: (i: number) => number): number[][] {
    const order = shuffleInPlace(
      Array.from({ length: count }, (_, i) => i),
      random,
    );
    const size = this.config.batchSize;
    const out: number[][] = [];
    for (let w = 0; w < order.length; w += size * 16) {
      const window = order.slice(w, w + size * 16).sort((a, b) => lengthOf(a) - lengthOf(b) || a - b);
      for (let s = 0; s < window.length; s += size) out.push(window.slice(s, s + size));
    }
    return shuffleInPlace(out, random);
  }

  /** Class probabilities of every text's sentence and every entity, in input order. */
  predict(texts: readonly FinetuneText[], batchSize = 64): { sentence: Float32Array[]; entity: Float32Array[][] } {
    const tf = this.tf;
    const order = texts.map((_, i) => i).sort((a, b) => texts[a].ids.length - texts[b].ids.length || a - b);
    const sentence: Float32Array[] = new Array(texts.length);
    const entity: Float32Array[][] = new Array(texts.length);
    for (let s = 0; s < order.length; s += batchSize) {
      const chosen = order.slice(s, s + batchSize);
      const batch = chosen.map((i) => texts[i]);
      const withSentence = this.ngram ? batch.map((t, r) => (t.sentence?.sparse ? r : -1)).filter((r) => r >= 0) : batch.map((_, r) => r);
      const entities = batch.flatMap((t, row) => t.entities.map((e) => ({ row, span: e.span })));
      const [ps, pe] = tf.tidy(() => {
        const inputs = batchInputs(tf, batch, this.encoder.dim);
        const logits = this.logits(inputs, this.frozen(inputs), batch, withSentence, entities, undefined);
        return [logits.sentence ? tf.softmax(logits.sentence) : tf.zeros([0, this.textClasses]), logits.entity ? tf.softmax(logits.entity) : tf.zeros([0, CLASS_COUNT])];
      });
      const sp = ps.dataSync() as Float32Array;
      const ep = pe.dataSync() as Float32Array;
      ps.dispose();
      pe.dispose();
      withSentence.forEach((r, k) => (sentence[chosen[r]] = sp.slice(k * this.textClasses, (k + 1) * this.textClasses)));
      let k = 0;
      batch.forEach((t, r) => {
        entity[chosen[r]] = t.entities.map(() => ep.slice(k * CLASS_COUNT, (++k) * CLASS_COUNT));
      });
    }
    return { sentence, entity };
  }

  /** Sentence and entity accuracy over labelled texts. */
  accuracy(texts: readonly FinetuneText[]): { sentence: number; entity: number } {
    const p = this.predict(texts);
    const argmax = (q: Float32Array) => q.indexOf(Math.max(...q));
    let sc = 0;
    let sn = 0;
    let ec = 0;
    let en = 0;
    texts.forEach((t, i) => {
      if (t.sentence && p.sentence[i]) {
        sn++;
        if (argmax(p.sentence[i]) === t.sentence.target) sc++;
      }
      t.entities.forEach((e, k) => {
        en++;
        if (argmax(p.entity[i][k]) === e.target) ec++;
      });
    });
    return { sentence: sn ? sc / sn : 0, entity: en ? ec / en : 0 };
  }

  private snapshot(): Omit<FinetuneResult, 'bestEpoch' | 'log' | 'seconds'> {
    const copy = (v: Tensor) => v.dataSync().slice() as Float32Array;
    const head = (vars: HeadVars, inputDim: number): HeadWeights => ({
      inputDim,
      hidden: this.config.hidden,
      w1: copy(vars.w1),
      b1: copy(vars.b1),
      w2: copy(vars.w2),
      bias: copy(vars.bias),
      ...(vars.kernel && this.ngram ? { ngram: { ...this.ngram, kernel: copy(vars.kernel) } } : {}),
    });
    return {
      layers: this.layerVars.map((layer) => Object.fromEntries(ENCODER_LAYER_PARAMS.map((n) => [n, copy(layer[n])])) as EncoderLayerWeights),
      sentence: head(this.sentenceVars, this.encoder.dim),
      entity: head(this.entityVars, 2 * this.encoder.dim),
    };
  }

  /**
   * Trains for config.epochs; after each epoch scores the early-stopping texts and keeps the
   * weights of the epoch with the best mean of sentence and entity accuracy there. With no
   * early-stopping texts the last epoch's weights are kept (the epoch count is chosen by
   * cross-validation, which `onEpoch` serves: it runs after each epoch, with this finetuner
   * holding that epoch's weights).
   */
  train(train: readonly FinetuneText[], earlyStopping: readonly FinetuneText[], say: (line: string) => void = () => undefined, onEpoch?: (epoch: number) => void): FinetuneResult {
    const tf = this.tf;
    const started = Date.now();
    const log: string[] = [];
    const note = (line: string) => {
      log.push(line);
      say(line);
    };
    const random = seededRandom(this.config.seed + 17);
    const encoderVars = this.layerVars.flatMap((l) => ENCODER_LAYER_PARAMS.map((n) => l[n] as unknown as Variable));
    const headVarList = [this.sentenceVars, this.entityVars].flatMap((h) => [h.w1, h.b1, h.w2, h.bias, ...(h.kernel ? [h.kernel] : [])]);
    const encoderOptimizer = tf.train.adam(this.config.encoderLearningRate);
    const headOptimizer = tf.train.adam(this.config.headLearningRate);
    let best: { score: number; epoch: number; weights?: ReturnType<EncoderFinetuner['snapshot']> } = { score: -1, epoch: 0 };
    let step = 0;
    const totalSteps = this.config.epochs * Math.ceil(train.length / this.config.batchSize);
    // tfjs's Adam reads its rate on every update, so a schedule sets it between steps.
    const setRates = (factor: number) => {
      (encoderOptimizer as unknown as { learningRate: number }).learningRate = this.config.encoderLearningRate * factor;
      (headOptimizer as unknown as { learningRate: number }).learningRate = this.config.headLearningRate * factor;
    };
    try {
      for (let epoch = 1; epoch <= this.config.epochs; epoch++) {
        const epochStarted = Date.now();
        const batches = this.batches(train.length, random, (i) => train[i].ids.length);
        let lossSum = 0;
        let seen = 0;
        for (const chosen of batches) {
          const batch = chosen.map((i) => train[i]);
          const sentenceRows = batch.map((t, r) => (t.sentence ? r : -1)).filter((r) => r >= 0);
          const entities = batch.flatMap((t, row) => t.entities.map((e) => ({ row, span: e.span, target: e.target, weight: e.weight ?? 1 })));
          const inputs = batchInputs(tf, batch, this.encoder.dim);
          setRates(learningRateFactor(step, totalSteps, this.config.warmupFraction));
          const frozenX = tf.tidy(() => this.frozen(inputs));
          const dropoutSeed = this.config.seed * 1_000_003 + 2 * step++;
          const sentenceTargets = sentenceRows.length ? this.textTargets(sentenceRows.map((r) => batch[r].sentence!)) : undefined;
          const sentenceWeights = sentenceRows.some((r) => batch[r].sentence!.weight !== undefined) ? tf.tensor1d(sentenceRows.map((r) => batch[r].sentence!.weight ?? 1)) : undefined;
          const entityTargets = entities.length ? tf.oneHot(tf.tensor1d(entities.map((e) => e.target), 'int32'), CLASS_COUNT) : undefined;
          const entityWeights = entities.length ? tf.tensor1d(entities.map((e) => e.weight)) : undefined;
          const { value, grads } = tf.variableGrads(() => {
            const logits = this.logits(inputs, frozenX, batch, sentenceRows, entities, dropoutSeed);
            let loss: Tensor = tf.scalar(0);
            // weighted rows: sum(w * ce) / sum(w), so a down-weighted domain moves the head less
            if (logits.sentence && sentenceTargets) loss = tf.add(loss, sentenceWeights ? tf.losses.softmaxCrossEntropy(sentenceTargets, logits.sentence, sentenceWeights, 0, tf.Reduction.MEAN) : tf.losses.softmaxCrossEntropy(sentenceTargets, logits.sentence));
            if (this.config.textL2) loss = tf.add(loss, tf.mul(this.config.textL2, tf.add(tf.mean(tf.square(this.sentenceVars.w1)), tf.mean(tf.square(this.sentenceVars.w2)))));
            if (logits.entity && entityTargets) loss = tf.add(loss, tf.mul(this.config.entityLossWeight, tf.losses.softmaxCrossEntropy(entityTargets, logits.entity, entityWeights)));
            return loss as Scalar;
          }, [...encoderVars, ...headVarList]);
          encoderOptimizer.applyGradients(encoderVars.map((v) => ({ name: v.name, tensor: grads[v.name] })));
          // a head the batch does not reach (no entities in it) has no gradient: Adam leaves it be
          headOptimizer.applyGradients(headVarList.filter((v) => grads[v.name]).map((v) => ({ name: v.name, tensor: grads[v.name] })));
          lossSum += value.dataSync()[0] * batch.length;
          seen += batch.length;
          tf.dispose([value, ...Object.values(grads), inputs.x, frozenX, sentenceTargets, sentenceWeights, entityTargets, entityWeights].filter((t): t is Tensor => t != null));
          if (step % 50 === 0) note(`  epoch ${epoch} step ${step} rows ${seen}/${train.length} loss ${(lossSum / seen).toFixed(4)} (${(seen / ((Date.now() - epochStarted) / 1000)).toFixed(1)} rows/s)`);
        }
        if (earlyStopping.length === 0) {
          note(`epoch ${epoch} loss ${(lossSum / seen).toFixed(4)} (${((Date.now() - epochStarted) / 1000).toFixed(0)}s)`);
          if (epoch === this.config.epochs) best = { score: 0, epoch, weights: this.snapshot() };
        } else {
          const acc = this.accuracy(earlyStopping);
          const score = (acc.sentence + acc.entity) / 2;
          note(
            `epoch ${epoch} loss ${(lossSum / seen).toFixed(4)} early-stop sentence acc ${acc.sentence.toFixed(4)} entity acc ${acc.entity.toFixed(4)} (${((Date.now() - epochStarted) / 1000).toFixed(0)}s)`,
          );
          if (score > best.score) best = { score, epoch, weights: this.snapshot() };
        }
        onEpoch?.(epoch);
      }
    } finally {
      encoderOptimizer.dispose();
      headOptimizer.dispose();
    }
    return { ...best.weights!, bestEpoch: best.epoch, log, seconds: (Date.now() - started) / 1000 };
  }

  /** One-hot targets of the per-text head, or the given distributions (soft labels). */
  private textTargets(rows: ReadonlyArray<NonNullable<FinetuneText['sentence']>>): Tensor2D {
    const classes = this.textClasses;
    const flat = new Float32Array(rows.length * classes);
    rows.forEach((r, i) => {
      if (r.distribution) {
        if (r.distribution.length !== classes) throw new Error(`fine-tuning: a target distribution over ${r.distribution.length} classes, the head has ${classes}`);
        flat.set(r.distribution, i * classes);
      } else {
        if (!Number.isInteger(r.target) || r.target < 0 || r.target >= classes) throw new Error(`fine-tuning: target ${r.target} outside the head's ${classes} classes`);
        flat[i * classes + r.target] = 1;
      }
    });
    return this.tf.tensor2d(flat, [rows.length, classes]);
  }

  /**
   * Starts the per-text head from trained weights instead of random ones (a warm start: e.g. a
   * head already fitted on the frozen encoder's pooled state, so fine-tuning begins where it
   * stands). Its hidden width must be config.hidden; an n-gram kernel is taken when both have one.
   */
  setTextHead(head: HeadWeights): void {
    if (head.hidden !== this.config.hidden || head.inputDim !== this.encoder.dim) throw new Error(`fine-tuning: a head of ${head.inputDim} x ${head.hidden} cannot start one of ${this.encoder.dim} x ${this.config.hidden}`);
    const tf = this.tf;
    const classes = this.textClasses;
    const v = this.sentenceVars;
    v.w1.assign(tf.tensor2d(head.w1, [head.inputDim, head.hidden]));
    v.b1.assign(tf.tensor1d(head.b1));
    v.w2.assign(tf.tensor2d(head.w2, [head.hidden, classes]));
    v.bias.assign(tf.tensor1d(head.bias));
    if (v.kernel && head.ngram) v.kernel.assign(tf.tensor2d(head.ngram.kernel, [head.ngram.features.buckets, classes]));
  }

  /** Loads trained weights back (e.g. the best epoch's) for prediction. */
  load(result: Pick<FinetuneResult, 'layers' | 'sentence' | 'entity'>): void {
    result.layers.forEach((w, k) => ENCODER_LAYER_PARAMS.forEach((n) => (this.layerVars[k][n] as unknown as Variable).assign(this.tf.tensor(w[n], this.shapes[n]))));
    const put = (vars: HeadVars, head: HeadWeights, classes: number) => {
      vars.w1.assign(this.tf.tensor2d(head.w1, [head.inputDim, head.hidden]));
      vars.b1.assign(this.tf.tensor1d(head.b1));
      vars.w2.assign(this.tf.tensor2d(head.w2, [head.hidden, classes]));
      vars.bias.assign(this.tf.tensor1d(head.bias));
      if (vars.kernel && head.ngram) vars.kernel.assign(this.tf.tensor2d(head.ngram.kernel, [head.ngram.features.buckets, classes]));
    };
    put(this.sentenceVars, result.sentence, this.textClasses);
    put(this.entityVars, result.entity, CLASS_COUNT);
  }

  get intermediateSize(): number {
    return this.intermediate;
  }

  dispose(): void {
    for (const layer of this.layerVars) ENCODER_LAYER_PARAMS.forEach((n) => layer[n].dispose());
    for (const h of [this.sentenceVars, this.entityVars]) [h.w1, h.b1, h.w2, h.bias, h.kernel].forEach((v) => v?.dispose());
  }
}
