import { createLexiconScorer } from '../../domain/sentiment/lexicon-scorer';
import type { SentimentScore, SentimentScorer } from '../../domain/sentiment/types';
import { scoreArticleTexts } from './article-scoring';

/** The lexicon scorer, counting the texts each scoreBatch call gets. */
function countingScorer(): SentimentScorer & { calls: string[][] } {
  const lexicon = createLexiconScorer();
  const calls: string[][] = [];
  return {
    modelVersion: lexicon.modelVersion,
    tier: lexicon.tier,
    backend: lexicon.backend,
    calls,
    scoreBatch(texts: string[]) {
      calls.push(texts);
      return lexicon.scoreBatch(texts);
    },
  };
}

describe('scoreArticleTexts', () => {
  it('scores title-only articles in one batch of titles, as before long text', async () => {
    const scorer = countingScorer();
    const out = await scoreArticleTexts(scorer, [
      { title: 'Acme profit soars to a record', body: '' },
      { title: 'Globex shares plunge on fraud probe', body: 'Filed: 2025-01-24 AccNo: 0001213900 Size: 302 KB' },
    ]);
    expect(scorer.calls).toEqual([['Acme profit soars to a record', 'Globex shares plunge on fraud probe']]);
    expect(out.map((o) => o.mode)).toEqual(['title-only', 'title-only']);
    expect(out.map((o) => o.score.label)).toEqual(['positive', 'negative']);
    expect(out.every((o) => o.companies.size === 0)).toBe(true);
  });

  it('uses the title scores the caller already has for title-only articles', async () => {
    const scorer = countingScorer();
    const given: SentimentScore[] = [{ label: 'neutral', score: 0, probabilities: { negative: 0.1, neutral: 0.8, positive: 0.1 }, modelVersion: scorer.modelVersion }];
    const out = await scoreArticleTexts(scorer, [{ title: 'Acme profit soars to a record' }], given);
    expect(scorer.calls).toEqual([]);
    expect(out[0].score).toBe(given[0]);
  });

  it('scores a related body by sentences, with per-company scores from the sentences that name them', async () => {
    const scorer = countingScorer();
    const out = await scoreArticleTexts(scorer, [
      { title: 'Acme profit soars to a record' },
      {
        title: 'Acme and Globex report results',
        body: 'Acme reported excellent results and record profit. Globex results were a disaster, with heavy losses.',
        companies: [
          { key: 'ACME', locate: (text) => (text.indexOf('Acme') >= 0 ? [text.indexOf('Acme'), text.indexOf('Acme') + 4] : undefined) },
          { key: 'GLBX', names: ['Globex'] },
          { key: 'INIT', names: ['Initech'] },
        ],
      },
    ]);
    expect(out.map((o) => o.mode)).toEqual(['title-only', 'sentences']);
    expect(out[1].score.modelVersion).toBe(scorer.modelVersion);
    expect(out[1].companies.get('ACME')!.score).toBeGreaterThan(0);
    expect(out[1].companies.get('GLBX')!.score).toBeLessThan(0);
    expect(out[1].companies.has('INIT')).toBe(false);
    // the title-only article in one batch; the long one: title and its two sentences
    expect(scorer.calls).toEqual([['Acme profit soars to a record'], ['Acme and Globex report results', expect.stringMatching(/^Acme reported/), expect.stringMatching(/^Globex results/)]]);
  });

  it('keeps the title explanation only when the title agrees with the whole text', async () => {
    const explaining: SentimentScorer = {
      modelVersion: 'test-1',
      backend: 'test',
      async scoreBatch(texts) {
        return texts.map((t) => {
          const positive = /record|excellent/.test(t);
          const probabilities = positive ? { negative: 0.05, neutral: 0.15, positive: 0.8 } : { negative: 0.9, neutral: 0.05, positive: 0.05 };
          return { label: positive ? 'positive' : 'negative', score: probabilities.positive - probabilities.negative, probabilities, modelVersion: 'test-1', explanation: [{ text: t.split(' ')[0], weight: 1 }] };
        });
      },
    };
    const [agrees, disagrees] = await scoreArticleTexts(explaining, [
      { title: 'Acme record results', body: 'Acme results beat with excellent margins. Acme results shine.' },
      { title: 'Acme record results', body: 'Acme results collapse. Acme results disappoint badly. Acme results miss.' },
    ]);
    expect(agrees.score.label).toBe('positive');
    expect(agrees.score.explanation).toEqual([{ text: 'Acme', weight: 1 }]);
    expect(disagrees.mode).toBe('sentences');
    expect(disagrees.score.label).toBe('negative');
    expect(disagrees.score.explanation).toBeUndefined();
  });
});
