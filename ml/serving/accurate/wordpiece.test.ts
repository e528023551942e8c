import path from 'node:path';
import { defaultEncoderDir } from './encoder-checkpoint';
import { readEncoderReference } from '../../../test/support/encoder-fixture';
import { WordPieceTokenizer } from './wordpiece';

// Reference ids come from the Rust `tokenizers` package (scripts/encoder_reference.py) on
// 1,000 real headlines plus hand-written strings with accents, CJK, control characters,
// emoji, over-long words and over-long texts.
describe('WordPiece tokenizer', () => {
  const reference = readEncoderReference();
  const tokenizer = WordPieceTokenizer.fromFile(path.join(defaultEncoderDir(), 'tokenizer.json'));

  test('matches the reference token ids on every fixture text', () => {
    const mismatches = reference.texts
      .map((text, i) => ({ text, expected: reference.ids[i], got: tokenizer.encode(text, reference.maxLength).ids }))
      .filter((r) => JSON.stringify(r.expected) !== JSON.stringify(r.got));
    expect(mismatches).toEqual([]);
    expect(reference.texts.length).toBeGreaterThanOrEqual(1000);
  });

  test('truncates to the window, keeping [CLS] and [SEP]', () => {
    const encoded = tokenizer.encode('stock '.repeat(600), 128);
    expect(encoded.ids).toHaveLength(128);
    expect(encoded.truncated).toBe(true);
    expect(encoded.ids[0]).toBe(tokenizer.clsId);
    expect(encoded.ids[127]).toBe(tokenizer.sepId);
  });

  test('normalises like BertNormalizer: lower-case, accents stripped, CJK split, controls dropped', () => {
    expect(tokenizer.normalize('Café\u0007 Nestlé')).toBe('cafe nestle');
    expect(tokenizer.preTokenize(tokenizer.normalize('株価up$5'))).toEqual(['株', '価', 'up', '$', '5']);
  });
});
