import { EMOTION_LABELS } from '../../domain/emotions/labels';
import { stratifiedFolds } from './folds';
import { parseGoEmotionsTsv, softTarget } from './data';

describe('stratified folds', () => {
  it('keeps every class spread evenly over the folds and is fixed by the seed', () => {
    const labels = [...Array(50).fill('a'), ...Array(20).fill('b'), ...Array(7).fill('c')];
    const folds = stratifiedFolds(labels, 5, 7);
    for (const l of ['a', 'b']) {
      const per = [0, 1, 2, 3, 4].map((k) => folds.filter((f, i) => f === k && labels[i] === l).length);
      expect(Math.max(...per) - Math.min(...per)).toBeLessThanOrEqual(1);
    }
    const sizes = [0, 1, 2, 3, 4].map((k) => folds.filter((f) => f === k).length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    expect(stratifiedFolds(labels, 5, 7)).toEqual(folds);
    expect(stratifiedFolds(labels, 5, 8)).not.toEqual(folds);
    expect(() => stratifiedFolds(labels, 1, 7)).toThrow(/folds/);
  });
});

describe('GoEmotions rows', () => {
  it('maps Ekman label ids to our classes and spreads multi-label rows evenly', () => {
    const names = ['anger', 'disgust', 'fear', 'joy', 'neutral', 'sadness', 'surprise'];
    const rows = parseGoEmotionsTsv('so happy\t3\tid1\nsad and scared\t5,2\tid2\n', names);
    expect(rows).toEqual([
      { text: 'so happy', labels: [EMOTION_LABELS.indexOf('happy')] },
      { text: 'sad and scared', labels: [EMOTION_LABELS.indexOf('sad'), EMOTION_LABELS.indexOf('fear')] },
    ]);
    const t = softTarget(rows[1].labels);
    expect(t[EMOTION_LABELS.indexOf('sad')]).toBe(0.5);
    expect(t[EMOTION_LABELS.indexOf('fear')]).toBe(0.5);
    expect(t.reduce((a, b) => a + b, 0)).toBeCloseTo(1);
  });
});
