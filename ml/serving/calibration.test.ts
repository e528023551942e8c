import { calibratedScore, calibrationOf, decide, IDENTITY_CALIBRATION, temperatureScale } from './calibration';

describe('temperatureScale', () => {
  it('is the identity at T = 1 and keeps the ranking at any T', () => {
    const raw = [0.2, 0.7, 0.1];
    const same = temperatureScale(raw, 1);
    same.forEach((v, k) => expect(v).toBeCloseTo(raw[k], 10));
    const softer = temperatureScale(raw, 2);
    expect(softer[1]).toBeLessThan(0.7);
    expect(softer[1]).toBeGreaterThan(softer[0]);
    expect(softer[0]).toBeGreaterThan(softer[2]);
    expect(softer.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
  });

  it('equals softmax(logits / T)', () => {
    const logits = [1, 3, -2];
    const softmax = (z: number[]) => {
      const e = z.map(Math.exp);
      const s = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / s);
    };
    const scaled = temperatureScale(softmax(logits), 1.7);
    softmax(logits.map((z) => z / 1.7)).forEach((v, k) => expect(scaled[k]).toBeCloseTo(v, 10));
  });
});

describe('decide', () => {
  it('is the argmax without biases and moves the label with them', () => {
    expect(decide([0.3, 0.45, 0.25], [0, 0, 0])).toBe(1);
    // log(0.3) + 0.5 > log(0.45): a negative bias of 0.5 turns this neutral into negative
    expect(decide([0.3, 0.45, 0.25], [0.5, 0, 0])).toBe(0);
  });
});

describe('calibratedScore', () => {
  it('defines score as P(positive) - P(negative) of the calibrated probabilities', () => {
    const s = calibratedScore([0.1, 0.3, 0.6], { temperature: 2, decisionBias: [0, 0, 0] }, 'v1');
    expect(s.label).toBe('positive');
    expect(s.score).toBeCloseTo(s.probabilities!.positive - s.probabilities!.negative, 12);
    expect(s.score!).toBeLessThan(0.5); // softened from 0.6 - 0.1
    expect(s.modelVersion).toBe('v1');
  });

  it('marks truncated texts', () => {
    expect(calibratedScore([0.1, 0.3, 0.6], IDENTITY_CALIBRATION, 'v', true).truncated).toBe(true);
  });
});

describe('calibrationOf', () => {
  it('gives the identity for models without one and rejects a malformed one', () => {
    expect(calibrationOf({})).toEqual(IDENTITY_CALIBRATION);
    expect(calibrationOf({ calibration: { temperature: 1.3, decisionBias: [0.2, 0, 0.4], fittedOn: 'x' } })).toEqual({ temperature: 1.3, decisionBias: [0.2, 0, 0.4], fittedOn: 'x' });
    expect(() => calibrationOf({ calibration: { temperature: -1, decisionBias: [0, 0, 0] } })).toThrow(/invalid calibration/);
    expect(() => calibrationOf({ calibration: { temperature: 1, decisionBias: [0, 0] } })).toThrow(/invalid calibration/);
  });
});
