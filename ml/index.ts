/**
 * The one entry to the models: everything outside ml/ imports from here. Map (ml/README.md
 * says more):
 *
 *   settings.ts          configureMl: the configuration (config/ml.ts) the composition roots pass in
 *   runtime/             the TensorFlow.js backend (native tfjs-node, else wasm)
 *   serving/             loading and scoring: model-store (versions on disk, active.json),
 *                        model-scorer (either tier by version)
 *   serving/fast/        the fast tier: hashed n-gram TF-IDF features, linear model
 *   serving/accurate/    the accurate tier: sentence encoder, its worker-thread pool, heads, scorer
 *   training/            fast-trainer, accurate-trainer (heads), encoder-finetune (fine-tuning), caches
 *   data/                the labelled data sets and their fixed splits
 *   evaluation/          metrics, scorer evaluation, title + summary sets
 */
import { createLexiconScorer } from '../domain/sentiment/lexicon-scorer';
import type { SentimentScorer } from '../domain/sentiment/types';
import { loadModelScorer, type LoadModelOptions } from './serving/model-scorer';

// configuration and runtime
export { configureMl, mlConfig, DEFAULT_ML_CONFIG, type MlConfig } from './settings';
export { tfRuntime, type Tf, type TfRuntime } from './runtime/tf-runtime';

// serving: both tiers
export { longTextMode, scoreLongText, type CompanyToScore, type LongTextInput, type LongTextMode, type LongTextSentiment } from './serving/long-text';
export { scoreArticleTexts, type ArticleText, type ScoredArticleText, type ScoredCompany } from './serving/article-scoring';
export { loadModelScorer, scoringCalibration, tierOfModel, type LoadModelOptions } from './serving/model-scorer';
export { calibratedScore, calibrationOf, decide, IDENTITY_CALIBRATION, temperatureScale, type Calibration } from './serving/calibration';
export { fitCalibration, fitDecisionBias, fitTemperature, macroF1Of } from './training/calibration-fit';
export {
  activeTierVersion,
  activeVersion,
  defaultModelsDir,
  listModelVersions,
  preferredVersion,
  readMetadata,
  saveModel,
  setActiveTierVersion,
  setActiveVersion,
  type ModelMetadata,
  type ModelTier,
} from './serving/model-store';
// serving: the fast tier
export { CLASS_COUNT } from './serving/fast/hashed-linear-model';
export { DEFAULT_FEATURE_CONFIG, fitIdf, vectorise } from './serving/fast/text-features';
// serving: the accurate tier
export { SentenceEncoder } from './serving/accurate/encoder';
export { defaultEncoderDir, ENCODER_NAME } from './serving/accurate/encoder-checkpoint';
export { encoderPoolSize } from './serving/accurate/encoder-pool';
export type { AccurateScorer } from './serving/accurate/encoder-scorer';
export { predictHead, uploadHead, type HeadWeights } from './serving/accurate/encoder-head';
export { saveEncoderHeadModel } from './serving/accurate/encoder-model-store';
export { layerDelta } from './serving/accurate/bert-layer';
export { halfToFloat } from './serving/accurate/safetensors';

// emotions: the head over the accurate tier's pooled state, its artifacts, data and cross-validation
export { DEFAULT_EMOTION_HEAD_CONFIG, EMOTION_CLASS_COUNT, oneHot, trainEmotionHead, uploadEmotionHead, type EmotionExample, type EmotionHeadConfig, type EmotionHeadWeights } from './emotions/emotion-head';
export { activeEmotionVersion, readEmotionMetadata, readEmotionModel, saveEmotionModel, setActiveEmotionVersion, type EmotionModelMetadata } from './emotions/emotion-model-store';
export { parseGoEmotionsTsv, readEmotionCsv, softTarget, type EmotionRow } from './emotions/data';
export { classWeights, crossValidate, crossValidateBranch, cvMetrics, type BranchCvRow, type CvRow } from './emotions/cross-validation';
export { DEFAULT_EMOTION_BRANCH_CONFIG, trainEmotionBranch, type BranchInit, type BranchText, type EmotionBranchConfig, type TrainedEmotionBranch } from './emotions/emotion-branch';
export { loadSentenceEncoder } from './serving/accurate/encoder-loader';
export { EMOTION_CV_FOLDS, emotionFolds, stratifiedFolds } from './emotions/folds';
export { emotionsDirBeside } from './serving/model-scorer';
export { loadEncoderScorer } from './serving/accurate/encoder-scorer';
export { startEncoderPool } from './serving/accurate/encoder-pool';
export { prepareForScoring } from '../domain/sentiment/scoring-guards';

// training
export { trainModel, type DistillationConfig, type SoftLabelledText, type TrainingConfig } from './training/fast-trainer';
export { trainAccurate, entityInput, entityRows, type AccurateTrainingConfig, type EmbeddingLookup } from './training/accurate-trainer';
export { EncoderFinetuner, type FinetuneConfig, type FinetuneText } from './training/encoder-finetune';
export { EmbeddingCache } from './training/embedding-cache';
export { ensureEmbeddings, sentenceKey, spanKey, type EmbedItem } from './training/encoder-features';
export { ensureHiddenStates, HiddenStateCache } from './training/hidden-state-cache';

// data sets
export {
  buildSplits,
  parseLabel,
  readLabelledCsv,
  readSentfinConsistent,
  seededRandom,
  sha256File,
  shuffleInPlace,
  stratifiedSplit,
  type LabelledText,
  type SentimentDataFiles,
} from './data/datasets';
export { entitySplit, readSentfinEntities, type EntityHeadline } from './data/entity-data';
export { accurateEarlyStoppingRows, distillationCorpus, earlyStoppingCut, sourceTexts, type CorpusSource, type CorpusText } from './data/distillation-corpus';

// evaluation
export { evaluateScorer } from './evaluation/evaluation';
export { evaluate, expectedCalibrationError, formatReport, reportFromConfusion, type EvaluationReport } from './evaluation/metrics';
export { withAgreeingSummaries, withUnrelatedSummaries } from './evaluation/summary-eval';
export { syntheticParagraphs, type ParagraphEntity, type SyntheticParagraph } from './evaluation/paragraph-eval';
export { articleText } from './evaluation/article-text';

/**
 * The scorer the pipeline should use: the model when `useModel` (the model_sentiment flag)
 * is on and it loads, else the lexicon. `onFallback` hears why the model was not used.
 */
export async function createScorer(opts: LoadModelOptions & { useModel: boolean; onFallback?: (reason: string) => void }): Promise<SentimentScorer> {
  if (!opts.useModel) return createLexiconScorer();
  try {
    return await loadModelScorer(opts);
  } catch (err) {
    opts.onFallback?.((err as Error).message);
    return createLexiconScorer();
  }
}
