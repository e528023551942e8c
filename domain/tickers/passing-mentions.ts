/**
 * Relevance of mentions made only in passing (issue 23): a ticker named only in a list of
 * companies ("shares of Apple, Microsoft, Alphabet and Amazon rose") or in outlet boilerplate
 * (a disclosure footer, "About X", "Related tickers: ...") is not what the article is about, and
 * must not drive its signals. The extractor scores mentions; this wraps it: the text is split into
 * sentences, sentences that are lists or boilerplate are set aside, and a ticker found only in
 * them keeps PASSING_FACTOR of its relevance (always below the signal rules' minRelevance, 0.2).
 * A ticker also found in the rest of the text gets the relevance of that rest alone.
 */
import type { TickerExtractionInput, TickerExtractor, TickerMention } from './extractor';

/** Relevance kept by a ticker mentioned only in passing; relevance < 1, so the result stays < 0.2. */
export const PASSING_FACTOR = 0.2;

/** Sentences that are outlet furniture, not news. */
const BOILERPLATE = [
  /^\s*about\s+[\p{Lu}]/u,
  /\bforward[- ]looking statements?\b/i,
  /\bsafe harbor\b/i,
  /^\s*(disclosure|disclaimer)\s*:/i,
  /\b(has|have|holds?|owns?)\s+(no\s+)?(long\s+|short\s+)?positions?\s+in\b/i,
  /\b(recommends|has a disclosure policy|is not investment advice|not a recommendation)\b/i,
  /\bthis (article|story|press release|report) (was|is|has been)\b/i,
  /^\s*(related|other|also|more)\s+(tickers|stocks|companies|coverage|news|mentioned)\b/i,
  /^\s*(see also|read more|tags?|tickers?|mentioned)\s*:/i,
  /\b(media|investor) (contact|relations)\b/i,
  /\bcopyright\b|\ball rights reserved\b/i,
  /\bclick here\b|\bsign up\b|\bsubscribe\b/i,
];

/** Sentences that mention other companies by way of comparison: peers, rivals, sympathy moves. */
const COMPARISON = /\b(rivals?|peers?|competitors?|competition with|competes? with|other [\p{L}-]+ (makers|stocks|companies|names|shares)|in sympathy|gap with|compared (with|to)|versus|vs\.)\b/iu;

/** A sentence is a list when it names at least this many tickers ... */
const LIST_MIN_TICKERS = 3;
/** ... with at most this many words per ticker (a roundup, not a story about each). */
const LIST_MAX_WORDS_PER_TICKER = 6;
/** An enumeration of three or more capitalised names: "A, B and C", "A, B, C", "$A, $B, $C". */
const ITEM = String.raw`[\p{Lu}$][\p{L}\p{N}.&'’$-]*(?:\s+[\p{Lu}&][\p{L}\p{N}.&'’-]*){0,3}`;
const ENUMERATION = new RegExp(`${ITEM}(?:,\\s+${ITEM}){1,}(?:,?\\s+(?:and|or)\\s+${ITEM})|${ITEM}(?:,\\s+${ITEM}){2,}`, 'u');

/** Sentences (and "headline: list" parts) of a text; abbreviations such as "Bros." or "Inc." do not end one. */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])(?<!\b(?:Bros|Inc|Corp|Co|Ltd|Mr|Ms|Dr|St|No|vs|U\.S|Jr|Sr)\.)\s+(?=[\p{Lu}$"“(])|\n+|(?<=:)\s+(?=\$)|\s+[|•]\s+/u)
    .map((s) => s.trim())
    .filter(Boolean);
}

export const isBoilerplate = (sentence: string): boolean => BOILERPLATE.some((re) => re.test(sentence));

function isList(sentence: string, extractor: Pick<TickerExtractor, 'extract'>): boolean {
  const tickers = extractor.extract({ title: '', summary: sentence }).length;
  if (tickers >= 2 && (ENUMERATION.test(sentence) || COMPARISON.test(sentence))) return true;
  if (tickers >= 1 && COMPARISON.test(sentence)) return true;
  if (tickers < LIST_MIN_TICKERS) return false;
  const words = sentence.split(/\s+/).filter((w) => /[\p{L}\p{N}$]/u.test(w)).length;
  return words / tickers <= LIST_MAX_WORDS_PER_TICKER;
}

/** The title and summary without their passing sentences, and whether any were set aside. */
export function substantiveText(input: TickerExtractionInput, extractor: Pick<TickerExtractor, 'extract'>): { title: string; summary: string; setAside: number } {
  let setAside = 0;
  const keep = (text: string) =>
    sentences(text)
      .filter((s) => {
        const passing = isBoilerplate(s) || isList(s, extractor);
        if (passing) setAside++;
        return !passing;
      })
      .join(' ');
  return { title: keep(input.title ?? ''), summary: keep(input.summary ?? ''), setAside };
}

/** The extractor with passing mentions discounted (see the module comment). */
export function discountPassingMentions(extractor: TickerExtractor): TickerExtractor {
  const extract = (input: TickerExtractionInput): TickerMention[] => {
    const all = extractor.extract(input);
    if (all.length === 0) return all;
    const rest = substantiveText(input, extractor);
    if (rest.setAside === 0) return all;
    const central = new Map(extractor.extract({ ...input, title: rest.title, summary: rest.summary }).map((m) => [m.ticker, m]));
    return all
      .map((m) => {
        const c = central.get(m.ticker);
        if (c) return { ...m, relevance: c.relevance };
        return { ...m, relevance: Math.round(m.relevance * PASSING_FACTOR * 1000) / 1000, matchedBy: m.matchedBy };
      })
      .sort((a, b) => b.relevance - a.relevance || a.ticker.localeCompare(b.ticker));
  };
  return { extract, companies: extractor.companies };
}
