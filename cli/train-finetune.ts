/**
 * `npm run train:sentiment -- --tier accurate --fine-tune-layers K [--cache-from L --epochs N --seed S --version V --no-activate]`:
 * fine-tunes the encoder's top K layers jointly with the sentence head (plus hashed n-grams)
 * and the entity head, on twitter train + 80% of consistent SEntFiN (sentences) and the SEntFiN
 * entity-level training split (entities). The frozen layers below run once per text; their
 * output is cached in .cache/finetune. The artifact holds the heads and the top layers' weight
 * deltas (int8 in blocks), pinned to the base encoder's SHA-256.
 */
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../config/paths';
import { labelFromIndex, labelIndex, type SentimentLabel } from '../domain/sentiment';
import { buildSplits, DEFAULT_FEATURE_CONFIG, defaultEncoderDir, defaultModelsDir, ENCODER_NAME, EncoderFinetuner, ensureHiddenStates, type EntityHeadline, entitySplit, evaluate, type FinetuneConfig, type FinetuneText, fitIdf, formatReport, HiddenStateCache, layerDelta, saveEncoderHeadModel, seededRandom, SentenceEncoder, setActiveTierVersion, sha256File, shuffleInPlace, tfRuntime, vectorise } from '../ml';
import { numberFlag, sentimentDataFiles } from './flags';


function argmax(q: Float32Array): number {
  return q.indexOf(Math.max(...q));
}

export async function trainFinetuneCli(flags: Map<string, string>): Promise<void> {
  const started = Date.now();
  const files = sentimentDataFiles(flags);
  const modelsDir = flags.get('models-dir') ?? defaultModelsDir();
  const splitSeed = numberFlag(flags, 'split-seed', 42);
  const seed = numberFlag(flags, 'seed', 7);
  const layersToTrain = numberFlag(flags, 'fine-tune-layers', 1);
  const version = flags.get('version') ?? `ft${layersToTrain}-${new Date().toISOString().slice(0, 10)}-s${seed}`;
  const limit = numberFlag(flags, 'limit', 0);

  const splits = buildSplits(files, splitSeed);
  const entities = entitySplit(files.sentfin, splitSeed);
  const { tf, backend } = await tfRuntime();
  const encoderDir = flags.get('encoder-dir') ?? defaultEncoderDir();
  const encoder = SentenceEncoder.load(tf, { dir: encoderDir });
  const trainFrom = encoder.layerCount - layersToTrain;
  const cachedFrom = numberFlag(flags, 'cache-from', trainFrom);
  const config: FinetuneConfig = {
    seed,
    cachedFrom,
    trainFrom,
    epochs: numberFlag(flags, 'epochs', 3),
    batchSize: numberFlag(flags, 'batch', 32),
    encoderLearningRate: numberFlag(flags, 'encoder-lr', 1e-4),
    headLearningRate: numberFlag(flags, 'lr', 1e-3),
    hidden: numberFlag(flags, 'hidden', 256),
    dropout: numberFlag(flags, 'dropout', 0.1),
    entityLossWeight: numberFlag(flags, 'entity-weight', 1),
    warmupFraction: numberFlag(flags, 'warmup', 0.06),
  };
  // Entities of mixed-label headlines ("X beats, Y slides") are the few examples that teach
  // the entity head to look at its span rather than the headline's mood.
  const mixedEntityWeight = numberFlag(flags, 'mixed-entity-weight', 2);
  const useNgrams = flags.get('no-ngrams') !== 'true';

  // Every text once: its sentence label (training rows) and entity labels (entity split).
  interface Item {
    text: string;
    ids: number[];
    sentence?: SentimentLabel;
    entities: Array<{ span: [number, number]; label: SentimentLabel; entity: string; weight?: number }>;
  }
  const tokenise = (text: string) => encoder.tokenizer.encode(text, encoder.maxLength).ids;
  const entityItems = (hs: readonly EntityHeadline[]) =>
    hs.map((h) => ({
      text: h.text,
      mixed: h.mixed,
      entities: h.entities.map((e) => {
        const [s, t] = e.span ?? [0, h.text.length];
        return { span: encoder.tokenSpan(h.text, s, t), label: e.label, entity: e.entity, weight: h.mixed ? mixedEntityWeight : 1 };
      }),
    }));
  const trainItems = new Map<string, Item>();
  let trainRows = splits.train;
  let entityTrain = entities.train;
  if (limit > 0) {
    const random = seededRandom(seed + 99);
    trainRows = shuffleInPlace([...trainRows], random).slice(0, limit);
    entityTrain = shuffleInPlace([...entityTrain], random).slice(0, Math.round(limit / 2));
  }
  for (const r of trainRows) if (!trainItems.has(r.text)) trainItems.set(r.text, { text: r.text, ids: tokenise(r.text), sentence: r.label, entities: [] });
  for (const h of entityItems(entityTrain)) {
    const item = trainItems.get(h.text) ?? { text: h.text, ids: tokenise(h.text), entities: [] };
    item.entities.push(...h.entities);
    trainItems.set(h.text, item);
  }
  const entityTest = entityItems(entities.test).map((h) => ({ ...h, ids: tokenise(h.text) }));
  const evalItems = splits.evaluations.map((e) => ({ name: e.name, rows: e.rows.map((r) => ({ ...r, ids: tokenise(r.text) })) }));
  console.log(
    `fine-tuning layers [${trainFrom}, ${encoder.layerCount}) (cached from ${cachedFrom}) on ${backend}: ${trainItems.size} training texts ` +
      `(${trainRows.length} sentence rows, ${entityTrain.length} entity headlines); ${evalItems.map((e) => `${e.name} ${e.rows.length}`).join(', ')}; entity test ${entityTest.length}`,
  );

  // The frozen layers' output, once per text (cached on disk across runs).
  const cacheDir = process.env.TIDINGS_FINETUNE_CACHE_DIR ?? path.join(repoRoot(), '.cache', 'finetune');
  const cacheName = `${ENCODER_NAME}-L${encoder.maxLength}-from${cachedFrom}`;
  const cache = HiddenStateCache.load(cacheDir, cacheName, encoder.dim);
  const allIds = [...[...trainItems.values()].map((i) => i.ids), ...evalItems.flatMap((e) => e.rows.map((r) => r.ids)), ...entityTest.map((h) => h.ids)];
  const before = cache.size;
  const cacheStarted = Date.now();
  ensureHiddenStates(encoder, ENCODER_NAME, cachedFrom, cache, allIds, {
    onProgress: (done, total) => {
      if (done % 1024 < 32 || done === total) console.log(`cached ${done}/${total} texts (${(done / ((Date.now() - cacheStarted) / 1000)).toFixed(1)}/s)`);
    },
  });
  const cacheSeconds = (Date.now() - cacheStarted) / 1000;
  if (cache.size > before) cache.save(cacheDir, cacheName);
  console.log(`hidden-state cache: ${cache.size} texts (${cache.size - before} new, ${cacheSeconds.toFixed(0)}s)`);
  if (flags.get('cache-only') === 'true') return;
  const states = (ids: readonly number[]) => cache.get(HiddenStateCache.key(ENCODER_NAME, cachedFrom, ids))!;

  // Early stopping looks at a seeded tenth of the training texts only.
  const items = [...trainItems.values()];
  shuffleInPlace(items, seededRandom(seed + 1));
  const stopCount = Math.round(items.length * 0.1);
  const fitItems = items.slice(stopCount);
  const stopItems = items.slice(0, stopCount);
  const ngram = useNgrams ? { features: DEFAULT_FEATURE_CONFIG, idf: fitIdf(trainRows.map((r) => r.text), DEFAULT_FEATURE_CONFIG) } : undefined;
  const toText = (
    item: { text: string; ids: number[]; sentence?: SentimentLabel; entities: ReadonlyArray<{ span: [number, number]; label: SentimentLabel; weight?: number }> },
    forceSentence = false,
  ): FinetuneText => ({
    ids: item.ids,
    states: states(item.ids),
    ...(item.sentence || forceSentence
      ? { sentence: { target: item.sentence ? labelIndex(item.sentence) : 1, ...(ngram ? { sparse: vectorise(item.text, ngram.features, ngram.idf) } : {}) } }
      : {}),
    entities: item.entities.map((e) => ({ span: e.span, target: labelIndex(e.label), weight: e.weight })),
  });
  const finetuner = new EncoderFinetuner(tf, encoder, config, ngram);
  const result = finetuner.train(fitItems.map((i) => toText(i)), stopItems.map((i) => toText(i)), (line) => console.log(line));
  finetuner.load(result);
  console.log(`fine-tuned in ${result.seconds.toFixed(0)}s; best epoch ${result.bestEpoch}`);

  // Metrics from the cached states (`npm run eval:sentiment` re-scores live).
  const metrics: Record<string, unknown> = {};
  const summary: string[] = [];
  for (const e of evalItems) {
    const p = finetuner.predict(e.rows.map((r) => toText({ ...r, sentence: r.label, entities: [] })));
    const report = evaluate(
      e.rows.map((r) => r.label),
      p.sentence.map((q) => labelFromIndex(argmax(q))),
    );
    metrics[e.name] = report;
    console.log(formatReport(e.name, report));
    summary.push(`${e.name}_accuracy=${report.accuracy.toFixed(4)} ${e.name}_macro_f1=${report.macroF1.toFixed(4)}`);
  }
  const entityPredicted = finetuner.predict(entityTest.map((h) => toText({ ...h, entities: h.entities }, true)));
  const entityReport = (mixedOnly: boolean) => {
    const actual: SentimentLabel[] = [];
    const predicted: SentimentLabel[] = [];
    const baseline: SentimentLabel[] = [];
    entityTest.forEach((h, i) => {
      if (mixedOnly && !h.mixed) return;
      h.entities.forEach((e, k) => {
        actual.push(e.label);
        predicted.push(labelFromIndex(argmax(entityPredicted.entity[i][k])));
        baseline.push(labelFromIndex(argmax(entityPredicted.sentence[i])));
      });
    });
    return { head: evaluate(actual, predicted), baselineHeadlineModel: evaluate(actual, baseline), entities: actual.length };
  };
  const mixed = entityReport(true);
  const all = entityReport(false);
  console.log(formatReport(`sentfin-entity-test mixed headlines (${mixed.entities} entities), entity head`, mixed.head));
  console.log(formatReport('sentfin-entity-test mixed, baseline: headline model label for every entity', mixed.baselineHeadlineModel));
  console.log(formatReport('sentfin-entity-test all entities, entity head', all.head));
  metrics['sentfin-entity-test'] = { mixed, all };
  summary.push(`entity_mixed_accuracy=${mixed.head.accuracy.toFixed(4)} entity_mixed_macro_f1=${mixed.head.macroF1.toFixed(4)}`);

  const base = Array.from({ length: layersToTrain }, (_, k) => encoder.layerWeights(trainFrom + k));
  const deltas = result.layers.map((w, k) => layerDelta(w, base[k]));
  const safetensors = path.join(encoderDir, 'model.safetensors');
  const metadata = {
    version,
    tier: 'accurate',
    createdAt: new Date().toISOString(),
    model:
      `${ENCODER_NAME} with its top ${layersToTrain} layer(s) fine-tuned (int8 block-quantised weight deltas) jointly with: sentence head MLP(${config.hidden}) over the mean-pooled embedding` +
      `${useNgrams ? ' + hashed TF-IDF n-gram linear part' : ''}; entity head MLP(${config.hidden}) over [entity-span pooled state ; sentence embedding] (TensorFlow.js)`,
    backend,
    encoder: { name: ENCODER_NAME, maxLength: encoder.maxLength, safetensorsSha256: sha256File(safetensors) },
    trainingSeconds: result.seconds,
    hiddenStateCacheSeconds: cacheSeconds,
    hiddenStateCacheNote: cache.size > before ? 'computed in this run' : 'the frozen layers output came from the on-disk cache of an earlier run',
    totalSeconds: (Date.now() - started) / 1000,
    bestEpoch: result.bestEpoch,
    hyperParameters: { ...config, mixedEntityWeight, splitSeed, ngrams: useNgrams ? DEFAULT_FEATURE_CONFIG : false, earlyStoppingFraction: 0.1, limit },
    data: Object.fromEntries(Object.entries(files).map(([key, file]) => [key, { file: path.basename(file), sha256: sha256File(file) }])),
    trainRows: trainRows.length,
    trainTexts: trainItems.size,
    entityTrainHeadlines: entityTrain.length,
    metricsNote: 'computed from cached frozen-layer states with float32 weights; `npm run eval:sentiment` re-scores live',
    metrics,
    trainingLog: result.log,
  };
  saveEncoderHeadModel(
    modelsDir,
    { encoder: metadata.encoder, sentence: result.sentence, entity: result.entity, encoderLayers: { from: trainFrom, deltas } },
    metadata as unknown as Parameters<typeof saveEncoderHeadModel>[2],
  );
  if (flags.get('no-activate') !== 'true') setActiveTierVersion(modelsDir, 'accurate', version);
  fs.mkdirSync(modelsDir, { recursive: true });
  console.log(`wrote ${path.join(modelsDir, version)}${flags.get('no-activate') === 'true' ? '' : ' (active accurate tier)'}`);
  console.log(summary.join(' '));
  finetuner.dispose();
  encoder.dispose();
}
