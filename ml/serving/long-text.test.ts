import { createLexiconScorer } from '../../domain/sentiment/lexicon-scorer';
import { scoreLongText } from './long-text';

// The lexicon scorer is a real scorer without a model: enough to check the plumbing.
describe('scoreLongText', () => {
  const scorer = createLexiconScorer();

  it('keeps the title only when the body is boilerplate', async () => {
    const result = await scoreLongText(scorer, { title: 'Acme profit soars to a record', body: '8-K - Current report' });
    expect(result.mode).toBe('title-only');
    expect(result.document!.segments).toBe(1);
    expect(result.document!.label).toBe('positive');
  });

  it('scores a related body by sentences, and each company over the sentences that name it', async () => {
    const result = await scoreLongText(scorer, {
      title: 'Acme and Globex report results',
      body: 'Acme reported excellent results and record profit. Globex results were a disaster, with heavy losses. Both results were released on Monday.',
      companies: [
        { key: 'ACME', names: ['Acme'] },
        { key: 'GLBX', names: ['Globex'] },
        { key: 'INIT', names: ['Initech'] },
      ],
    });
    expect(result.mode).toBe('sentences');
    expect(result.document!.segments).toBe(4);
    expect(result.companies.get('ACME')!.score).toBeGreaterThan(0);
    expect(result.companies.get('GLBX')!.score).toBeLessThan(0);
    expect(result.companies.has('INIT')).toBe(false);
  });
});
