export { computeSignal, resolveSignalParams, DEFAULT_SIGNAL_PARAMS, technicalVotes } from './signal-rules';
export { asOfView } from './point-in-time';
export type { PointInTimeView } from './point-in-time';
export { windowFeatures, firstSeen } from './sentiment-features';
export { technicalFeatures } from './technical-features';
export type {
  SignalType, RiskLevel, SentimentObservation, SentimentWindowSpec, SentimentWindowFeatures, TechnicalFeatures,
  SignalFeatures, SignalBasis, TradingSignal, SignalParams, SignalParamsOverrides, SignalInput,
} from './types';
export { signalRulesVersion, replayDecisionTimes, SIGNAL_RULES_CODE_VERSION } from './rules-version';
export { newsIntensityFeatures, vsaFeatures, NEWS_INTENSITY_WINDOW_MS } from './extended-features';
export type { NewsIntensityFeatures, VsaFeatures } from './extended-features';
export { emotionFeatures, EMOTION_BASELINE_MS, EMOTION_RECENT_MS, type EmotionFeatures } from './emotion-features';
