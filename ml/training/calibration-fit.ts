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
 * Class-prior correction, one parameter: bias_k = α·(ln π_neutral − ln π_k), π the class shares of
 * the fitting rows, i.e. the label is argmax_k p_k / π_k^α with neutral as the reference. α = 0 is
 * the plain argmax, α = 1 the balanced (prior-free) decision. α is chosen on a grid of 0.05 in
 * [0, 1] for macro-F1; ties go to the smaller α. One parameter rather than a bias per class: the
 * two-bias grid search overfitted the ~1,700 early-stopping rows (it lost macro-F1 on both held-out
 * splits for the fast tier).
 */
export function fitDecisionBias(calibrated: readonly number[][], targets: readonly number[]): [number, number, number] {
  const counts = [0, 0, 0];
  for (const t of targets) counts[t]++;
  const prior = counts.map((c) => (c + 1) / (targets.length + 3));
  const biasAt = (alpha: number): [number, number, number] => [alpha * Math.log(prior[1] / prior[0]), 0, alpha * Math.log(prior[1] / prior[2])];
  let best = { f1: macroF1Of(calibrated, targets, [0, 0, 0]), bias: [0, 0, 0] as [number, number, number] };
  for (let step = 1; step <= 20; step++) {
    const bias = biasAt(step / 20);
    const f1 = macroF1Of(calibrated, targets, bias);
    if (f1 > best.f1 + 1e-9) best = { f1, bias };
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
