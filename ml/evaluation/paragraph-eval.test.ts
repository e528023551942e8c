import type { EntityHeadline } from '../data/entity-data';
import { splitSentences } from '../../domain/sentiment/long-text';
import { syntheticParagraphs } from './paragraph-eval';

const headline = (text: string, entities: Array<[string, 'negative' | 'neutral' | 'positive']>): EntityHeadline => ({
  text,
  entities: entities.map(([entity, label]) => {
    const at = text.indexOf(entity);
    return { entity, label, ...(at >= 0 ? { span: [at, at + entity.length] as [number, number] } : {}) };
  }),
  mixed: new Set(entities.map((e) => e[1])).size > 1,
});

describe('syntheticParagraphs', () => {
  const headlines = [
    headline('Infosys shares jump 5% on strong deal wins', [['Infosys', 'positive']]),
    headline('Tata Motors slumps as sales fall', [['Tata Motors', 'negative']]),
    headline('Wipro, HCL Tech trade flat ahead of results', [['Wipro', 'neutral'], ['HCL Tech', 'neutral']]),
    headline('Infosys beats TCS in quarterly growth', [['Infosys', 'positive'], ['TCS', 'negative']]),
    headline('Sensex ends higher', [['Nifty', 'positive']]), // entity not in the text: left out
    headline('Maruti Suzuki recalls 10,000 cars', [['Maruti Suzuki', 'negative']]),
    headline('HDFC Bank raises deposit rates', [['HDFC Bank', 'neutral']]),
  ];

  it('joins 3-5 headlines into paragraphs whose body starts with the title, one sentence per headline', () => {
    const paragraphs = syntheticParagraphs(headlines, 1);
    expect(paragraphs.length).toBeGreaterThan(0);
    for (const p of paragraphs) {
      const sentences = splitSentences(p.body).map((s) => s.text);
      expect(sentences.length).toBeGreaterThanOrEqual(3);
      expect(sentences.length).toBeLessThanOrEqual(5);
      expect(p.body.startsWith(p.title)).toBe(true);
      expect(p.mixed).toBe(new Set(p.entities.map((e) => e.label)).size > 1);
      expect(new Set(p.entities.map((e) => e.key)).size).toBe(p.entities.length);
    }
  });

  it('never puts two headlines naming the same entity in one paragraph, and skips headlines whose entities are not in them', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      for (const p of syntheticParagraphs(headlines, seed)) {
        expect(p.entities.filter((e) => e.entity === 'Infosys').length).toBeLessThanOrEqual(1);
        expect(p.entities.some((e) => e.entity === 'Nifty')).toBe(false);
      }
    }
  });

  it('is deterministic for a seed', () => {
    expect(syntheticParagraphs(headlines, 3)).toEqual(syntheticParagraphs(headlines, 3));
  });
});
