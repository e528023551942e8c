/**
 * Fitting a model's calibration (ml/serving/calibration.ts) on held-out early-stopping texts:
 * the temperature by likelihood, the decision biases by macro-F1. Never fit on an evaluation split.
 */
import { decide, temperatureScale, type Calibration } from '../serving/calibration';
import { reportFromConfusion } from '../evaluation/metrics';

/** Mean negative log-likelihood of the true classes after temperature scaling. */
export function negativeLogLikelihood(raw: readonly number[][], targets: readonly number[], temperature: number): number {
  let sum = 0;
  const out: number[] = [];
  raw.forEach((p, i) => {
    temperatureScale(p, temperature, out);
    sum -= Math.log(Math.max(out[targets[i]], 1e-12));
  });
  return sum / Math.max(raw.length, 1);
}

/** The temperature in [0.05, 20] with the least NLL (golden-section search on log T; NLL is unimodal in T). */
export function fitTemperature(raw: readonly number[][], targets: readonly number[]): number {
  let lo = Math.log(0.05);
  let hi = Math.log(20);
  const phi = (Math.sqrt(5) - 1) / 2;
  const f = (logT: number) => negativeLogLikelihood(raw, targets, Math.exp(logT));
  let a = hi - phi * (hi - lo);
  let b = lo + phi * (hi - lo);
  let fa = f(a);
  let fb = f(b);
  for (let i = 0; i < 60; i++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - phi * (hi - lo);
      fa = f(a);
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + phi * (hi - lo);
      fb = f(b);
    }
  }
  return Math.exp((lo + hi) / 2);
}

export function macroF1Of(calibrated: readonly number[][], targets: readonly number[], bias: readonly number[]): number {
  const confusion = [0, 1, 2].map(() => [0, 0, 0]);
  calibrated.forEach((p, i) => confusion[targets[i]][decide(p, bias)]++);
  return reportFromConfusion(confusion).macroF1;
}

/**
 * Biases for negative and positive against neutral (neutral's stays 0) on a grid of step 0.1 in
 * [-1.5, 2.5], maximising macro-F1; ties go to the smallest change from 0 so a model that needs no
 * correction keeps the plain argmax.
 */
export function fitDecisionBias(calibrated: readonly number[][], targets: readonly number[]): [number, number, number] {
  let best: { f1: number; size: number; bias: [number, number, number] } = { f1: macroF1Of(calibrated, targets, [0, 0, 0]), size: 0, bias: [0, 0, 0] };
  for (let n = -15; n <= 25; n++) {
    for (let q = -15; q <= 25; q++) {
      const bias: [number, number, number] = [n / 10, 0, q / 10];
      const f1 = macroF1Of(calibrated, targets, bias);
      const size = Math.abs(n) + Math.abs(q);
      if (f1 > best.f1 + 1e-9 || (Math.abs(f1 - best.f1) <= 1e-9 && size < best.size)) best = { f1, size, bias };
    }
  }
  return best.bias;
}

/** Temperature, then decision biases on the temperature-scaled probabilities. */
export function fitCalibration(raw: readonly number[][], targets: readonly number[], fittedOn: string): Calibration {
  if (raw.length !== targets.length || raw.length === 0) throw new Error(`cannot fit a calibration on ${raw.length} rows and ${targets.length} targets`);
  const temperature = fitTemperature(raw, targets);
  const calibrated = raw.map((p) => temperatureScale(p, temperature));
  return { temperature, decisionBias: fitDecisionBias(calibrated, targets), fittedOn };
}
