/**
 * Emotion head artifacts: models/emotions/<version>/{model.json, weights.bin, metadata.json}
 * and models/emotions/active.json naming the active version. A head reads the pooled state of
 * one accurate-tier encoder (`encoderVersion`, e.g. ft6-2026-11-30-s7): loading it beside a
 * different accurate version is refused, since the vectors would mean something else.
 *
 * Two kinds (model.json `kind`, absent in the first artifacts = 'pooled'): 'pooled', an MLP
 * over that encoder's pooled state; 'branch' (emotion-branch.ts), which also owns copies of the
 * encoder's top layers, stored as int8-block deltas (int8-blocks.ts) to the layers they started
 * from (`branch.init`: the accurate encoder's, or the pretrained one's), never the base weights.
 */
import fs from 'node:fs';
import path from 'node:path';
import { EMOTION_CLASS_COUNT, type EmotionHeadWeights } from './emotion-head';
import type { FeatureConfig } from '../serving/fast/text-features';
import { EMOTION_LABELS } from '../../domain/emotions/labels';
import { ENCODER_LAYER_PARAMS, type EncoderLayerWeights } from '../serving/accurate/bert-layer';
import { quantiseInt8Blocks } from '../serving/accurate/int8-blocks';
import { readWeightsFile } from '../serving/accurate/encoder-model-store';
import type { BranchInit } from './emotion-branch';

export type EmotionModelKind = 'pooled' | 'branch';

export const EMOTION_HEAD_FORMAT = 'tidings-emotion-head';

export interface EmotionModelMetadata {
  version: string;
  createdAt: string;
  /** The accurate-tier model whose encoder's pooled state this head reads. */
  encoderVersion: string;
  classes: string[];
  hyperParameters: Record<string, unknown>;
  data: Record<string, { file: string; sha256: string; rows: number }>;
  metrics: Record<string, unknown>;
  [key: string]: unknown;
}

interface ModelJson {
  format: typeof EMOTION_HEAD_FORMAT;
  formatVersion: 1;
  classes: string[];
  encoderVersion: string;
  inputDim: number;
  hidden: number;
  /** The n-gram part's features (emotion-text.ts), when the head has one. */
  ngram?: FeatureConfig;
  /** Absent in 'pooled' artifacts written before branches existed. */
  kind?: EmotionModelKind;
  /** A branch's layers [from, from + count): weights `branch/layer<l>/<param>` (int8) are deltas to its init layers. */
  branch?: { from: number; count: number; init: BranchInit };
  /** `dtype` absent = float32; int8 arrays are followed by their float32 `<name>.scales`. */
  weights: Array<{ name: string; shape: number[]; dtype?: 'float32' | 'int8' }>;
}

/** A branch's own encoder layers as deltas to the layers it started from. */
export interface StoredEmotionBranch {
  from: number;
  init: BranchInit;
  deltas: EncoderLayerWeights[];
}

export interface EmotionModel {
  version: string;
  encoderVersion: string;
  head: EmotionHeadWeights;
  /** Present for kind 'branch'. */
  branch?: StoredEmotionBranch;
}

export function emotionModelKind(model: Pick<EmotionModel, 'branch'>): EmotionModelKind {
  return model.branch ? 'branch' : 'pooled';
}

export function saveEmotionModel(modelsDir: string, model: EmotionModel, metadata: EmotionModelMetadata): string {
  const dir = path.join(modelsDir, model.version);
  fs.mkdirSync(dir, { recursive: true });
  const h = model.head;
  const arrays: Array<[ModelJson['weights'][number], Float32Array | Int8Array]> = [
    [{ name: 'w1', shape: [h.inputDim, h.hidden] }, h.w1],
    [{ name: 'b1', shape: [h.hidden] }, h.b1],
    [{ name: 'w2', shape: [h.hidden, EMOTION_CLASS_COUNT] }, h.w2],
    [{ name: 'bias', shape: [EMOTION_CLASS_COUNT] }, h.bias],
  ];
  if (h.ngram) {
    arrays.push([{ name: 'ngram_kernel', shape: [h.ngram.features.buckets, EMOTION_CLASS_COUNT] }, h.ngram.kernel]);
    arrays.push([{ name: 'ngram_idf', shape: [h.ngram.features.buckets] }, h.ngram.idf]);
  }
  model.branch?.deltas.forEach((delta, k) =>
    ENCODER_LAYER_PARAMS.forEach((param) => {
      const name = `branch/layer${model.branch!.from + k}/${param}`;
      const q = quantiseInt8Blocks(delta[param]);
      arrays.push([{ name, shape: [q.values.length], dtype: 'int8' }, q.values]);
      arrays.push([{ name: `${name}.scales`, shape: [q.scales.length] }, q.scales]);
    }),
  );
  const json: ModelJson = {
    format: EMOTION_HEAD_FORMAT,
    formatVersion: 1,
    classes: [...EMOTION_LABELS],
    encoderVersion: model.encoderVersion,
    inputDim: h.inputDim,
    hidden: h.hidden,
    ...(h.ngram ? { ngram: h.ngram.features } : {}),
    kind: emotionModelKind(model),
    ...(model.branch ? { branch: { from: model.branch.from, count: model.branch.deltas.length, init: model.branch.init } } : {}),
    weights: arrays.map(([spec]) => spec),
  };
  fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.concat(arrays.map(([, a]) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))));
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json, null, 2) + '\n');
  fs.writeFileSync(path.join(dir, 'metadata.json'), JSON.stringify(metadata, null, 2) + '\n');
  return dir;
}

export function readEmotionModel(modelsDir: string, version: string): EmotionModel {
  const dir = path.join(modelsDir, version);
  const file = path.join(dir, 'model.json');
  if (!fs.existsSync(file)) throw new Error(`no emotion model ${version} in ${modelsDir}`);
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as ModelJson;
  if (json.format !== EMOTION_HEAD_FORMAT) throw new Error(`${dir}: format "${json.format}" is not ${EMOTION_HEAD_FORMAT}`);
  if (json.classes.join(',') !== EMOTION_LABELS.join(',')) throw new Error(`${dir}: classes ${json.classes.join(',')} differ from ${EMOTION_LABELS.join(',')}`);
  const arrays = readWeightsFile(dir, 'weights.bin', json.weights);
  const kind = json.kind ?? 'pooled';
  if (kind === 'branch' && !json.branch) throw new Error(`${dir}: kind "branch" without its branch layers`);
  if (kind !== 'branch' && kind !== 'pooled') throw new Error(`${dir}: unknown emotion model kind "${String(kind)}"`);
  const get = (name: string) => {
    const a = arrays.get(name);
    if (!a) throw new Error(`${dir}: weights lack ${name}`);
    return a;
  };
  return {
    version,
    encoderVersion: json.encoderVersion,
    head: {
      inputDim: json.inputDim,
      hidden: json.hidden,
      w1: get('w1'),
      b1: get('b1'),
      w2: get('w2'),
      bias: get('bias'),
      ...(json.ngram ? { ngram: { features: json.ngram, kernel: get('ngram_kernel'), idf: get('ngram_idf') } } : {}),
    },
    ...(kind === 'branch' && json.branch
      ? {
          branch: {
            from: json.branch.from,
            init: json.branch.init,
            deltas: Array.from({ length: json.branch.count }, (_, k) => Object.fromEntries(ENCODER_LAYER_PARAMS.map((param) => [param, get(`branch/layer${json.branch!.from + k}/${param}`)])) as EncoderLayerWeights),
          },
        }
      : {}),
  };
}

export function readEmotionMetadata(modelsDir: string, version: string): EmotionModelMetadata {
  return JSON.parse(fs.readFileSync(path.join(modelsDir, version, 'metadata.json'), 'utf8')) as EmotionModelMetadata;
}

/** The active emotion version, or undefined when models/emotions has none. */
export function activeEmotionVersion(modelsDir: string): string | undefined {
  const file = path.join(modelsDir, 'active.json');
  if (!fs.existsSync(file)) return undefined;
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: string }).version;
}

export function setActiveEmotionVersion(modelsDir: string, version: string): void {
  fs.mkdirSync(modelsDir, { recursive: true });
  fs.writeFileSync(path.join(modelsDir, 'active.json'), JSON.stringify({ version }, null, 2) + '\n');
}
