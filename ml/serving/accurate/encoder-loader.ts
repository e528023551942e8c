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
import { readEmotionModel } from '../../emotions/emotion-model-store';

/** Which trained model's encoder layers to merge into the base. */
export interface FineTunedSource {
  modelsDir: string;
  version: string;
}

/** An emotion model of kind 'branch' whose own top layers the encoder should carry. */
export interface EmotionBranchSource {
  emotionsDir: string;
  version: string;
}

export function loadSentenceEncoder(tf: Tf, opts: { dir: string; maxLength: number; fineTuned?: FineTunedSource; emotionBranch?: EmotionBranchSource }): SentenceEncoder {
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
  const emotion = opts.emotionBranch ? readEmotionModel(opts.emotionBranch.emotionsDir, opts.emotionBranch.version) : undefined;
  const branch = emotion?.branch;
  if (emotion && !branch) throw new Error(`emotion model ${emotion.version} has no branch layers (kind pooled): it reads the shared pooled state`);
  if (emotion && emotion.encoderVersion !== opts.fineTuned?.version) throw new Error(`emotion model ${emotion.version} branches from the encoder of ${emotion.encoderVersion}, not ${opts.fineTuned?.version ?? 'the base encoder'}`);
  const encoder = SentenceEncoder.load(tf, { dir: opts.dir, maxLength: opts.maxLength });
  // a branch started from the pretrained layers stores its deltas to those: read them before the merge
  const pretrained = branch?.init === 'pretrained' ? branch.deltas.map((_, k) => encoder.layerWeights(branch.from + k)) : undefined;
  layers?.deltas.forEach((delta, k) => encoder.setLayerWeights(layers.from + k, mergeLayerDelta(encoder.layerWeights(layers.from + k), delta)));
  if (branch) encoder.setBranch(branch.from, branch.deltas.map((delta, k) => mergeLayerDelta(pretrained?.[k] ?? encoder.layerWeights(branch.from + k), delta)));
  return encoder;
}
