/**
 * Loads the sentence encoder a model needs: the pretrained base, with the model's fine-tuned
 * top layers merged in (base + delta, once at load) when it has any. One home for this, so
 * the encoder pool's worker threads and the calling thread run the same weights.
 */
import path from 'node:path';
import { sha256File } from '../../data/datasets';
import { SentenceEncoder } from './encoder';
import { mergeLayerDelta } from './bert-layer';
import { readEncoderHeadModel } from './encoder-model-store';
import type { Tf } from '../../runtime/tf-runtime';

/** Which trained model's encoder layers to merge into the base. */
export interface FineTunedSource {
  modelsDir: string;
  version: string;
}

export function loadSentenceEncoder(tf: Tf, opts: { dir: string; maxLength: number; fineTuned?: FineTunedSource }): SentenceEncoder {
  const spec = opts.fineTuned ? readEncoderHeadModel(opts.fineTuned.modelsDir, opts.fineTuned.version) : undefined;
  const layers = spec?.encoderLayers;
  if (spec && layers) {
    // The deltas only make sense on the base they were trained from.
    const actual = sha256File(path.join(opts.dir, 'model.safetensors'));
    if (actual !== spec.encoder.safetensorsSha256) {
      throw new Error(
        `sentiment model ${opts.fineTuned!.version} was fine-tuned from an encoder with SHA-256 ${spec.encoder.safetensorsSha256}; ${opts.dir}/model.safetensors has ${actual}`,
      );
    }
  }
  const encoder = SentenceEncoder.load(tf, { dir: opts.dir, maxLength: opts.maxLength });
  layers?.deltas.forEach((delta, k) => encoder.setLayerWeights(layers.from + k, mergeLayerDelta(encoder.layerWeights(layers.from + k), delta)));
  return encoder;
}
