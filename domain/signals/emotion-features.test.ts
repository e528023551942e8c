import { emotionFeatures, type EmotionFeatureInput } from './emotion-features';

const asOf = new Date('2026-12-01T12:00:00Z');
const hoursAgo = (h: number) => new Date(asOf.getTime() - h * 3.6e6);
const row = (id: string, h: number, label: EmotionFeatureInput['label']): EmotionFeatureInput => ({ articleId: id, publishedAt: hoursAgo(h), label, modelVersion: 'emo-1' });

describe('emotionFeatures', () => {
  it('gives recent shares and their change against the ticker baseline', () => {
    const articles = [
      // baseline (1 to 31 days back): 1 fear in 4
      row('b1', 48, 'neutral'),
      row('b2', 72, 'fear'),
      row('b3', 96, 'happy'),
      row('b4', 120, 'neutral'),
      // recent day: 3 fear in 4
      row('r1', 1, 'fear'),
      row('r2', 2, 'fear'),
      row('r3', 3, 'fear'),
      row('r4', 4, 'neutral'),
      // after asOf: ignored (point in time)
      row('future', -1, 'happy'),
    ];
    const f = emotionFeatures(articles, asOf)!;
    expect(f.recentArticles).toBe(4);
    expect(f.baselineArticles).toBe(4);
    expect(f.fearShare).toBeCloseTo(0.75);
    expect(f.fearShareChange).toBeCloseTo(0.5);
    expect(f.happyShareChange).toBeCloseTo(-0.25);
    expect(f.risingEmotion).toBe('fear');
    expect(Object.values(f.recentShares).reduce((a, b) => a + b, 0)).toBeCloseTo(1);
    expect(f.articleIds.sort()).toEqual(['r1', 'r2', 'r3', 'r4']);
    expect(f.modelVersions).toEqual(['emo-1']);
  });

  it('is null with too few recent articles, and has no change without a baseline', () => {
    expect(emotionFeatures([row('r1', 1, 'fear'), row('r2', 2, 'fear')], asOf)).toBeNull();
    const f = emotionFeatures([row('r1', 1, 'fear'), row('r2', 2, 'anger'), row('r3', 3, 'anger')], asOf)!;
    expect(f.baselineShares).toBeNull();
    expect(f.fearShareChange).toBeNull();
    expect(f.risingEmotion).toBeNull();
    expect(f.recentShares.anger).toBeCloseTo(2 / 3);
  });
});
