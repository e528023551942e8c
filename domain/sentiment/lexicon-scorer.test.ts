import { createLexiconScorer } from './lexicon-scorer';

describe('lexicon scorer', () => {
  test('scores finance headlines with the model output shape', async () => {
    const scorer = createLexiconScorer();
    const [up, down, flat] = await scorer.scoreBatch(['Apple beats estimates and shares surge', 'Boeing shares plunge after downgrade', 'Company schedules conference call']);
    expect(up.label).toBe('positive');
    expect(down.label).toBe('negative');
    expect(flat.label).toBe('neutral');
    for (const s of [up, down, flat]) {
      expect(s.modelVersion).toBe('lexicon-afinn165-finance');
      expect(s.score).toBeGreaterThanOrEqual(-1);
      expect(s.score).toBeLessThanOrEqual(1);
      const p = s.probabilities!;
      expect(p.negative + p.neutral + p.positive).toBeCloseTo(1, 10);
    }
  });

  test('empty and unsupported text are reported as unscored', async () => {
    const [empty, chinese] = await createLexiconScorer().scoreBatch(['   ', '苹果公司股价大涨']);
    expect(empty).toMatchObject({ label: null, score: null, probabilities: null, unscoredReason: 'empty_text' });
    expect(chinese.unscoredReason).toBe('unsupported_language');
  });

  test('finance terms do not leak into the shared sentiment package table', async () => {
    await createLexiconScorer().scoreBatch(['shares plunge']);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Sentiment = require('sentiment') as new () => { analyze(t: string): { score: number } };
    expect(new Sentiment().analyze('plunges after downgrade').score).toBe(0);
  });
});
