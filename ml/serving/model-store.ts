/**
 * Versioned model artifacts on disk: models/sentiment/<version>/{model.json, weights.bin,
 * metadata.json} plus active.json naming the version that serves. model.json follows the
 * tfjs weights-manifest layout so the weights decode with tf.io.decodeWeights.
 */
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../config/paths';
import { mlConfig } from '../settings';
import { CLASS_COUNT, type HashedLinearModel } from './fast/hashed-linear-model';
import type { FeatureConfig } from './fast/text-features';
import { SENTIMENT_LABELS } from '../../domain/sentiment/types';

export const MODEL_FORMAT = 'tidings-hashed-tfidf-linear';

interface WeightSpec {
  name: 'kernel' | 'bias' | 'idf';
  shape: number[];
  dtype: 'float32';
}

interface ModelJson {
  format: typeof MODEL_FORMAT;
  formatVersion: 1;
  modelTopology: { classes: string[]; features: FeatureConfig; tokenizer: string };
  weightsManifest: Array<{ paths: string[]; weights: WeightSpec[] }>;
}

export interface ModelMetadata {
  version: string;
  createdAt: string;
  [key: string]: unknown;
}

export function defaultModelsDir(): string {
  return mlConfig().sentimentModelsDir ?? path.join(repoRoot(), 'models', 'sentiment');
}

const TOKENIZER_DESCRIPTION =
  'NFKC, lower-case, URL->xurlx, $cashtag->xtickerx, digits->0, tokens [\\p{L}\\p{N}_]+|[!?%], ' +
  'features w:/n:(negation scope)/g2: word bigrams/c: char n-grams of space-padded words, FNV-1a 32 masked to buckets';

export function saveModel(modelsDir: string, model: HashedLinearModel, metadata: ModelMetadata): string {
  const dir = path.join(modelsDir, metadata.version);
  fs.mkdirSync(dir, { recursive: true });
  const weights: WeightSpec[] = [
    { name: 'kernel', shape: [model.features.buckets, CLASS_COUNT], dtype: 'float32' },
    { name: 'bias', shape: [CLASS_COUNT], dtype: 'float32' },
    { name: 'idf', shape: [model.features.buckets], dtype: 'float32' },
  ];
  const modelJson: ModelJson = {
    format: MODEL_FORMAT,
    formatVersion: 1,
    modelTopology: { classes: [...SENTIMENT_LABELS], features: model.features, tokenizer: TOKENIZER_DESCRIPTION },
    weightsManifest: [{ paths: ['weights.bin'], weights }],
  };
  const buffers = [model.kernel, model.bias, model.idf].map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.concat(buffers));
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson, null, 2) + '\n');
  fs.writeFileSync(path.join(dir, 'metadata.json'), JSON.stringify(metadata, null, 2) + '\n');
  return dir;
}

/** Reads weights without TensorFlow so tools (and tests) can inspect an artifact cheaply. */
export function readModel(modelsDir: string, version: string): HashedLinearModel {
  const dir = path.join(modelsDir, version);
  const modelJson = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as ModelJson;
  if (modelJson.format !== MODEL_FORMAT) throw new Error(`${dir}: unsupported model format "${modelJson.format}"`);
  const [group] = modelJson.weightsManifest;
  const bytes = fs.readFileSync(path.join(dir, group.paths[0]));
  const arrays: Partial<Record<WeightSpec['name'], Float32Array>> = {};
  let offset = 0;
  for (const spec of group.weights) {
    const length = spec.shape.reduce((a, b) => a * b, 1);
    if (offset + length * 4 > bytes.length) throw new Error(`${dir}: weights.bin is shorter than its manifest`);
    arrays[spec.name] = new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + length * 4));
    offset += length * 4;
  }
  const { kernel, bias, idf } = arrays;
  if (!kernel || !bias || !idf) throw new Error(`${dir}: weights manifest lacks kernel, bias or idf`);
  return { features: modelJson.modelTopology.features, kernel, bias, idf };
}

export function readMetadata(modelsDir: string, version: string): ModelMetadata {
  return JSON.parse(fs.readFileSync(path.join(modelsDir, version, 'metadata.json'), 'utf8')) as ModelMetadata;
}

export function activeVersion(modelsDir: string): string | undefined {
  const file = path.join(modelsDir, 'active.json');
  if (!fs.existsSync(file)) return undefined;
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: string }).version;
}

interface ActiveJson {
  /** The fast tier: what scores new articles at once. */
  version?: string;
  /** The accurate tier: what re-scores them afterwards, and what queries prefer. */
  accurate?: string;
}

function readActive(modelsDir: string): ActiveJson {
  const file = path.join(modelsDir, 'active.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as ActiveJson) : {};
}

function writeActive(modelsDir: string, active: ActiveJson): void {
  fs.writeFileSync(path.join(modelsDir, 'active.json'), JSON.stringify(active, null, 2) + '\n');
}

export function setActiveVersion(modelsDir: string, version: string): void {
  if (!fs.existsSync(path.join(modelsDir, version, 'model.json'))) throw new Error(`no model ${version} in ${modelsDir}`);
  writeActive(modelsDir, { ...readActive(modelsDir), version });
}

export type ModelTier = 'fast' | 'accurate';

/** The active version of a tier (`version` in active.json is the fast tier, `accurate` the accurate one). */
export function activeTierVersion(modelsDir: string, tier: ModelTier): string | undefined {
  const active = readActive(modelsDir);
  return tier === 'fast' ? active.version : active.accurate;
}

export function setActiveTierVersion(modelsDir: string, tier: ModelTier, version: string): void {
  if (tier === 'fast') return setActiveVersion(modelsDir, version);
  if (!fs.existsSync(path.join(modelsDir, version, 'model.json'))) throw new Error(`no model ${version} in ${modelsDir}`);
  writeActive(modelsDir, { ...readActive(modelsDir), accurate: version });
}

/** The tier the product prefers: the accurate one when it is active, else the fast one. */
export function preferredVersion(modelsDir: string): { version: string | undefined; tier: ModelTier } {
  const active = readActive(modelsDir);
  return active.accurate ? { version: active.accurate, tier: 'accurate' } : { version: active.version, tier: 'fast' };
}

export function listModelVersions(modelsDir: string = defaultModelsDir()): Array<{ version: string; tier: ModelTier; active: boolean; metrics: unknown; createdAt: string }> {
  if (!fs.existsSync(modelsDir)) return [];
  const active = activeVersion(modelsDir);
  const accurate = activeTierVersion(modelsDir, 'accurate');
  return fs
    .readdirSync(modelsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(modelsDir, entry.name, 'metadata.json')))
    .map((entry) => {
      const metadata = readMetadata(modelsDir, entry.name);
      const tier: ModelTier = metadata.tier === 'accurate' ? 'accurate' : 'fast';
      return { version: entry.name, tier, active: entry.name === active || entry.name === accurate, metrics: metadata.metrics ?? null, createdAt: metadata.createdAt };
    })
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}
