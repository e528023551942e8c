/**
 * What a model's raw class probabilities become before anyone sees them, the same for both tiers:
 *
 * - temperature scaling: p_k ∝ raw_k^(1/T), i.e. softmax(logits / T). One scalar per model, fitted
 *   on held-out early-stopping texts by likelihood, so a reported 0.8 is right about 80 % of the
 *   time (issue 22). It never changes which class is most probable.
 * - a decision rule: the label is argmax_k(log p_k + bias_k). The biases correct the training
 *   sets' label conventions (twitter's neutral class is 65 % of its rows, and results headlines
 *   with no sentiment adjective are often labelled neutral there), chosen for macro-F1 on the
 *   early-stopping texts. The probabilities stay calibrated; only the label moves.
 *
 * `score` is P(positive) - P(negative) of the calibrated probabilities for every tier, so the
 * fast and accurate tiers' scores can be mixed in signals.
 */
import { labelFromIndex, type SentimentScore } from '../../domain/sentiment/types';

export interface Calibration {
  temperature: number;
  /** Added to the log-probabilities before the argmax that picks the label, SENTIMENT_LABELS order. */
  decisionBias: [number, number, number];
  /** Where it was fitted (never an evaluation split). */
  fittedOn?: string;
}

export const IDENTITY_CALIBRATION: Calibration = { temperature: 1, decisionBias: [0, 0, 0] };

/** Temperature-scaled probabilities (in place into `out`, which may be `raw`). */
export function temperatureScale(raw: ArrayLike<number>, temperature: number, out: number[] = new Array(raw.length)): number[] {
  const inv = 1 / temperature;
  let max = -Infinity;
  for (let k = 0; k < raw.length; k++) max = Math.max(max, Math.log(Math.max(raw[k], 1e-12)) * inv);
  let sum = 0;
  for (let k = 0; k < raw.length; k++) {
    out[k] = Math.exp(Math.log(Math.max(raw[k], 1e-12)) * inv - max);
    sum += out[k];
  }
  for (let k = 0; k < raw.length; k++) out[k] /= sum;
  return out;
}

/** The label index under the decision rule. */
export function decide(calibrated: ArrayLike<number>, bias: readonly number[]): number {
  let best = 0;
  let bestValue = -Infinity;
  for (let k = 0; k < calibrated.length; k++) {
    const value = Math.log(Math.max(calibrated[k], 1e-12)) + (bias[k] ?? 0);
    if (value > bestValue) {
      bestValue = value;
      best = k;
    }
  }
  return best;
}

/** A scored text from a model's raw probabilities [negative, neutral, positive]. */
export function calibratedScore(raw: ArrayLike<number>, calibration: Calibration, modelVersion: string, truncated = false): SentimentScore {
  const p = temperatureScale(raw, calibration.temperature);
  return {
    label: labelFromIndex(decide(p, calibration.decisionBias)),
    score: p[2] - p[0],
    probabilities: { negative: p[0], neutral: p[1], positive: p[2] },
    modelVersion,
    ...(truncated ? { truncated: true } : {}),
  };
}

/** A model's calibration from its metadata; models trained before it existed get the identity. */
export function calibrationOf(metadata: Record<string, unknown>): Calibration {
  const c = metadata.calibration as Partial<Calibration> | undefined;
  if (!c) return IDENTITY_CALIBRATION;
  const temperature = Number(c.temperature);
  const bias = c.decisionBias;
  if (!(temperature > 0) || !Array.isArray(bias) || bias.length !== 3 || !bias.every((b) => Number.isFinite(b))) {
    throw new Error(`invalid calibration in model metadata: ${JSON.stringify(c)}`);
  }
  return { temperature, decisionBias: [bias[0], bias[1], bias[2]], fittedOn: c.fittedOn };
}
