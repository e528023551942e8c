import { articleText } from './article-text';
import { withAgreeingSummaries, withUnrelatedSummaries } from './summary-eval';
import { WordPieceTokenizer } from '../serving/accurate/wordpiece';

describe('article text for scoring', () => {
  test('title, then summary, with a full stop between unless the title ends a sentence already', () => {
    expect(articleText('Apple beats estimates', 'Revenue rose 8% on iPhone sales.')).toBe('Apple beats estimates. Revenue rose 8% on iPhone sales.');
    expect(articleText('Apple beats estimates?', 'Revenue rose.')).toBe('Apple beats estimates? Revenue rose.');
  });

  test('no summary, or a summary that only repeats the title: the title alone, whitespace collapsed', () => {
    expect(articleText('  Apple   beats\nestimates ', null)).toBe('Apple beats estimates');
    expect(articleText('Apple beats estimates', '   ')).toBe('Apple beats estimates');
    expect(articleText('Apple beats estimates', 'apple beats estimates')).toBe('apple beats estimates');
  });

  test('a title cut from the summary (feeds without titles) is not said twice', () => {
    expect(articleText('The SEC today announced…', 'The SEC today announced charges against a fund manager.')).toBe('The SEC today announced charges against a fund manager.');
  });

  test('cut to the character limit inside the summary at a word boundary; the title is never cut when it fits', () => {
    const text = articleText('Fed holds rates', 'word '.repeat(400), 60);
    expect(text.length).toBeLessThanOrEqual(60);
    expect(text.startsWith('Fed holds rates. word')).toBe(true);
    expect(text.endsWith('word')).toBe(true);
    expect(articleText('x'.repeat(80), 'summary', 50)).toHaveLength(50);
  });

  test('the encoder window cuts the summary, not the title: the title tokens come first', () => {
    const tokenizer = new WordPieceTokenizer({
      normalizer: { type: 'BertNormalizer', lowercase: true },
      pre_tokenizer: { type: 'BertPreTokenizer' },
      model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: { '[PAD]': 0, '[UNK]': 1, '[CLS]': 2, '[SEP]': 3, fed: 4, holds: 5, '.': 6, rates: 7 } },
    });
    const { ids, truncated } = tokenizer.encode(articleText('Fed holds', 'rates rates rates rates'), 6);
    expect(truncated).toBe(true);
    expect(ids).toEqual([2, 4, 5, 6, 7, 3]);
  });
});

describe('labelled title + summary sets', () => {
  const rows = [
    { text: 'Shares jump', label: 'positive' as const },
    { text: 'Shares slump', label: 'negative' as const },
    { text: 'Profit soars', label: 'positive' as const },
    { text: 'Board meets', label: 'neutral' as const },
    { text: 'Sales surge', label: 'positive' as const },
  ];

  test('unrelated summaries: every headline keeps its label and gets a real summary, in turn', () => {
    const out = withUnrelatedSummaries(rows, ['The SEC announced a task force.', '', 'Testimony before the House.', 'The SEC announced a task force.']);
    expect(out.map((e) => e.label)).toEqual(rows.map((r) => r.label));
    expect(out.map((e) => e.summary)).toEqual(['The SEC announced a task force.', 'Testimony before the House.', 'The SEC announced a task force.', 'Testimony before the House.', 'The SEC announced a task force.']);
    expect(out[0].text).toBe('Shares jump. The SEC announced a task force.');
    expect(() => withUnrelatedSummaries(rows, [' '])).toThrow(/no summaries/);
  });

  test('agreeing summaries: another headline of the same label, never itself; a label without a partner is left out; seeded', () => {
    const out = withAgreeingSummaries(rows, 3);
    expect(out.map((e) => e.title)).toEqual(['Shares jump', 'Profit soars', 'Sales surge']);
    for (const e of out) {
      expect(e.summary).not.toBe(e.title);
      expect(rows.find((r) => r.text === e.summary)!.label).toBe(e.label);
    }
    expect(withAgreeingSummaries(rows, 3)).toEqual(out);
  });
});
