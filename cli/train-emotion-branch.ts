/**
 * `npm run train:emotions -- --branch-layers K [--branch-init accurate|pretrained] [--cv]
 * [--cv-folds 0,1] [--checkpoints 1,2,3] [--save-fold F [DIR]] [--no-final] [--ngram]
 * [--warm-start-epochs N] [--epochs N] [--encoder-lr R] [--learning-rate R] [--class-balance P]
 * [--goemotions-weight W --goemotions-limit N] [--version V] [--activate]`:
 * the emotion branch (ml/emotions/emotion-branch.ts). The active accurate encoder's layers
 * [0, 6-K) run once per text (their output cached in .cache/finetune); the branch's own copy
 * of the top K layers is fine-tuned with the emotion head on EmTract's StockTwits messages
 * (plus, with weight W, N GoEmotions Reddit comments). `--warm-start-epochs N` starts the head
 * from a pooled-state head trained N epochs on the same rows (per training fold in CV).
 * `--cv` reports 5-fold stratified CV (seed 7, the pooled head's folds) at checkpoint epochs;
 * `--cv-folds` screens on some folds only; `--save-fold F` writes fold F's branch and test rows
 * (scratch/emotion-folds) to check the serving path. `--activate` activates the new version
 * only when its 5-fold CV beats the active emotion model's on both accuracy and macro-F1.
 */
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../config/paths';
import { EMOTION_LABELS, emotionIndex } from '../domain/emotions/labels';
import { formatEmotionReport } from '../domain/emotions/metrics';
import {
  activeEmotionVersion,
  type BranchCvRow,
  type BranchInit,
  type BranchText,
  classWeights,
  crossValidateBranch,
  DEFAULT_EMOTION_BRANCH_CONFIG,
  defaultEncoderDir,
  type EmotionBranchConfig,
  emotionsDirBeside,
  ensureHiddenStates,
  HiddenStateCache,
  layerDelta,
  loadSentenceEncoder,
  oneHot,
  parseGoEmotionsTsv,
  prepareForScoring,
  readEmotionCsv,
  readEmotionMetadata,
  saveEmotionModel,
  seededRandom,
  SentenceEncoder,
  setActiveEmotionVersion,
  sha256File,
  shuffleInPlace,
  softTarget,
  cvMetrics,
  EMOTION_CV_FOLDS,
  emotionFolds,
  tfRuntime,
  trainEmotionBranch,
  trainEmotionHead,
  DEFAULT_EMOTION_HEAD_CONFIG,
  type EmotionExample,
  type EmotionHeadWeights,
  type TrainedEmotionBranch,
} from '../ml';
import { EMOTION_NGRAM_CONFIG, emotionSparse, fitEmotionIdf } from '../ml/emotions/emotion-text';
import { numberFlag } from './flags';
import { embedTexts } from './train-emotions';
import type { FeatureConfig } from '../ml/serving/fast/text-features';


export async function trainEmotionBranchCli(flags: Map<string, string>, opts: { modelsDir: string; accurate: string; dataDir: string }): Promise<void> {
  const { modelsDir, accurate, dataDir } = opts;
  const init = (flags.get('branch-init') ?? 'accurate') as BranchInit;
  if (init !== 'accurate' && init !== 'pretrained') throw new Error(`--branch-init must be accurate or pretrained, got "${init}"`);
  const d = DEFAULT_EMOTION_BRANCH_CONFIG;
  const config: EmotionBranchConfig = {
    seed: numberFlag(flags, 'seed', d.seed),
    layers: numberFlag(flags, 'branch-layers', d.layers),
    init,
    epochs: numberFlag(flags, 'epochs', d.epochs),
    batchSize: numberFlag(flags, 'batch-size', d.batchSize),
    encoderLearningRate: numberFlag(flags, 'encoder-lr', d.encoderLearningRate),
    headLearningRate: numberFlag(flags, 'learning-rate', d.headLearningRate),
    hidden: numberFlag(flags, 'hidden', d.hidden),
    dropout: numberFlag(flags, 'dropout', d.dropout),
    l2: numberFlag(flags, 'l2', d.l2),
    warmupFraction: numberFlag(flags, 'warmup', d.warmupFraction),
  };
  const withNgram = flags.get('ngram') === 'true';
  // --warm-start-epochs N: start the branch's head from a pooled-state head trained N epochs on the same rows
  const warmEpochs = numberFlag(flags, 'warm-start-epochs', 0);
  const goWeight = numberFlag(flags, 'goemotions-weight', 0);
  const goLimit = numberFlag(flags, 'goemotions-limit', 0);
  const balance = numberFlag(flags, 'class-balance', 0);

  const { tf, backend } = await tfRuntime();
  const encoderDir = defaultEncoderDir();
  const encoder = loadSentenceEncoder(tf, { dir: encoderDir, maxLength: 256, fineTuned: { modelsDir, version: accurate } });
  const initEncoder = init === 'accurate' ? encoder : SentenceEncoder.load(tf, { dir: encoderDir, maxLength: 256 });
  const from = encoder.layerCount - config.layers;

  const stFile = path.join(dataDir, 'emtract', 'train.csv');
  const goDir = path.join(dataDir, 'goemotions-ekman');
  const rows = readEmotionCsv(stFile);
  let go = goWeight > 0 ? parseGoEmotionsTsv(fs.readFileSync(path.join(goDir, 'train.tsv'), 'utf8'), fs.readFileSync(path.join(goDir, 'labels.txt'), 'utf8').split('\n').filter(Boolean)) : [];
  if (goLimit > 0) go = shuffleInPlace([...go], seededRandom(config.seed + 31)).slice(0, goLimit);
  // what the scorer does: refuse texts without Latin letters, encode the prepared text
  const idsOf = (text: string): number[] | undefined => {
    const p = prepareForScoring(text);
    return 'text' in p ? encoder.tokenizer.encode(p.text, encoder.maxLength).ids : undefined;
  };
  const stIds = rows.map((r) => idsOf(r.text));
  const goIds = go.map((r) => idsOf(r.text));

  const cacheDir = path.join(repoRoot(), '.cache', 'finetune');
  const cacheName = `${accurate}-L${encoder.maxLength}-from${from}`;
  const cache = HiddenStateCache.load(cacheDir, cacheName, encoder.dim);
  const before = cache.size;
  const cacheStarted = Date.now();
  ensureHiddenStates(
    encoder,
    accurate,
    from,
    cache,
    [...stIds, ...goIds].filter((ids): ids is number[] => ids !== undefined),
    { onProgress: (done, total) => done % 2048 < 32 && console.log(`cached ${done}/${total} texts (${(done / ((Date.now() - cacheStarted) / 1000)).toFixed(1)}/s)`) },
  );
  if (cache.size > before) cache.save(cacheDir, cacheName);
  console.log(`hidden states (input of layer ${from} of ${accurate}): ${cache.size} texts, ${cache.size - before} new in ${((Date.now() - cacheStarted) / 1000).toFixed(0)}s`);
  const states = (ids: number[]) => cache.get(HiddenStateCache.key(accurate, from, ids))!;

  const targets = rows.map((r) => emotionIndex(r.label));
  const weights = classWeights(targets, balance);
  // GoEmotions rows: soft targets at their own weight; with the n-gram part, vectors under the StockTwits IDF
  const extra: Array<BranchText & { text: string }> = go.flatMap((r, i) => {
    const ids = goIds[i];
    return ids ? [{ text: r.text, ids, states: states(ids), target: softTarget(r.labels), weight: goWeight }] : [];
  });
  console.log(`emotion branch: layers [${from}, ${encoder.layerCount}) from ${init === 'accurate' ? accurate : 'the pretrained encoder'}, on ${backend}; ${rows.length} StockTwits rows; ${extra.length} GoEmotions rows at weight ${goWeight}; ngram ${withNgram}; config ${JSON.stringify(config)}`);

  const emotionsDir = flags.get('emotions-dir') ?? emotionsDirBeside(modelsDir);
  const data: Record<string, { file: string; sha256: string; rows: number }> = {
    stocktwits: { file: path.relative(path.dirname(dataDir), stFile), sha256: sha256File(stFile), rows: rows.length },
  };
  if (goWeight > 0) data.goemotions = { file: path.relative(path.dirname(dataDir), path.join(goDir, 'train.tsv')), sha256: sha256File(path.join(goDir, 'train.tsv')), rows: extra.length };
  /** Writes a trained branch as a version: int8 deltas to its init layers, metadata with everything that made it. */
  const save = (into: string, version: string, trained: TrainedEmotionBranch, metrics: Record<string, unknown>, more: Record<string, unknown>): string =>
    saveEmotionModel(
      into,
      { version, encoderVersion: accurate, head: trained.head, branch: { from, init, deltas: trained.branch.layers.map((w, k) => layerDelta(w, initEncoder.layerWeights(from + k))) } },
      {
        version,
        createdAt: new Date().toISOString(),
        kind: 'branch',
        encoderVersion: accurate,
        baseEncoderSha256: sha256File(path.join(encoderDir, 'model.safetensors')),
        classes: [...EMOTION_LABELS],
        hyperParameters: {
          ...config,
          branch: `own copy of encoder layers [${from}, ${encoder.layerCount}) (initialised from ${init === 'accurate' ? accurate : 'the pretrained encoder'}), stored as int8-block deltas to those`,
          goemotionsWeight: goWeight,
          ...(goLimit ? { goemotionsLimit: goLimit } : {}),
          classBalancePower: balance,
          input: 'L2-normalised mean of the branch layers output over the text tokens',
          ...(trained.head.ngram ? { ngram: { ...trained.head.ngram.features, text: 'emoji spelled as words, then the fast tier hashed word/char n-gram TF-IDF; IDF fitted on the training texts (per training fold in CV)' } } : {}),
        },
        data,
        metrics,
        ...(warmEpochs > 0 ? { warmStart: `head started from a pooled-state head (${warmEpochs} epochs, emotion-head.ts defaults otherwise) trained on the same rows` } : {}),
        ...more,
      },
    );

  // the warm start: the pooled-state head (emotion-head.ts, as train:emotions without a branch trains it)
  const pooled = warmEpochs > 0 ? await embedTexts(accurate, modelsDir, rows.map((r) => r.text)) : undefined;
  const warmStart = (seed: number, rowIndexes: readonly number[], ngram: { features: FeatureConfig; idf: Float32Array } | undefined): EmotionHeadWeights | undefined => {
    if (!pooled) return undefined;
    const examples: EmotionExample[] = rowIndexes.flatMap((i) => {
      const dense = pooled(rows[i].text);
      return dense ? [{ dense, target: oneHot(targets[i]), weight: weights[targets[i]], ...(ngram ? { sparse: emotionSparse(rows[i].text, ngram.features, ngram.idf) } : {}) }] : [];
    });
    const started = Date.now();
    const head = trainEmotionHead(tf, { ...DEFAULT_EMOTION_HEAD_CONFIG, seed, hidden: config.hidden, epochs: warmEpochs }, examples, undefined, ngram);
    console.log(`warm start: pooled-state head, ${warmEpochs} epochs on ${examples.length} rows (${((Date.now() - started) / 1000).toFixed(0)}s)`);
    return head;
  };

  const metrics: Record<string, unknown> = {};
  if (flags.get('cv') === 'true') {
    const folds = emotionFolds(rows.map((r) => r.label));
    const onlyFolds = flags.get('cv-folds')?.split(',').map(Number);
    const checkpoints = flags.get('checkpoints')?.split(',').map(Number) ?? [...new Set([Math.ceil(config.epochs / 2), config.epochs])];
    const cvRows: BranchCvRow[] = rows.map((r, i) => ({ text: r.text, target: targets[i], ...(stIds[i] ? { tokens: { ids: stIds[i]!, states: states(stIds[i]!) } } : {}) }));
    // --save-fold F DIR: fold F's branch (trained on the other folds) as a version in DIR, and fold F's rows as DIR/fold<F>.csv,
    // to check that eval:emotions (the product's path) gives the CV's figure on that fold
    const saveFold = flags.get('save-fold')?.split(/[ ,]/);
    const started = Date.now();
    const cv = crossValidateBranch(tf, initEncoder, cvRows, folds, { ...config, epochs: Math.max(...checkpoints) }, {
      checkpoints,
      classWeights: weights,
      ...(extra.length ? { extra } : {}),
      ...(withNgram ? { ngram: EMOTION_NGRAM_CONFIG } : {}),
      ...(onlyFolds ? { onlyFolds } : {}),
      ...(pooled ? { warmStart: (fold: number, trainRows: number[], ngram: { features: FeatureConfig; idf: Float32Array } | undefined) => warmStart(config.seed + fold, trainRows, ngram)! } : {}),
      say: (line) => line.startsWith('epoch') && console.log(line),
      onFold: (fold, epoch, r) => console.log(`fold ${fold} epoch ${epoch}: accuracy ${r.accuracy.toFixed(4)} macro-F1 ${r.macroF1.toFixed(4)} (${((Date.now() - started) / 1000).toFixed(0)}s)`),
      onTrained: (fold, trained) => {
        if (!saveFold || Number(saveFold[0]) !== fold) return;
        const into = saveFold[1] ?? path.join(repoRoot(), 'scratch', 'emotion-folds');
        const dir = save(into, `fold${fold}-of-${EMOTION_CV_FOLDS.k}-s${EMOTION_CV_FOLDS.seed}`, trained, {}, { trainedOn: `folds other than ${fold} of ${EMOTION_CV_FOLDS.k} (seed ${EMOTION_CV_FOLDS.seed})` });
        const quote = (t: string) => `"${t.replace(/"/g, '""')}"`;
        fs.writeFileSync(path.join(into, `fold${fold}.csv`), ['text,label', ...rows.filter((_, i) => folds[i] === fold).map((r) => `${quote(r.text)},${r.label}`)].join('\n') + '\n');
        console.log(`fold ${fold}'s branch: ${dir}; its test rows: ${path.join(into, `fold${fold}.csv`)}`);
      },
    });
    const foldsRun = onlyFolds ? onlyFolds.join(',') : 'all';
    for (const [epoch, r] of cv.byEpoch) {
      console.log(
        `cv folds=${foldsRun} epochs=${epoch} accuracy=${r.report.accuracy.toFixed(4)} macro_f1=${r.report.macroF1.toFixed(4)} fold macro-F1 ${r.foldMacroF1.map((x) => x.toFixed(3)).join(' ')} fold accuracy ${r.foldAccuracy.map((x) => x.toFixed(3)).join(' ')}`,
      );
    }
    const last = Math.max(...checkpoints);
    const final = cv.byEpoch.get(last)!;
    console.log(formatEmotionReport(`${onlyFolds ? `folds ${foldsRun} of ` : ''}5-fold CV (pooled out-of-fold), ${last} epochs`, final.report));
    if (!onlyFolds) {
      metrics.cv5 = cvMetrics(last, final);
    }
  }
  if (flags.get('no-final') === 'true') return;

  const scoreable = rows.filter((_, i) => stIds[i]);
  const ngram = withNgram ? { features: EMOTION_NGRAM_CONFIG, idf: fitEmotionIdf(scoreable.map((r) => r.text)) } : undefined;
  const texts: BranchText[] = rows.flatMap((r, i) => {
    const ids = stIds[i];
    return ids ? [{ ids, states: states(ids), target: oneHot(targets[i]), weight: weights[targets[i]], ...(ngram ? { sparse: emotionSparse(r.text, ngram.features, ngram.idf) } : {}) }] : [];
  });
  const started = Date.now();
  const extraTexts = extra.map(({ text, ...e }) => (ngram ? { ...e, sparse: emotionSparse(text, ngram.features, ngram.idf) } : e));
  const warm = warmStart(
    config.seed,
    rows.map((_, i) => i),
    ngram,
  );
  const trained = trainEmotionBranch(tf, initEncoder, config, [...texts, ...extraTexts], { ...(ngram ? { ngram } : {}), ...(warm ? { warmStart: warm } : {}), say: (line) => line.startsWith('epoch') && console.log(`final: ${line}`) });
  const seconds = (Date.now() - started) / 1000;
  const version = flags.get('version') ?? `emo-${new Date().toISOString().slice(0, 10)}-b${config.layers}-s${config.seed}`;
  const dir = save(emotionsDir, version, trained, metrics, { trainingSeconds: Math.round(seconds) });
  console.log(`saved ${dir} (trained in ${seconds.toFixed(0)}s)`);
  if (flags.get('activate') === 'true') {
    const cv = metrics.cv5 as { accuracy: number; macroF1: number } | undefined;
    const active = activeEmotionVersion(emotionsDir);
    const activeCv = active ? (readEmotionMetadata(emotionsDir, active).metrics.cv5 as { accuracy: number; macroF1: number } | undefined) : undefined;
    if (!cv) console.log('not activated: --activate needs the 5-fold --cv figures');
    else if (activeCv && !(cv.accuracy > activeCv.accuracy && cv.macroF1 > activeCv.macroF1)) {
      console.log(`not activated: CV ${cv.accuracy.toFixed(4)} / ${cv.macroF1.toFixed(4)} does not beat the active ${active}'s ${activeCv.accuracy.toFixed(4)} / ${activeCv.macroF1.toFixed(4)}`);
    } else {
      setActiveEmotionVersion(emotionsDir, version);
      console.log(`active emotion model: ${version}`);
    }
  }
}
