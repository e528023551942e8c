/**
 * Training the accurate tier's heads over cached frozen-encoder embeddings. Early stopping
 * looks only at a seeded slice of the training rows; the final heads are refit on every
 * training row for the chosen number of epochs. Deterministic for a seed.
 */
import { stratifiedSplit, type LabelledText } from '../data/datasets';
import { trainHead, type HeadExample, type HeadTrainingConfig, type HeadWeights } from '../serving/accurate/encoder-head';
import type { EntityHeadline } from '../data/entity-data';
import { fitIdf, vectorise, type FeatureConfig } from '../serving/fast/text-features';
import type { Tf } from '../runtime/tf-runtime';
import { labelIndex } from '../../domain/sentiment/types';

export interface AccurateTrainingConfig {
  seed: number;
  features: FeatureConfig;
  sentence: Omit<HeadTrainingConfig, 'seed'>;
  entity: Omit<HeadTrainingConfig, 'seed'>;
  earlyStoppingFraction: number;
}

export interface EmbeddingLookup {
  sentence(text: string): Float32Array;
  /** The entity's contextual embedding, or the sentence's when its span is unknown. */
  span(text: string, span: [number, number] | undefined): Float32Array;
}

export function entityInput(lookup: EmbeddingLookup, text: string, span: [number, number] | undefined): Float32Array {
  const s = lookup.sentence(text);
  const e = lookup.span(text, span);
  const v = new Float32Array(s.length * 2);
  v.set(e, 0);
  v.set(s, s.length);
  return v;
}

export interface EntityRow {
  text: string;
  span?: [number, number];
  label: LabelledText['label'];
}

export function entityRows(headlines: readonly EntityHeadline[]): EntityRow[] {
  return headlines.flatMap((h) => h.entities.map((e) => ({ text: h.text, span: e.span, label: e.label })));
}

export interface AccurateTrainingResult {
  sentence: HeadWeights;
  entity: HeadWeights;
  log: string[];
  sentenceBestEpoch: number;
  entityBestEpoch: number;
  seconds: number;
}

export function trainAccurate(
  tf: Tf,
  config: AccurateTrainingConfig,
  train: readonly LabelledText[],
  entityTrain: readonly EntityHeadline[],
  lookup: EmbeddingLookup,
  log: (line: string) => void = () => undefined,
): AccurateTrainingResult {
  const started = Date.now();
  const lines: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    log(line);
  };

  // Sentence head: dense embedding + hashed TF-IDF n-grams, jointly.
  const { train: fitRows, test: stopRows } = stratifiedSplit(train, config.earlyStoppingFraction, config.seed + 1);
  const fitIdfValues = fitIdf(fitRows.map((r) => r.text), config.features);
  const toExamples = (rows: readonly LabelledText[], idf: Float32Array): HeadExample[] =>
    rows.map((r) => ({ dense: lookup.sentence(r.text), sparse: vectorise(r.text, config.features, idf), target: labelIndex(r.label) }));
  const chosen = trainHead(tf, { ...config.sentence, seed: config.seed }, toExamples(fitRows, fitIdfValues), { features: config.features, idf: fitIdfValues }, toExamples(stopRows, fitIdfValues), (epoch, loss, acc) =>
    say(`sentence epoch ${epoch} loss ${loss.toFixed(4)} early-stop acc ${acc.toFixed(4)}`),
  );
  say(`sentence head: best epoch ${chosen.bestEpoch} (early-stop acc ${chosen.holdoutAccuracy.toFixed(4)}); refitting on all ${train.length} rows`);
  const idf = fitIdf(train.map((r) => r.text), config.features);
  const sentence = trainHead(tf, { ...config.sentence, seed: config.seed, epochs: chosen.bestEpoch }, toExamples(train, idf), { features: config.features, idf }, undefined).head;

  // Entity head: [entity-span embedding ; sentence embedding]; held-out slice by headline.
  const headlines = [...entityTrain];
  const stopCount = Math.round(headlines.length * config.earlyStoppingFraction);
  const { train: fitHeadlines, test: stopHeadlines } = stratifiedSplit(
    headlines.map((h, i) => ({ i, label: h.entities[0].label })),
    stopCount / headlines.length,
    config.seed + 2,
  );
  const toEntityExamples = (hs: readonly EntityHeadline[]): HeadExample[] =>
    entityRows(hs).map((r) => ({ dense: entityInput(lookup, r.text, r.span), target: labelIndex(r.label) }));
  const fitE = toEntityExamples(fitHeadlines.map((x) => headlines[x.i]));
  const stopE = toEntityExamples(stopHeadlines.map((x) => headlines[x.i]));
  const chosenE = trainHead(tf, { ...config.entity, seed: config.seed + 3 }, fitE, undefined, stopE, (epoch, loss, acc) =>
    say(`entity epoch ${epoch} loss ${loss.toFixed(4)} early-stop acc ${acc.toFixed(4)}`),
  );
  say(`entity head: best epoch ${chosenE.bestEpoch} (early-stop acc ${chosenE.holdoutAccuracy.toFixed(4)}); refitting on all ${fitE.length + stopE.length} entities`);
  const entity = trainHead(tf, { ...config.entity, seed: config.seed + 3, epochs: chosenE.bestEpoch }, [...fitE, ...stopE], undefined, undefined).head;

  return { sentence, entity, log: lines, sentenceBestEpoch: chosen.bestEpoch, entityBestEpoch: chosenE.bestEpoch, seconds: (Date.now() - started) / 1000 };
}
