import { DEFAULT_FEATURE_CONFIG, extractFeatures, fitIdf, fnv1a, hashedCountsByGroup, normaliseText, tokenise, vectorise } from './text-features';

const config = DEFAULT_FEATURE_CONFIG;

describe('text features', () => {
  test('normalisation replaces URLs, cashtags and numbers by placeholders', () => {
    expect(tokenise(normaliseText('$AAPL up 3.5% https://t.co/abc'))).toEqual(['xtickerx', 'up', '0', '%', 'xurlx']);
    expect(tokenise(normaliseText("Tesla DOESN'T beat, shares -2%!"))).toEqual(['tesla', 'doesnt', 'beat', 'shares', '0', '%', '!']);
  });

  test('FNV-1a matches the published 32-bit test vectors', () => {
    expect(fnv1a('')).toBe(0x811c9dc5);
    expect(fnv1a('a')).toBe(0xe40c292c);
    expect(fnv1a('foobar')).toBe(0xbf9cf968);
  });

  test('words after a negator get their own negation features until the clause ends', () => {
    const features = extractFeatures('not higher! lower', { ...config, charNgramMax: 1, charNgramMin: 2 });
    expect(features).toContain('n:higher');
    expect(features).not.toContain('n:lower');
    expect(features).toContain('g2:not higher');
  });

  test('in-place char n-gram hashing gives the same buckets as hashing the feature strings', () => {
    const text = 'Apple beats estimates; $AAPL climbs 4%';
    const fromStrings = new Map<number, number>();
    for (const f of extractFeatures(text, config)) {
      const bucket = fnv1a(f) & (config.buckets - 1);
      fromStrings.set(bucket, (fromStrings.get(bucket) ?? 0) + 1);
    }
    const merged = new Map<number, number>();
    for (const group of hashedCountsByGroup(text, config)) for (const [b, n] of group) merged.set(b, (merged.get(b) ?? 0) + n);
    expect(merged).toEqual(fromStrings);
  });

  test('vectors are deterministic, sorted and unit-length per feature group', () => {
    const idf = fitIdf(['stocks rally', 'stocks fall', 'oil flat'], config);
    const a = vectorise('Stocks rally hard', config, idf);
    const b = vectorise('Stocks rally hard', config, idf);
    expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
    expect(Array.from(a.values)).toEqual(Array.from(b.values));
    expect(Array.from(a.indices)).toEqual(Array.from(a.indices).sort((x, y) => x - y));
    const squaredNorm = Array.from(a.values).reduce((s, v) => s + v * v, 0);
    // Two groups each of norm 1; shared buckets can only move it slightly.
    expect(squaredNorm).toBeGreaterThan(1.8);
    expect(squaredNorm).toBeLessThan(2.2);
  });

  test('IDF is the smoothed scikit-learn formula', () => {
    const idf = fitIdf(['rally', 'rally', 'fall'], config);
    const rally = fnv1a('w:rally') & (config.buckets - 1);
    const unseen = fnv1a('w:zzzz-never') & (config.buckets - 1);
    expect(idf[rally]).toBeCloseTo(Math.log(4 / 3) + 1, 5);
    expect(idf[unseen]).toBeCloseTo(Math.log(4) + 1, 5);
  });
});
