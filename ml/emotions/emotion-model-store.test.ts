import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { seededRandom } from '../data/datasets';
import { ENCODER_LAYER_PARAMS, type EncoderLayerWeights } from '../serving/accurate/bert-layer';
import { EMOTION_CLASS_COUNT, type EmotionHeadWeights } from './emotion-head';
import { activeEmotionVersion, emotionModelKind, readEmotionModel, saveEmotionModel, type EmotionModelMetadata } from './emotion-model-store';
import { emotionsDirBeside } from '../serving/model-scorer';
import { defaultModelsDir } from '../serving/model-store';

const random = seededRandom(11);
const values = (n: number, scale = 1) => Float32Array.from({ length: n }, () => (random() * 2 - 1) * scale);

function head(inputDim = 8, hidden = 4): EmotionHeadWeights {
  return { inputDim, hidden, w1: values(inputDim * hidden), b1: values(hidden), w2: values(hidden * EMOTION_CLASS_COUNT), bias: values(EMOTION_CLASS_COUNT) };
}

function delta(size = 100): EncoderLayerWeights {
  return Object.fromEntries(ENCODER_LAYER_PARAMS.map((n) => [n, values(size, 0.01)])) as EncoderLayerWeights;
}

const metadata = (version: string): EmotionModelMetadata => ({ version, createdAt: new Date(0).toISOString(), encoderVersion: 'ft-x', classes: [], hyperParameters: {}, data: {}, metrics: {} });

describe('emotion model artifacts of both kinds', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'emotion-store-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a branch artifact stores its layers as int8-block deltas (a quarter of float32) and reads them back within half a step', () => {
    const deltas = [delta(), delta()];
    saveEmotionModel(dir, { version: 'b', encoderVersion: 'ft-x', head: head(), branch: { from: 4, init: 'accurate', deltas } }, metadata('b'));
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'b', 'model.json'), 'utf8'));
    expect(json.kind).toBe('branch');
    expect(json.branch).toEqual({ from: 4, count: 2, init: 'accurate' });
    expect(json.weights.filter((w: { dtype?: string }) => w.dtype === 'int8')).toHaveLength(2 * ENCODER_LAYER_PARAMS.length);
    const loaded = readEmotionModel(dir, 'b');
    expect(emotionModelKind(loaded)).toBe('branch');
    expect(loaded.branch!.from).toBe(4);
    expect(loaded.branch!.init).toBe('accurate');
    loaded.branch!.deltas.forEach((d, k) =>
      ENCODER_LAYER_PARAMS.forEach((n) => {
        const max = Math.max(...Array.from(deltas[k][n]).map(Math.abs));
        d[n].forEach((v, i) => expect(Math.abs(v - deltas[k][n][i])).toBeLessThanOrEqual(max / 127 / 2 + 1e-9));
      }),
    );
  });

  test('a pooled artifact says so and has no branch; one written before kinds existed still loads as pooled', () => {
    const h = head();
    saveEmotionModel(dir, { version: 'p', encoderVersion: 'ft-x', head: h }, metadata('p'));
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'p', 'model.json'), 'utf8')).kind).toBe('pooled');
    const p = readEmotionModel(dir, 'p');
    expect(p.branch).toBeUndefined();
    expect(Array.from(p.head.w2)).toEqual(Array.from(h.w2));
    // the first shipped heads (no kind field in model.json)
    const shipped = emotionsDirBeside(defaultModelsDir());
    const old = 'emo-2026-12-06-ng20-s7';
    expect(JSON.parse(fs.readFileSync(path.join(shipped, old, 'model.json'), 'utf8')).kind).toBeUndefined();
    const model = readEmotionModel(shipped, old);
    expect(emotionModelKind(model)).toBe('pooled');
    expect(model.head.ngram?.kernel).toHaveLength(model.head.ngram!.features.buckets * EMOTION_CLASS_COUNT);
    expect(activeEmotionVersion(shipped)).toBeTruthy();
  });

  test('refuses a branch artifact whose manifest lost its layers or scales', () => {
    saveEmotionModel(dir, { version: 'b', encoderVersion: 'ft-x', head: head(), branch: { from: 5, init: 'pretrained', deltas: [delta()] } }, metadata('b'));
    const file = path.join(dir, 'b', 'model.json');
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, JSON.stringify({ ...json, branch: undefined }));
    expect(() => readEmotionModel(dir, 'b')).toThrow(/kind "branch" without its branch layers/);
    fs.writeFileSync(file, JSON.stringify({ ...json, weights: json.weights.filter((w: { name: string }) => !w.name.endsWith('.scales')) }));
    expect(() => readEmotionModel(dir, 'b')).toThrow(/lack .*\.scales|shorter|lack/);
  });
});
