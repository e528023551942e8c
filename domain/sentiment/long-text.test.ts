import { aggregateScores, bodyIsAboutTitle, companyMentions, splitSentences } from './long-text';
import type { SentimentScore } from './types';

const score = (negative: number, neutral: number, positive: number): SentimentScore => ({
  label: null,
  score: positive - negative,
  probabilities: { negative, neutral, positive },
  modelVersion: 'v',
});

describe('splitSentences', () => {
  it('splits at sentence ends but not after abbreviations, initials or decimals', () => {
    const text = 'Acme Inc. reported revenue of $2.5 billion. Shares rose 3% after J. Smith said demand was strong! Will it last? Analysts at Foo Corp. doubt it.';
    expect(splitSentences(text).map((s) => s.text)).toEqual([
      'Acme Inc. reported revenue of $2.5 billion.',
      'Shares rose 3% after J. Smith said demand was strong!',
      'Will it last?',
      'Analysts at Foo Corp. doubt it.',
    ]);
  });

  it('keeps character spans into the original text and splits paragraphs', () => {
    const text = 'First paragraph without a stop\n\nSecond one.';
    const parts = splitSentences(text);
    expect(parts.map((p) => p.text)).toEqual(['First paragraph without a stop', 'Second one.']);
    for (const p of parts) expect(text.slice(p.start, p.end)).toBe(p.text);
  });

  it('cuts over-long sentences into windows of whole words', () => {
    const text = Array.from({ length: 25 }, (_, i) => `w${i}`).join(' ');
    const parts = splitSentences(text, 10);
    expect(parts.map((p) => p.text.split(' ').length)).toEqual([10, 10, 5]);
    for (const p of parts) expect(text.slice(p.start, p.end)).toBe(p.text);
  });
});

describe('bodyIsAboutTitle', () => {
  it('accepts a body that carries the title and rejects boilerplate', () => {
    const title = 'Globex profit doubles on chip demand';
    expect(bodyIsAboutTitle(title, 'Globex said quarterly profit doubled as demand for its chips grew.')).toBe(true);
    expect(bodyIsAboutTitle(title, 'S-1 - General form for registration of securities under the Securities Act of 1933')).toBe(false);
    expect(bodyIsAboutTitle('the of a', 'anything')).toBe(false);
  });
});

describe('aggregateScores', () => {
  it('lets one clear sentence carry routine ones instead of being outvoted', () => {
    const routine = Array.from({ length: 6 }, () => score(0.05, 0.9, 0.05));
    const aggregated = aggregateScores([score(0.9, 0.05, 0.05), ...routine])!;
    // the plain mean would be neutral (P(neutral) 0.78); weighted, the warning carries it
    expect(aggregated.label).toBe('negative');
    expect(aggregated.score).toBeLessThan(0);
    expect(aggregated.segments).toBe(7);
    const p = aggregated.probabilities;
    expect(p.negative + p.neutral + p.positive).toBeCloseTo(1, 10);
  });

  it('stays neutral for routine text, ignores unscored segments, and is null with nothing scored', () => {
    expect(aggregateScores([score(0.05, 0.9, 0.05), score(0.1, 0.8, 0.1)])!.label).toBe('neutral');
    const unscored: SentimentScore = { label: null, score: null, probabilities: null, modelVersion: 'v', unscoredReason: 'empty_text' };
    expect(aggregateScores([unscored, score(0.1, 0.2, 0.7)])!.segments).toBe(1);
    expect(aggregateScores([unscored])).toBeNull();
  });
});

describe('companyMentions', () => {
  it('finds each company by any of its names, whole words only, any case', () => {
    const text = 'Apple beat estimates; AAPL rose while Pineapple Corp fell. apple again.';
    const found = companyMentions(text, [
      { key: 'AAPL', names: ['Apple', 'AAPL'] },
      { key: 'MSFT', names: ['Microsoft'] },
    ]);
    expect([...found.keys()]).toEqual(['AAPL']);
    expect(found.get('AAPL')!.map(([s, e]) => text.slice(s, e))).toEqual(['Apple', 'AAPL', 'apple']);
  });
});
