/**
 * Artifacts of the accurate tier: models/sentiment/<version>/{model.json, weights.bin,
 * metadata.json} like the fast tier, with format `tidings-encoder-head`. They hold only our
 * heads (a few MB); the pretrained encoder is named (and its file's SHA-256 recorded) but
 * never stored here.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ENCODER_LAYER_PARAMS, type EncoderLayerWeights } from './bert-layer';
import { dequantiseInt8Blocks, quantiseInt8Blocks } from './int8-blocks';
import type { HeadWeights } from './encoder-head';
import type { ModelMetadata } from '../model-store';
import type { FeatureConfig } from '../fast/text-features';
import { SENTIMENT_LABELS } from '../../../domain/sentiment/types';

export const ENCODER_HEAD_FORMAT = 'tidings-encoder-head';

export interface EncoderHeadModel {
  encoder: { name: string; maxLength: number; safetensorsSha256: string };
  sentence: HeadWeights;
  entity?: HeadWeights;
  /** Fine-tuned encoder layers [from, from + deltas.length) as deltas from the base weights. */
  encoderLayers?: { from: number; deltas: EncoderLayerWeights[] };
}

/** One weight in a weights file's manifest (float32 when no dtype is given). */
export interface WeightSpec {
  name: string;
  shape: number[];
  /** Fine-tuned layer deltas are int8 in blocks (int8-blocks.ts), each array followed by its float32 `.scales`. */
  dtype?: 'float32' | 'int8';
}

interface HeadTopology {
  inputDim: number;
  hidden: number;
  ngram?: FeatureConfig;
}

interface EncoderHeadModelJson {
  format: typeof ENCODER_HEAD_FORMAT;
  formatVersion: 1;
  modelTopology: {
    classes: string[];
    encoder: EncoderHeadModel['encoder'];
    sentence: HeadTopology;
    entity?: HeadTopology;
    /** Fine-tuned encoder layers: weights `layer<l>/<param>` are deltas to add to the base. */
    encoderLayers?: { from: number; count: number };
  };
  weightsManifest: Array<{ paths: string[]; weights: WeightSpec[] }>;
}

/** The `format` field of a version's model.json. */
export function modelFormat(modelsDir: string, version: string): string {
  const file = path.join(modelsDir, version, 'model.json');
  if (!fs.existsSync(file)) throw new Error(`no model ${version} in ${modelsDir}`);
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { format: string }).format;
}

function layerArrays(layers: NonNullable<EncoderHeadModel['encoderLayers']>): Array<[WeightSpec, Float32Array | Int8Array]> {
  return layers.deltas.flatMap((delta, k) =>
    ENCODER_LAYER_PARAMS.flatMap((param): Array<[WeightSpec, Float32Array | Int8Array]> => {
      const name = `layer${layers.from + k}/${param}`;
      const q = quantiseInt8Blocks(delta[param]);
      return [
        [{ name, shape: [q.values.length], dtype: 'int8' }, q.values],
        [{ name: `${name}.scales`, shape: [q.scales.length], dtype: 'float32' }, q.scales],
      ];
    }),
  );
}

function headArrays(prefix: string, head: HeadWeights): Array<[WeightSpec, Float32Array]> {
  const out: Array<[WeightSpec, Float32Array]> = [
    [{ name: `${prefix}/w1`, shape: [head.inputDim, head.hidden], dtype: 'float32' }, head.w1],
    [{ name: `${prefix}/b1`, shape: [head.hidden], dtype: 'float32' }, head.b1],
    [{ name: `${prefix}/w2`, shape: [head.hidden, SENTIMENT_LABELS.length], dtype: 'float32' }, head.w2],
    [{ name: `${prefix}/bias`, shape: [SENTIMENT_LABELS.length], dtype: 'float32' }, head.bias],
  ];
  if (head.ngram) {
    out.push([{ name: `${prefix}/ngram_kernel`, shape: [head.ngram.features.buckets, SENTIMENT_LABELS.length], dtype: 'float32' }, head.ngram.kernel]);
    out.push([{ name: `${prefix}/ngram_idf`, shape: [head.ngram.features.buckets], dtype: 'float32' }, head.ngram.idf]);
  }
  return out;
}

export function saveEncoderHeadModel(modelsDir: string, model: EncoderHeadModel, metadata: ModelMetadata): string {
  const dir = path.join(modelsDir, metadata.version);
  fs.mkdirSync(dir, { recursive: true });
  const arrays: Array<[WeightSpec, Float32Array | Int8Array]> = [
    ...headArrays('sentence', model.sentence),
    ...(model.entity ? headArrays('entity', model.entity) : []),
    ...(model.encoderLayers ? layerArrays(model.encoderLayers) : []),
  ];
  const topology = (h: HeadWeights): HeadTopology => ({ inputDim: h.inputDim, hidden: h.hidden, ...(h.ngram ? { ngram: h.ngram.features } : {}) });
  const modelJson: EncoderHeadModelJson = {
    format: ENCODER_HEAD_FORMAT,
    formatVersion: 1,
    modelTopology: {
      classes: [...SENTIMENT_LABELS],
      encoder: model.encoder,
      sentence: topology(model.sentence),
      ...(model.entity ? { entity: topology(model.entity) } : {}),
      ...(model.encoderLayers ? { encoderLayers: { from: model.encoderLayers.from, count: model.encoderLayers.deltas.length } } : {}),
    },
    weightsManifest: [{ paths: ['weights.bin'], weights: arrays.map(([spec]) => spec) }],
  };
  fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.concat(arrays.map(([, a]) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))));
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson, null, 2) + '\n');
  fs.writeFileSync(path.join(dir, 'metadata.json'), JSON.stringify(metadata, null, 2) + '\n');
  return dir;
}

export function readEncoderHeadModel(modelsDir: string, version: string): EncoderHeadModel {
  const dir = path.join(modelsDir, version);
  const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as EncoderHeadModelJson;
  if (json.format !== ENCODER_HEAD_FORMAT) throw new Error(`${dir}: format "${json.format}" is not ${ENCODER_HEAD_FORMAT}`);
  const [group] = json.weightsManifest;
  const arrays = readWeightsFile(dir, group.paths[0], group.weights);
  const head = (prefix: string, topology: HeadTopology): HeadWeights => {
    const get = (name: string) => {
      const a = arrays.get(`${prefix}/${name}`);
      if (!a) throw new Error(`${dir}: weights lack ${prefix}/${name}`);
      return a;
    };
    return {
      inputDim: topology.inputDim,
      hidden: topology.hidden,
      w1: get('w1'),
      b1: get('b1'),
      w2: get('w2'),
      bias: get('bias'),
      ...(topology.ngram ? { ngram: { features: topology.ngram, kernel: get('ngram_kernel'), idf: get('ngram_idf') } } : {}),
    };
  };
  const layerTopology = json.modelTopology.encoderLayers;
  const layers = layerTopology && {
    from: layerTopology.from,
    deltas: Array.from({ length: layerTopology.count }, (_, k) => {
      const l = layerTopology.from + k;
      return Object.fromEntries(
        ENCODER_LAYER_PARAMS.map((name) => {
          const a = arrays.get(`layer${l}/${name}`);
          if (!a) throw new Error(`${dir}: weights lack layer${l}/${name}`);
          return [name, a];
        }),
      ) as EncoderLayerWeights;
    }),
  };
  return {
    encoder: json.modelTopology.encoder,
    sentence: head('sentence', json.modelTopology.sentence),
    ...(json.modelTopology.entity ? { entity: head('entity', json.modelTopology.entity) } : {}),
    ...(layers ? { encoderLayers: layers } : {}),
  };
}

/**
 * The weights of `dir/file` in manifest order, int8 blocks already dequantised: the one reader
 * of the weights files the model stores write (encoder heads and layer deltas, emotion heads and branches).
 */
export function readWeightsFile(dir: string, file: string, specs: readonly WeightSpec[]): Map<string, Float32Array> {
  const bytes = fs.readFileSync(path.join(dir, file));
  const arrays = new Map<string, Float32Array>();
  const quantised = new Map<string, Int8Array>();
  let offset = 0;
  for (const spec of specs) {
    const length = spec.shape.reduce((a, b) => a * b, 1);
    const width = spec.dtype === 'int8' ? 1 : 4;
    if (offset + length * width > bytes.length) throw new Error(`${dir}: ${file} is shorter than its manifest`);
    const copy = new Uint8Array(bytes.subarray(offset, offset + length * width)).buffer;
    if (spec.dtype === 'int8') quantised.set(spec.name, new Int8Array(copy));
    else arrays.set(spec.name, new Float32Array(copy));
    offset += length * width;
  }
  for (const [name, values] of quantised) {
    const scales = arrays.get(`${name}.scales`);
    if (!scales) throw new Error(`${dir}: weights lack ${name}.scales`);
    arrays.set(name, dequantiseInt8Blocks({ values, scales }));
  }
  return arrays;
}
