import { EMOTION_LABELS, emotionScoreFrom, parseEmotionLabel } from './labels';
import { addConfusions, emotionConfusion, evaluateEmotions, formatEmotionReport } from './metrics';

describe('emotion labels', () => {
  it('parses names in any case and the GoEmotions aliases', () => {
    expect(parseEmotionLabel(' Fear ')).toBe('fear');
    expect(parseEmotionLabel('joy')).toBe('happy');
    expect(parseEmotionLabel('sadness')).toBe('sad');
    expect(() => parseEmotionLabel('bullish')).toThrow(/unknown emotion label "bullish"/);
  });

  it('turns a probability row into a labelled score', () => {
    const s = emotionScoreFrom([0.1, 0.05, 0.05, 0.1, 0.1, 0.1, 0.5], 'v1');
    expect(s.label).toBe('fear');
    expect(s.probabilities.fear).toBe(0.5);
    expect(s.modelVersion).toBe('v1');
    expect(() => emotionScoreFrom([1, 0], 'v1')).toThrow(/2 values/);
  });
});

describe('emotion metrics', () => {
  it('computes accuracy, per-class F1 and macro-F1 like scikit-learn', () => {
    const actual = ['neutral', 'neutral', 'happy', 'fear', 'fear', 'sad'] as const;
    const predicted = ['neutral', 'happy', 'happy', 'fear', 'neutral', 'neutral'] as const;
    const r = evaluateEmotions(actual, predicted);
    expect(r.accuracy).toBeCloseTo(3 / 6);
    // neutral: p 1/3 r 1/2 -> 0.4; happy: p 1/2 r 1 -> 2/3; fear: p 1 r 1/2 -> 2/3; sad 0; others absent 0
    expect(r.perClass.neutral.f1).toBeCloseTo(0.4);
    expect(r.perClass.happy.f1).toBeCloseTo(2 / 3);
    expect(r.perClass.fear.f1).toBeCloseTo(2 / 3);
    expect(r.perClass.sad.f1).toBe(0);
    expect(r.macroF1).toBeCloseTo((0.4 + 2 / 3 + 2 / 3) / 7);
    expect(r.confusion[EMOTION_LABELS.indexOf('fear')][EMOTION_LABELS.indexOf('neutral')]).toBe(1);
    expect(formatEmotionReport('t', r)).toContain('confusion (rows = actual, columns = predicted)');
  });

  it('pools fold confusion matrices by summing them', () => {
    const a = emotionConfusion(['happy'], ['happy']);
    const b = emotionConfusion(['happy'], ['sad']);
    const sum = addConfusions(a, b);
    expect(sum[1][1]).toBe(1);
    expect(sum[1][2]).toBe(1);
    expect(sum.flat().reduce((x, y) => x + y, 0)).toBe(2);
  });
});
