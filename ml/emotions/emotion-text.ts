/**
 * The emotion head's n-gram part: hashed word and char n-gram TF-IDF (the fast tier's
 * features) of the text with each emoji spelled as a word first. The encoder's WordPiece
 * vocabulary turns every emoji into [UNK], yet in StockTwits messages 🚀, 😂 or 😭 often carry
 * the emotion; as words (`xemo…x`) they get features of their own.
 */
import { fitIdf, vectorise, type FeatureConfig, type SparseVector } from '../serving/fast/text-features';

export const EMOTION_NGRAM_CONFIG: FeatureConfig = { buckets: 1 << 16, wordNgrams: 2, charNgramMin: 2, charNgramMax: 5, negationScope: true };

const EMOJI = /\p{Extended_Pictographic}/gu;

/** A code point in letters only (the feature tokeniser turns digits into 0). */
function letters(codePoint: number): string {
  let out = '';
  do {
    out = String.fromCharCode(97 + (codePoint % 26)) + out;
    codePoint = Math.floor(codePoint / 26);
  } while (codePoint > 0);
  return out;
}

/** Each emoji as a separate word `xemo<letters>x`. */
export function emojiAsWords(text: string): string {
  return text.replace(EMOJI, (e) => ` xemo${letters(e.codePointAt(0)!)}x `);
}

export function fitEmotionIdf(texts: readonly string[], config: FeatureConfig = EMOTION_NGRAM_CONFIG): Float32Array {
  return fitIdf(texts.map(emojiAsWords), config);
}

export function emotionSparse(text: string, config: FeatureConfig, idf: Float32Array): SparseVector {
  return vectorise(emojiAsWords(text), config, idf);
}
