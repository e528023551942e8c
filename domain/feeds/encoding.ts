import { TextDecoder } from 'node:util';
import { FeedParseError } from './errors';

export interface DecodedFeedText {
  text: string;
  /** WHATWG name of the encoding actually used (e.g. 'utf-8', 'windows-1252'). */
  encoding: string;
  /** True only in 'replace' mode when invalid bytes became U+FFFD. */
  replacedInvalidBytes: boolean;
}

export interface DecodeOptions {
  /**
   * 'error' (default): bytes that are not valid in the chosen encoding are a permanent
   * INVALID_ENCODING error. Mojibake would otherwise flow silently into titles, sentiment
   * inputs and title-based dedupe hashes, and a feed that lies about its encoding stays broken
   * until its publisher fixes it, so we want it surfaced rather than half-ingested.
   * 'replace': decode with U+FFFD and set replacedInvalidBytes, for callers that prefer recall.
   */
  invalidEncoding?: 'error' | 'replace';
}

/**
 * Precedence: BOM, then the XML declaration, then the HTTP charset, then UTF-8. The declaration
 * beats the HTTP header because the publisher wrote it next to the bytes, while the header
 * charset is very often a web-server default rather than a statement about this file.
 */
export function decodeFeedBody(body: Buffer, contentType?: string | null, options: DecodeOptions = {}): DecodedFeedText {
  const mode = options.invalidEncoding ?? 'error';
  const { label, offset } = sniffEncoding(body, contentType);
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label, { fatal: mode === 'error', ignoreBOM: true });
  } catch (err) {
    throw new FeedParseError('UNSUPPORTED_ENCODING', `unsupported character encoding "${label}"`, { cause: err });
  }
  const bytes = body.subarray(offset);
  try {
    const text = decoder.decode(bytes);
    // A literal U+FFFD in valid input is legal, hence the second, strict pass to tell them apart.
    const replacedInvalidBytes = mode === 'replace' && text.includes('\uFFFD') && hasInvalid(label, bytes);
    return { text, encoding: decoder.encoding, replacedInvalidBytes };
  } catch (err) {
    throw new FeedParseError(
      'INVALID_ENCODING',
      `feed body is not valid ${decoder.encoding}${firstInvalidOffset(label, bytes, offset)}`,
      { cause: err },
    );
  }
}

function hasInvalid(label: string, bytes: Uint8Array): boolean {
  try {
    new TextDecoder(label, { fatal: true }).decode(bytes);
    return false;
  } catch {
    return true;
  }
}

/** Locates the first bad byte for the error message; only runs on the failure path. */
function firstInvalidOffset(label: string, bytes: Uint8Array, base: number): string {
  let lo = 0;
  let hi = bytes.length;
  // Binary search on the longest valid prefix; a cut inside a multi-byte sequence is also "invalid",
  // so allow 3 bytes of slack.
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (hasInvalid(label, bytes.subarray(0, mid)) && hasInvalid(label, bytes.subarray(0, Math.min(bytes.length, mid + 3)))) hi = mid;
    else lo = mid;
  }
  return ` (first invalid byte near offset ${base + lo})`;
}

function sniffEncoding(body: Buffer, contentType?: string | null): { label: string; offset: number } {
  if (body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return { label: 'utf-8', offset: 3 };
  if (body.length >= 2 && body[0] === 0xff && body[1] === 0xfe) return { label: 'utf-16le', offset: 2 };
  if (body.length >= 2 && body[0] === 0xfe && body[1] === 0xff) return { label: 'utf-16be', offset: 2 };
  // BOM-less UTF-16 still starts with '<' and a zero byte in one order or the other.
  if (body.length >= 4 && body[0] === 0x3c && body[1] === 0x00 && body[2] === 0x3f && body[3] === 0x00) return { label: 'utf-16le', offset: 0 };
  if (body.length >= 4 && body[0] === 0x00 && body[1] === 0x3c && body[2] === 0x00 && body[3] === 0x3f) return { label: 'utf-16be', offset: 0 };

  const head = body.subarray(0, 256).toString('latin1');
  const declared = /^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head)?.[1];
  // Readable as ASCII means it cannot be UTF-16 whatever the declaration says (a common copy-paste lie).
  if (declared && !/^utf-?16/i.test(declared)) return { label: declared.toLowerCase(), offset: 0 };
  const charset = contentType ? /;\s*charset\s*=\s*"?([A-Za-z0-9._:-]+)"?/i.exec(contentType)?.[1] : undefined;
  if (charset) return { label: charset.toLowerCase(), offset: 0 };
  return { label: 'utf-8', offset: 0 };
}
