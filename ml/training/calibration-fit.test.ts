import { seededRandom } from '../data/datasets';
import { expectedCalibrationError } from '../evaluation/metrics';
import { temperatureScale } from '../serving/calibration';
import { fitCalibration, fitDecisionBias, fitTemperature, macroF1Of, negativeLogLikelihood } from './calibration-fit';

/** Rows drawn from a known calibrated model, then made over-confident by T = 1/3. */
function overconfidentRows(n: number, seed: number): { raw: number[][]; targets: number[]; truth: number[][] } {
  const random = seededRandom(seed);
  const raw: number[][] = [];
  const truth: number[][] = [];
  const targets: number[] = [];
  for (let i = 0; i < n; i++) {
    const logits = [random() * 3, random() * 3, random() * 3];
    const e = logits.map(Math.exp);
    const s = e.reduce((a, b) => a + b, 0);
    const p = e.map((v) => v / s);
    const u = random();
    targets.push(u < p[0] ? 0 : u < p[0] + p[1] ? 1 : 2);
    truth.push(p);
    raw.push(temperatureScale(p, 1 / 3));
  }
  return { raw, targets, truth };
}

describe('fitTemperature', () => {
  it('recovers the temperature that undoes over-confidence', () => {
    const { raw, targets } = overconfidentRows(4000, 1);
    const t = fitTemperature(raw, targets);
    expect(t).toBeGreaterThan(2.5);
    expect(t).toBeLessThan(3.6);
    expect(negativeLogLikelihood(raw, targets, t)).toBeLessThan(negativeLogLikelihood(raw, targets, 1));
  });

  it('brings the expected calibration error down', () => {
    const { raw, targets } = overconfidentRows(4000, 2);
    const before = expectedCalibrationError(raw, targets);
    const t = fitTemperature(raw, targets);
    const after = expectedCalibrationError(raw.map((p) => temperatureScale(p, t)), targets);
    expect(before).toBeGreaterThan(0.15);
    expect(after).toBeLessThan(0.05);
  });
});

describe('fitDecisionBias', () => {
  it('keeps the plain argmax when it is already best', () => {
    const rows = [
      [0.8, 0.1, 0.1],
      [0.1, 0.8, 0.1],
      [0.1, 0.1, 0.8],
    ];
    expect(fitDecisionBias(rows, [0, 1, 2])).toEqual([0, 0, 0]);
  });

  it('corrects for a majority class the model over-predicts, by the class priors', () => {
    // neutral is 60 % of the rows; positives the model calls neutral at 0.55 / 0.4
    const rows = [
      ...Array.from({ length: 10 }, () => [0.05, 0.55, 0.4]),
      ...Array.from({ length: 30 }, () => [0.05, 0.9, 0.05]),
      ...Array.from({ length: 10 }, () => [0.9, 0.05, 0.05]),
    ];
    const targets = [...new Array(10).fill(2), ...new Array(30).fill(1), ...new Array(10).fill(0)];
    const bias = fitDecisionBias(rows, targets);
    expect(bias[1]).toBe(0);
    expect(bias[2]).toBeGreaterThan(Math.log(0.55 / 0.4));
    // both biases come from one α: their ratio is that of the log prior ratios (equal here)
    expect(bias[0]).toBeCloseTo(bias[2], 10);
    expect(macroF1Of(rows, targets, bias)).toBeCloseTo(1, 10);
    expect(macroF1Of(rows, targets, [0, 0, 0])).toBeLessThan(0.8);
  });
});

describe('fitCalibration', () => {
  it('rejects empty or mismatched input', () => {
    expect(() => fitCalibration([], [], 'x')).toThrow(/cannot fit/);
    expect(() => fitCalibration([[0.2, 0.3, 0.5]], [], 'x')).toThrow(/cannot fit/);
  });
});
