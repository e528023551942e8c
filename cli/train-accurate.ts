/**
 * `npm run train:sentiment -- --tier accurate [--seed N --version NAME --no-activate]`:
 * trains the accurate tier (heads over the frozen all-MiniLM-L6-v2 encoder) on twitter train
 * + 80% of consistent SEntFiN (headline head) and the SEntFiN entity-level training split
 * (entity head), evaluates both, and writes models/sentiment/<version>/. Embeddings come
 * from the on-disk cache (.cache/encoder), filled on first use (slow: one encoder pass per text).
 */
import path from 'node:path';
import fs from 'node:fs';
import { labelFromIndex, type SentimentLabel } from '../domain/sentiment';
import { type AccurateTrainingConfig, buildSplits, CLASS_COUNT, DEFAULT_FEATURE_CONFIG, defaultEncoderDir, defaultModelsDir, type EmbeddingLookup, ENCODER_NAME, ensureEmbeddings, type EntityHeadline, entityInput, entityRows, entitySplit, evaluate, type EvaluationReport, formatReport, type HeadWeights, type LabelledText, predictHead, saveEncoderHeadModel, SentenceEncoder, sentenceKey, setActiveTierVersion, sha256File, spanKey, type Tf, tfRuntime, trainAccurate, uploadHead, vectorise } from '../ml';
import { openEmbeddingCache } from './embed-sentiment';
import { numberFlag, sentimentDataFiles } from './flags';
import { trainFinetuneCli } from './train-finetune';

function argmax(p: Float32Array, row: number): number {
  let best = 0;
  for (let c = 1; c < CLASS_COUNT; c++) if (p[row * CLASS_COUNT + c] > p[row * CLASS_COUNT + best]) best = c;
  return best;
}

function predictSentences(tf: Tf, head: HeadWeights, lookup: EmbeddingLookup, texts: readonly string[]): SentimentLabel[] {
  const uploaded = uploadHead(tf, head);
  const out: SentimentLabel[] = [];
  for (let s = 0; s < texts.length; s += 512) {
    const chunk = texts.slice(s, s + 512);
    const ngram = head.ngram;
    const p = predictHead(tf, uploaded, chunk.map((t) => lookup.sentence(t)), ngram ? chunk.map((t) => vectorise(t, ngram.features, ngram.idf)) : undefined);
    chunk.forEach((_, row) => out.push(labelFromIndex(argmax(p, row))));
  }
  uploaded.dispose();
  return out;
}

function predictEntities(tf: Tf, head: HeadWeights, lookup: EmbeddingLookup, rows: ReturnType<typeof entityRows>): SentimentLabel[] {
  const uploaded = uploadHead(tf, head);
  const out: SentimentLabel[] = [];
  for (let s = 0; s < rows.length; s += 512) {
    const chunk = rows.slice(s, s + 512);
    const p = predictHead(tf, uploaded, chunk.map((r) => entityInput(lookup, r.text, r.span)));
    chunk.forEach((_, row) => out.push(labelFromIndex(argmax(p, row))));
  }
  uploaded.dispose();
  return out;
}

export interface EntityEvaluation {
  mixed: { entities: number; headlines: number; head: EvaluationReport; baselineHeadlineModel: EvaluationReport; baselineMajorityOracle: EvaluationReport };
  all: { entities: number; head: EvaluationReport; baselineHeadlineModel: EvaluationReport };
}

/** Entity head vs giving every entity the headline model's label (and vs the headline's majority entity label, an oracle). */
export function evaluateEntityLevel(tf: Tf, sentence: HeadWeights, entity: HeadWeights, lookup: EmbeddingLookup, test: readonly EntityHeadline[]): EntityEvaluation {
  const rowsOf = (hs: readonly EntityHeadline[]) => entityRows(hs);
  const headlineLabel = new Map<string, SentimentLabel>();
  const texts = [...new Set(test.map((h) => h.text))];
  predictSentences(tf, sentence, lookup, texts).forEach((l, i) => headlineLabel.set(texts[i], l));
  const mixedHeadlines = test.filter((h) => h.mixed);
  const mixedRows = rowsOf(mixedHeadlines);
  const allRows = rowsOf(test);
  const majority = (h: EntityHeadline): SentimentLabel => {
    const counts = new Map<SentimentLabel, number>();
    for (const e of h.entities) counts.set(e.label, (counts.get(e.label) ?? 0) + 1);
    return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0][0];
  };
  return {
    mixed: {
      entities: mixedRows.length,
      headlines: mixedHeadlines.length,
      head: evaluate(mixedRows.map((r) => r.label), predictEntities(tf, entity, lookup, mixedRows)),
      baselineHeadlineModel: evaluate(mixedRows.map((r) => r.label), mixedRows.map((r) => headlineLabel.get(r.text)!)),
      baselineMajorityOracle: evaluate(
        mixedRows.map((r) => r.label),
        mixedHeadlines.flatMap((h) => h.entities.map(() => majority(h))),
      ),
    },
    all: {
      entities: allRows.length,
      head: evaluate(allRows.map((r) => r.label), predictEntities(tf, entity, lookup, allRows)),
      baselineHeadlineModel: evaluate(allRows.map((r) => r.label), allRows.map((r) => headlineLabel.get(r.text)!)),
    },
  };
}


export async function trainAccurateCli(flags: Map<string, string>): Promise<void> {
  if (flags.has('fine-tune-layers')) return trainFinetuneCli(flags);
  const files = sentimentDataFiles(flags);
  const modelsDir = flags.get('models-dir') ?? defaultModelsDir();
  const splitSeed = numberFlag(flags, 'split-seed', 42);
  const seed = numberFlag(flags, 'seed', 7);
  const version = flags.get('version') ?? `enc-${new Date().toISOString().slice(0, 10)}-s${seed}`;
  const config: AccurateTrainingConfig = {
    seed,
    features: DEFAULT_FEATURE_CONFIG,
    sentence: {
      hidden: numberFlag(flags, 'hidden', 256),
      learningRate: numberFlag(flags, 'lr', 0.003),
      batchSize: numberFlag(flags, 'batch', 32),
      epochs: numberFlag(flags, 'epochs', 12),
      dropout: numberFlag(flags, 'dropout', 0.2),
      l2: numberFlag(flags, 'l2', 0),
    },
    entity: {
      hidden: numberFlag(flags, 'entity-hidden', 256),
      learningRate: numberFlag(flags, 'entity-lr', 0.002),
      batchSize: 32,
      epochs: numberFlag(flags, 'entity-epochs', 30),
      dropout: numberFlag(flags, 'entity-dropout', 0.2),
      l2: 0,
    },
    earlyStoppingFraction: 0.1,
  };

  const started = Date.now();
  const splits = buildSplits(files, splitSeed);
  const entities = entitySplit(files.sentfin, splitSeed);
  console.log(
    `train ${splits.train.length} rows; ${splits.evaluations.map((e) => `${e.name} ${e.rows.length}`).join(', ')}; ` +
      `entity train ${entities.train.length} headlines, entity test ${entities.test.length} (${entities.test.filter((h) => h.mixed).length} mixed)`,
  );
  const { tf, backend } = await tfRuntime();
  const encoderDir = flags.get('encoder-dir') ?? defaultEncoderDir();
  const encoder = SentenceEncoder.load(tf, { dir: encoderDir });
  const cache = openEmbeddingCache(encoder);
  const items = [
    ...splits.train.map((r) => ({ text: r.text })),
    ...splits.evaluations.flatMap((e) => e.rows.map((r) => ({ text: r.text }))),
    ...[...entities.train, ...entities.test].map((h) => ({ text: h.text, spans: h.entities.flatMap((e) => (e.span ? [e.span] : [])) })),
  ];
  const embedStarted = Date.now();
  // --cached-only: train on the training rows whose embeddings are already cached (the
  // evaluation rows must all be there); for a machine too busy to finish the embedding pass.
  const cachedOnly = flags.get('cached-only') === 'true';
  const cached = (text: string) => cache.has(sentenceKey(encoder, ENCODER_NAME, text));
  const trainRowsAll = splits.train.length;
  const entityTrainAll = entities.train.length;
  if (cachedOnly) {
    const missingEval = [...splits.evaluations.flatMap((e) => e.rows.map((r) => r.text)), ...entities.test.map((h) => h.text)].filter((t) => !cached(t));
    ensureEmbeddings(encoder, ENCODER_NAME, cache, missingEval.map((text) => ({ text, spans: entities.test.find((h) => h.text === text)?.entities.flatMap((e) => (e.span ? [e.span] : [])) })));
    splits.train = splits.train.filter((r) => cached(r.text));
    entities.train = entities.train.filter((h) => cached(h.text));
    console.log(`--cached-only: training on ${splits.train.length} of ${trainRowsAll} rows and ${entities.train.length} of ${entityTrainAll} entity headlines`);
  } else {
    ensureEmbeddings(encoder, ENCODER_NAME, cache, items, {
      onProgress: (done, total) => {
        if (done % 1024 === 0 || done === total) console.log(`embedded ${done}/${total} missing texts`);
      },
    });
  }
  const embeddingSeconds = (Date.now() - embedStarted) / 1000;
  const lookup: EmbeddingLookup = {
    sentence: (text) => {
      const v = cache.get(sentenceKey(encoder, ENCODER_NAME, text));
      if (!v) throw new Error(`no cached embedding for "${text}"`);
      return v;
    },
    span: (text, span) => (span ? cache.get(spanKey(encoder, ENCODER_NAME, text, span)) : undefined) ?? lookup.sentence(text),
  };

  const result = trainAccurate(tf, config, splits.train, entities.train, lookup, (line) => console.log(line));
  console.log(`heads trained in ${result.seconds.toFixed(1)}s`);

  const metrics: Record<string, EvaluationReport> = {};
  for (const evaluation of splits.evaluations) {
    const predicted = predictSentences(tf, result.sentence, lookup, evaluation.rows.map((r: LabelledText) => r.text));
    metrics[evaluation.name] = evaluate(evaluation.rows.map((r) => r.label), predicted);
    console.log(formatReport(evaluation.name, metrics[evaluation.name]));
  }
  const entityEval = evaluateEntityLevel(tf, result.sentence, result.entity, lookup, entities.test);
  console.log(formatReport(`sentfin-entity-test mixed headlines (${entityEval.mixed.headlines}), entity head`, entityEval.mixed.head));
  console.log(formatReport('sentfin-entity-test mixed, baseline: headline model label for every entity', entityEval.mixed.baselineHeadlineModel));
  console.log(formatReport('sentfin-entity-test mixed, oracle: majority entity label of the headline', entityEval.mixed.baselineMajorityOracle));
  console.log(formatReport('sentfin-entity-test all entities, entity head', entityEval.all.head));

  const safetensors = path.join(encoderDir, 'model.safetensors');
  const metadata = {
    version,
    tier: 'accurate',
    createdAt: new Date().toISOString(),
    model: `frozen ${ENCODER_NAME} mean-pooled embedding -> MLP(${config.sentence.hidden}) + hashed TF-IDF n-gram linear part, trained jointly; entity head MLP(${config.entity.hidden}) over [entity-span embedding ; sentence embedding] (TensorFlow.js)`,
    backend,
    encoder: { name: ENCODER_NAME, maxLength: encoder.maxLength, safetensorsSha256: sha256File(safetensors) },
    trainingSeconds: result.seconds,
    embeddingSeconds,
    totalSeconds: (Date.now() - started) / 1000,
    bestEpoch: { sentence: result.sentenceBestEpoch, entity: result.entityBestEpoch },
    hyperParameters: { ...config, splitSeed },
    data: Object.fromEntries(Object.entries(files).map(([key, file]) => [key, { file: path.basename(file), sha256: sha256File(file) }])),
    trainRows: splits.train.length,
    trainRowsAvailable: trainRowsAll,
    entityTrainHeadlines: entities.train.length,
    entityTrainHeadlinesAvailable: entityTrainAll,
    cachedOnly,
    metricsNote: 'computed from cached encoder embeddings; `npm run eval:sentiment` re-scores live',
    metrics: { ...metrics, 'sentfin-entity-test': entityEval } as Record<string, unknown>,
    trainingLog: result.log,
  };
  saveEncoderHeadModel(modelsDir, { encoder: metadata.encoder, sentence: result.sentence, entity: result.entity }, metadata);
  if (flags.get('no-activate') !== 'true') setActiveTierVersion(modelsDir, 'accurate', version);
  console.log(`wrote ${path.join(modelsDir, version)}${flags.get('no-activate') === 'true' ? '' : ' (active accurate tier)'}`);
  fs.mkdirSync(modelsDir, { recursive: true });
  console.log(
    [
      ...Object.entries(metrics).map(([name, r]) => `${name}_accuracy=${r.accuracy.toFixed(4)} ${name}_macro_f1=${r.macroF1.toFixed(4)}`),
      `entity_mixed_accuracy=${entityEval.mixed.head.accuracy.toFixed(4)} entity_mixed_macro_f1=${entityEval.mixed.head.macroF1.toFixed(4)}`,
    ].join(' '),
  );
}
