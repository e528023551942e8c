/**
 * `npm run train:emotions -- [--cv] [--goemotions-weight W] [--epochs N] [--version V] [--activate]`:
 * trains the emotion head on the pooled state of the active accurate-tier encoder (one forward
 * pass serves sentiment, entities and emotions), on EmTract's StockTwits messages
 * (../shared/data/emotions/emtract/train.csv) plus, with weight W (default 0: not used),
 * GoEmotions' Reddit comments (Ekman-mapped, multi-label rows as soft targets). Texts are
 * embedded once into the on-disk cache (.cache/encoder). `--cv` first reports 5-fold stratified
 * cross-validation (seed 7) on the StockTwits rows at several epoch counts, with the pooled
 * confusion matrix; the shipped head is trained on all rows, with the CV figures in its metadata.
 */
import fs from 'node:fs';
import path from 'node:path';
import { loadMlConfig } from '../config/ml';
import { repoRoot, sharedDataPath } from '../config/paths';
import { EMOTION_LABELS, emotionIndex } from '../domain/emotions/labels';
import { formatEmotionReport } from '../domain/emotions/metrics';
import {
  activeTierVersion,
  classWeights,
  configureMl,
  crossValidate,
  type CvRow,
  DEFAULT_EMOTION_HEAD_CONFIG,
  defaultEncoderDir,
  defaultModelsDir,
  EmbeddingCache,
  type EmotionExample,
  emotionsDirBeside,
  oneHot,
  parseGoEmotionsTsv,
  prepareForScoring,
  readEmotionCsv,
  saveEmotionModel,
  setActiveEmotionVersion,
  sha256File,
  softTarget,
  startEncoderPool,
  cvMetrics,
  emotionFolds,
  tfRuntime,
  trainEmotionHead,
} from '../ml';
import { EMOTION_NGRAM_CONFIG, emotionSparse, fitEmotionIdf } from '../ml/emotions/emotion-text';
import { numberFlag, parseFlags } from './flags';
import { trainEmotionBranchCli } from './train-emotion-branch';

const NGRAM_TEXT = 'emoji spelled as words, then the fast tier hashed word/char n-gram TF-IDF; IDF fitted on the training texts (per training fold in CV)';

/** Pooled states of the accurate version's encoder for every text the cache lacks (texts the scorer refuses are skipped). */
export async function embedTexts(accurateVersion: string, modelsDir: string, texts: readonly string[]): Promise<(text: string) => Float32Array | undefined> {
  const cache = new EmbeddingCache(path.join(repoRoot(), '.cache', 'encoder'), `${accurateVersion}-pooled`, 384);
  const key = (t: string) => EmbeddingCache.key(accurateVersion, t);
  const todo = [...new Set(texts)].flatMap((t) => {
    const p = prepareForScoring(t);
    return 'text' in p && !cache.has(key(t)) ? [{ raw: t, text: p.text }] : [];
  });
  if (todo.length > 0) {
    const pool = await startEncoderPool({ dir: defaultEncoderDir(), maxLength: 256, fineTuned: { modelsDir, version: accurateVersion } });
    try {
      const started = Date.now();
      for (let s = 0; s < todo.length; s += 256) {
        const chunk = todo.slice(s, s + 256);
        const { pooled } = await pool.embed(chunk.map((c) => pool.tokenizer.encode(c.text, pool.maxLength).ids));
        cache.putMany(chunk.map((c, i) => [key(c.raw), pooled.slice(i * pool.dim, (i + 1) * pool.dim)]));
        console.log(`embedded ${s + chunk.length}/${todo.length} (${(((s + chunk.length) / (Date.now() - started)) * 1000).toFixed(1)}/s)`);
      }
    } finally {
      await pool.close();
    }
  }
  return (t) => cache.get(key(t));
}

async function main(): Promise<void> {
  configureMl(loadMlConfig()); // the models and backend the environment names (config/ml.ts)
  const flags = parseFlags(process.argv.slice(2));
  const modelsDir = defaultModelsDir();
  const accurate = flags.get('encoder-version') ?? activeTierVersion(modelsDir, 'accurate');
  if (!accurate) throw new Error(`no active accurate sentiment model in ${modelsDir}: the emotion head reads its encoder`);
  const dataDir = flags.get('data-dir') ?? sharedDataPath('emotions');
  // --branch-layers K: the emotion head with its own copy of the encoder's top K layers
  if (flags.has('branch-layers')) return trainEmotionBranchCli(flags, { modelsDir, accurate, dataDir });
  const stFile = path.join(dataDir, 'emtract', 'train.csv');
  const goDir = path.join(dataDir, 'goemotions-ekman');
  const goWeight = numberFlag(flags, 'goemotions-weight', 0);
  const balance = numberFlag(flags, 'class-balance', 0);
  // --ngram: the head also reads hashed n-gram TF-IDF of the text (emoji spelled as words)
  const withNgram = flags.get('ngram') === 'true';
  if (withNgram && goWeight > 0) throw new Error('--ngram and --goemotions-weight cannot be combined (the n-gram part is fitted on StockTwits text)');
  const config = {
    ...DEFAULT_EMOTION_HEAD_CONFIG,
    hidden: numberFlag(flags, 'hidden', DEFAULT_EMOTION_HEAD_CONFIG.hidden),
    epochs: numberFlag(flags, 'epochs', DEFAULT_EMOTION_HEAD_CONFIG.epochs),
    batchSize: numberFlag(flags, 'batch-size', DEFAULT_EMOTION_HEAD_CONFIG.batchSize),
    learningRate: numberFlag(flags, 'learning-rate', DEFAULT_EMOTION_HEAD_CONFIG.learningRate),
    dropout: numberFlag(flags, 'dropout', DEFAULT_EMOTION_HEAD_CONFIG.dropout),
    l2: numberFlag(flags, 'l2', DEFAULT_EMOTION_HEAD_CONFIG.l2),
  };

  const rows = readEmotionCsv(stFile);
  const goNames = goWeight > 0 ? fs.readFileSync(path.join(goDir, 'labels.txt'), 'utf8').split('\n').filter(Boolean) : [];
  const go = goWeight > 0 ? parseGoEmotionsTsv(fs.readFileSync(path.join(goDir, 'train.tsv'), 'utf8'), goNames) : [];
  const vector = await embedTexts(accurate, modelsDir, [...rows.map((r) => r.text), ...go.map((r) => r.text)]);
  const { tf } = await tfRuntime();
  const targets = rows.map((r) => emotionIndex(r.label));
  const weights = classWeights(targets, balance);
  const extra: EmotionExample[] = go.flatMap((r) => {
    const dense = vector(r.text);
    return dense ? [{ dense, target: softTarget(r.labels), weight: goWeight }] : [];
  });
  console.log(`${rows.length} StockTwits rows; ${extra.length} GoEmotions rows at weight ${goWeight}; encoder of ${accurate}; config ${JSON.stringify(config)}`);

  const metrics: Record<string, unknown> = {};
  if (flags.get('cv') === 'true') {
    const folds = emotionFolds(rows.map((r) => r.label));
    const cvRows: CvRow[] = rows.map((r, i) => ({ dense: vector(r.text), target: targets[i], text: r.text }));
    const checkpoints = [...new Set([Math.ceil(config.epochs / 2), 10, 20, config.epochs])].filter((e) => e <= config.epochs).sort((a, b) => a - b);
    const cv = crossValidate(tf, cvRows, folds, config, {
      checkpoints,
      classWeights: weights,
      extra: extra.length ? extra : undefined,
      ...(withNgram ? { ngram: EMOTION_NGRAM_CONFIG } : {}),
      onFold: (fold, epoch, r) => console.log(`fold ${fold} epoch ${epoch}: accuracy ${r.accuracy.toFixed(4)} macro-F1 ${r.macroF1.toFixed(4)}`),
    });
    for (const [epoch, r] of cv.byEpoch) {
      console.log(`cv epochs=${epoch} accuracy=${r.report.accuracy.toFixed(4)} macro_f1=${r.report.macroF1.toFixed(4)} fold macro-F1 ${r.foldMacroF1.map((x) => x.toFixed(3)).join(' ')}`);
    }
    const final = cv.byEpoch.get(config.epochs)!;
    console.log(formatEmotionReport(`5-fold CV (pooled out-of-fold), ${config.epochs} epochs`, final.report));
    metrics.cv5 = cvMetrics(config.epochs, final);
  }
  const scoreable = rows.filter((r) => vector(r.text));
  const ngram = withNgram ? { features: EMOTION_NGRAM_CONFIG, idf: fitEmotionIdf(scoreable.map((r) => r.text)) } : undefined;
  const examples: EmotionExample[] = rows.flatMap((r, i) => {
    const dense = vector(r.text);
    const sparse = ngram ? { sparse: emotionSparse(r.text, ngram.features, ngram.idf) } : {};
    return dense ? [{ dense, target: oneHot(targets[i]), weight: weights[targets[i]], ...sparse }] : [];
  });
  const head = trainEmotionHead(tf, config, [...examples, ...extra], (epoch, loss) => console.log(`final head epoch ${epoch} loss ${loss.toFixed(4)}`), ngram);
  const version = flags.get('version') ?? `emo-${new Date().toISOString().slice(0, 10)}-s${config.seed}`;
  const emotionsDir = flags.get('emotions-dir') ?? emotionsDirBeside(modelsDir);
  const data: Record<string, { file: string; sha256: string; rows: number }> = {
    stocktwits: { file: path.relative(path.dirname(dataDir), stFile), sha256: sha256File(stFile), rows: rows.length },
  };
  if (goWeight > 0) data.goemotions = { file: path.relative(path.dirname(dataDir), path.join(goDir, 'train.tsv')), sha256: sha256File(path.join(goDir, 'train.tsv')), rows: extra.length };
  const dir = saveEmotionModel(
    emotionsDir,
    { version, encoderVersion: accurate, head },
    {
      version,
      createdAt: new Date().toISOString(),
      kind: 'pooled',
      encoderVersion: accurate,
      classes: [...EMOTION_LABELS],
      hyperParameters: {
        ...config,
        goemotionsWeight: goWeight,
        goemotionsMultiLabel: 'soft targets (equal mass per label)',
        classBalancePower: balance,
        input: 'L2-normalised mean-pooled encoder state (the sentence head input)',
        ...(ngram ? { ngram: { ...ngram.features, text: NGRAM_TEXT } } : {}),
      },
      data,
      metrics,
    },
  );
  console.log(`saved ${dir}`);
  if (flags.get('activate') === 'true') {
    setActiveEmotionVersion(emotionsDir, version);
    console.log(`active emotion model: ${version}`);
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
