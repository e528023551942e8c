/**
 * A BERT WordPiece tokenizer that reads a Hugging Face `tokenizer.json` and reproduces the
 * Rust `tokenizers` pipeline it describes: BertNormalizer (clean text, pad CJK ideographs,
 * strip accents, lower-case), BertPreTokenizer (split on whitespace, isolate punctuation),
 * WordPiece (greedy longest match, `##` continuations, [UNK] for a word that cannot be
 * covered or is longer than max_input_chars_per_word) and the [CLS] … [SEP] template.
 * Pure TypeScript; no native code, no network.
 */
import fs from 'node:fs';

export interface TokenizerJson {
  normalizer?: { type: string; clean_text?: boolean; handle_chinese_chars?: boolean; strip_accents?: boolean | null; lowercase?: boolean } | null;
  pre_tokenizer?: { type: string } | null;
  model: { type: string; unk_token: string; continuing_subword_prefix: string; max_input_chars_per_word: number; vocab: Record<string, number> };
  added_tokens?: Array<{ id: number; content: string; special: boolean }>;
}

export interface Encoding {
  /** [CLS] ids… [SEP] */
  ids: number[];
  /** Index of the pre-tokenized word each id came from (-1 for [CLS]/[SEP]). */
  wordIds: number[];
  /** Character span [start, end) in the normalized-before-lowercasing original text of each word; -1 for specials. */
  truncated: boolean;
}

const isWhitespace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || /\s/u.test(c);
/** Rust's char::is_control as the tokenizers crate uses it: category C except tab/newline/CR. */
const isControl = (c: string): boolean => c !== '\t' && c !== '\n' && c !== '\r' && /\p{C}/u.test(c);
/** ASCII punctuation (incl. $ + < = > ^ ` | ~) or Unicode P*. */
const isPunctuation = (c: string): boolean => {
  const cp = c.codePointAt(0)!;
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) return true;
  return /\p{P}/u.test(c);
};
const isChineseChar = (cp: number): boolean =>
  (cp >= 0x4e00 && cp <= 0x9fff) ||
  (cp >= 0x3400 && cp <= 0x4dbf) ||
  (cp >= 0x20000 && cp <= 0x2a6df) ||
  (cp >= 0x2a700 && cp <= 0x2b73f) ||
  (cp >= 0x2b740 && cp <= 0x2b81f) ||
  (cp >= 0x2b920 && cp <= 0x2ceaf) ||
  (cp >= 0xf900 && cp <= 0xfaff) ||
  (cp >= 0x2f800 && cp <= 0x2fa1f);

export class WordPieceTokenizer {
  readonly vocab: Map<string, number>;
  readonly clsId: number;
  readonly sepId: number;
  readonly padId: number;
  readonly unkId: number;
  private readonly prefix: string;
  private readonly maxWordChars: number;
  private readonly cleanText: boolean;
  private readonly chineseChars: boolean;
  private readonly stripAccents: boolean;
  private readonly lowercase: boolean;
  private readonly wordCache = new Map<string, number[]>();

  constructor(spec: TokenizerJson) {
    if (spec.model.type !== 'WordPiece') throw new Error(`tokenizer.json: model type ${spec.model.type} is not WordPiece`);
    if (spec.normalizer && spec.normalizer.type !== 'BertNormalizer') throw new Error(`tokenizer.json: normalizer ${spec.normalizer.type} is not supported`);
    if (spec.pre_tokenizer && spec.pre_tokenizer.type !== 'BertPreTokenizer') throw new Error(`tokenizer.json: pre-tokenizer ${spec.pre_tokenizer.type} is not supported`);
    this.vocab = new Map(Object.entries(spec.model.vocab));
    const id = (token: string): number => {
      const value = this.vocab.get(token);
      if (value === undefined) throw new Error(`tokenizer.json: vocabulary lacks ${token}`);
      return value;
    };
    this.clsId = id('[CLS]');
    this.sepId = id('[SEP]');
    this.padId = id('[PAD]');
    this.unkId = id(spec.model.unk_token);
    this.prefix = spec.model.continuing_subword_prefix;
    this.maxWordChars = spec.model.max_input_chars_per_word;
    const n = spec.normalizer;
    this.cleanText = n?.clean_text ?? false;
    this.chineseChars = n?.handle_chinese_chars ?? false;
    this.lowercase = n?.lowercase ?? false;
    // tokenizers: strip_accents unset (null) follows lowercase
    this.stripAccents = n ? (n.strip_accents ?? this.lowercase) : false;
  }

  static fromFile(file: string): WordPieceTokenizer {
    return new WordPieceTokenizer(JSON.parse(fs.readFileSync(file, 'utf8')) as TokenizerJson);
  }

  normalize(text: string): string {
    let out = '';
    for (const c of text) {
      const cp = c.codePointAt(0)!;
      if (this.cleanText) {
        if (cp === 0 || cp === 0xfffd || isControl(c)) continue;
        if (isWhitespace(c)) {
          out += ' ';
          continue;
        }
      }
      if (this.chineseChars && isChineseChar(cp)) out += ` ${c} `;
      else out += c;
    }
    if (this.stripAccents) out = out.normalize('NFD').replace(/\p{Mn}/gu, '');
    if (this.lowercase) {
      // Per character, as Rust's char::to_lowercase does (no context-sensitive final sigma).
      let lowered = '';
      for (const c of out) lowered += c.toLowerCase();
      out = lowered;
    }
    return out;
  }

  /** BertPreTokenizer: whitespace splits (dropped), each punctuation character its own word. */
  preTokenize(normalized: string): string[] {
    const words: string[] = [];
    let current = '';
    for (const c of normalized) {
      if (isWhitespace(c)) {
        if (current) words.push(current);
        current = '';
      } else if (isPunctuation(c)) {
        if (current) words.push(current);
        words.push(c);
        current = '';
      } else {
        current += c;
      }
    }
    if (current) words.push(current);
    return words;
  }

  /** WordPiece ids of one pre-tokenized word. */
  wordPiece(word: string): number[] {
    const cached = this.wordCache.get(word);
    if (cached) return cached;
    const chars = Array.from(word);
    let ids: number[] = [];
    if (chars.length > this.maxWordChars) {
      ids = [this.unkId];
    } else {
      let start = 0;
      while (start < chars.length) {
        let end = chars.length;
        let found: number | undefined;
        while (start < end) {
          const piece = (start > 0 ? this.prefix : '') + chars.slice(start, end).join('');
          const id = this.vocab.get(piece);
          if (id !== undefined) {
            found = id;
            break;
          }
          end--;
        }
        if (found === undefined) {
          ids = [this.unkId];
          break;
        }
        ids.push(found);
        start = end;
      }
    }
    if (this.wordCache.size < 200_000) this.wordCache.set(word, ids);
    return ids;
  }

  /** Token ids with [CLS]/[SEP], truncated so the whole sequence fits maxLength. */
  encode(text: string, maxLength = 256): Encoding {
    const words = this.preTokenize(this.normalize(text));
    const ids: number[] = [this.clsId];
    const wordIds: number[] = [-1];
    let truncated = false;
    outer: for (let w = 0; w < words.length; w++) {
      for (const id of this.wordPiece(words[w])) {
        if (ids.length >= maxLength - 1) {
          truncated = true;
          break outer;
        }
        ids.push(id);
        wordIds.push(w);
      }
    }
    ids.push(this.sepId);
    wordIds.push(-1);
    return { ids, wordIds, truncated };
  }
}
