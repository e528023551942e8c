import { confusionMatrix, evaluate, formatReport, reportFromConfusion } from './metrics';

describe('metrics', () => {
  test('confusion matrix counts actual rows against predicted columns', () => {
    expect(confusionMatrix(['negative', 'neutral', 'positive', 'positive'], ['negative', 'positive', 'positive', 'neutral'])).toEqual([
      [1, 0, 0],
      [0, 0, 1],
      [0, 1, 1],
    ]);
  });

  test('accuracy, per-class precision/recall and macro-F1 match a hand-computed matrix', () => {
    // negative: tp 5, predicted 5+1+0=6, support 5+2+1=8 ... see rows below
    const report = reportFromConfusion([
      [5, 2, 1],
      [1, 10, 1],
      [0, 3, 7],
    ]);
    expect(report.count).toBe(30);
    expect(report.accuracy).toBeCloseTo(22 / 30, 10);
    expect(report.perClass.negative.precision).toBeCloseTo(5 / 6, 10);
    expect(report.perClass.negative.recall).toBeCloseTo(5 / 8, 10);
    expect(report.perClass.neutral.precision).toBeCloseTo(10 / 15, 10);
    expect(report.perClass.neutral.recall).toBeCloseTo(10 / 12, 10);
    expect(report.perClass.positive.precision).toBeCloseTo(7 / 9, 10);
    expect(report.perClass.positive.recall).toBeCloseTo(7 / 10, 10);
    const f1 = (p: number, r: number) => (2 * p * r) / (p + r);
    const macro = (f1(5 / 6, 5 / 8) + f1(10 / 15, 10 / 12) + f1(7 / 9, 7 / 10)) / 3;
    expect(report.macroF1).toBeCloseTo(macro, 10);
  });

  test('a class never predicted scores 0 precision instead of NaN', () => {
    const report = evaluate(['negative', 'positive'], ['neutral', 'neutral']);
    expect(report.perClass.negative.precision).toBe(0);
    expect(report.perClass.neutral.f1).toBe(0);
    expect(report.macroF1).toBe(0);
    expect(formatReport('x', report)).toContain('confusion (rows = actual, columns = predicted)');
  });
});
