import { occlusionExplanation, occlusionVariants } from './occlusion';

describe('occlusionVariants', () => {
  it('drops one word at a time and names it without its punctuation', () => {
    expect(occlusionVariants('Acme profit jumps, beats forecasts.')).toEqual([
      { word: 'Acme', without: 'profit jumps, beats forecasts.' },
      { word: 'profit', without: 'Acme jumps, beats forecasts.' },
      { word: 'jumps', without: 'Acme profit beats forecasts.' },
      { word: 'beats', without: 'Acme profit jumps, forecasts.' },
      { word: 'forecasts', without: 'Acme profit jumps, beats' },
    ]);
  });

  it('caps the words occluded and skips punctuation-only tokens', () => {
    expect(occlusionVariants('a b c d', 2).map((v) => v.word)).toEqual(['a', 'b']);
    expect(occlusionVariants('up — 5%').map((v) => v.word)).toEqual(['up', '5%']);
    expect(occlusionVariants('alone')).toEqual([]);
  });
});

describe('occlusionExplanation', () => {
  it('weights words by the log-probability the label loses without them', () => {
    const phrases = occlusionExplanation(['Acme', 'profit', 'jumps'], 0.8, [0.8, 0.6, 0.2]);
    expect(phrases.map((p) => p.text)).toEqual(['jumps', 'profit']);
    expect(phrases[0].weight).toBeCloseTo(Math.log(0.8 / 0.2), 10);
    expect(phrases[1].weight).toBeCloseTo(Math.log(0.8 / 0.6), 10);
  });

  it('keeps the larger weight of a repeated word and at most `top` words', () => {
    const phrases = occlusionExplanation(['up', 'up', 'a', 'b'], 0.9, [0.5, 0.3, 0.8, 0.7], 2);
    expect(phrases).toHaveLength(2);
    expect(phrases[0].text).toBe('up');
    expect(phrases[0].weight).toBeCloseTo(Math.log(0.9 / 0.3), 10);
  });
});
