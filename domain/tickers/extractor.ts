import { normaliseCik, normaliseTicker, type Company } from './company';
import { findCiks } from './cik';
import { buildNameEntries, compileNamePattern, normaliseForMatching, type NameKind } from './names';

export type TickerMatchSource = 'cashtag' | 'exchange' | 'name' | 'alias' | 'cik';

export interface TickerMention {
  ticker: string;
  /** In [0, 1]; see RELEVANCE below. */
  relevance: number;
  matchedBy: TickerMatchSource[];
}

export interface TickerExtractionInput {
  title: string;
  summary?: string | null;
  /** The filer's CIK when the caller knows it (e.g. from an EDGAR company feed). */
  cik?: string | number | null;
  /** Article URL and guid: EDGAR puts the filer's CIK in both. */
  url?: string | null;
  guid?: string | null;
}

export interface TickerExtractor {
  extract(input: TickerExtractionInput): TickerMention[];
  readonly companies: readonly Company[];
}

/*
 * RELEVANCE
 *   raw = sum over mentions of sourceWeight * fieldWeight
 *     sourceWeight: cashtag 3, exchange 3, cik 3, name 2, alias 1.5
 *     fieldWeight:  title 2, summary 1; a CIK (given or found anywhere) counts once at title weight,
 *                   because it names the filer of the document itself
 *   relevance = 1 - exp(-raw / 4), rounded to 3 decimals
 * So one summary name mention ~0.39, one title name mention ~0.63, a title cashtag ~0.78, and more
 * mentions keep raising it with diminishing returns, never reaching 1. An absolute scale (rather than
 * dividing by the article's best score) keeps relevance comparable across articles for signals.
 */
const SOURCE_WEIGHT: Record<TickerMatchSource, number> = { cashtag: 3, exchange: 3, cik: 3, name: 2, alias: 1.5 };
const TITLE_WEIGHT = 2;
const SUMMARY_WEIGHT = 1;
const SATURATION = 4;

/*
 * Bare upper-case tickers in running text ("AAPL rose") are deliberately NOT matched: too many
 * tickers are words or acronyms (T, A, IT, ALL, ARE, KEY, NOW, ON, CEO-like strings), and a false
 * ticker feeds straight into a trading signal. Tickers count only with a '$' or an exchange prefix.
 */
const CASHTAG = /(?<![\p{L}\p{N}$])\$([A-Za-z]{1,5}(?:[./-][A-Za-z]{1,2})?)(?![\p{L}\p{N}])/gu;
const EXCHANGE =
  /(?<![\p{L}\p{N}])(?:NYSE(?:\s*(?:American|Arca|MKT))?|NASDAQ(?:GS|GM|CM)?|Nasdaq(?:GS|GM|CM)?|AMEX|CBOE|Cboe(?:\s*BZX)?|BATS|TSX|LSE)\s*:\s*([A-Z]{1,5}(?:[./-][A-Z]{1,2})?)(?![\p{L}\p{N}])/gu;

export function createTickerExtractor(companies: readonly Company[]): TickerExtractor {
  const tickers = new Set(companies.map((c) => normaliseTicker(c.ticker)));
  const byCik = new Map<string, string>();
  for (const c of companies) {
    const cik = normaliseCik(c.cik);
    // First share class in list order (GOOGL before GOOG) represents the issuer.
    if (cik && !byCik.has(cik)) byCik.set(cik, normaliseTicker(c.ticker));
  }
  const entries = buildNameEntries(companies.map((c) => ({ ...c, ticker: normaliseTicker(c.ticker) })));
  const byName = new Map<string, { ticker: string; kind: NameKind }>(entries.map((e) => [e.text, e]));
  const namePattern = compileNamePattern(entries.map((e) => e.text));

  function extract(input: TickerExtractionInput): TickerMention[] {
    const scores = new Map<string, { raw: number; sources: Set<TickerMatchSource> }>();
    const credit = (ticker: string, source: TickerMatchSource, fieldWeight: number) => {
      let score = scores.get(ticker);
      if (!score) scores.set(ticker, (score = { raw: 0, sources: new Set() }));
      score.raw += SOURCE_WEIGHT[source] * fieldWeight;
      score.sources.add(source);
    };

    const fields: [string, number][] = [
      [normaliseForMatching(input.title ?? ''), TITLE_WEIGHT],
      [normaliseForMatching(input.summary ?? ''), SUMMARY_WEIGHT],
    ];
    for (const [text, weight] of fields) {
      if (!text) continue;
      for (const m of text.matchAll(CASHTAG)) {
        const ticker = normaliseTicker(m[1]!);
        if (tickers.has(ticker)) credit(ticker, 'cashtag', weight);
      }
      for (const m of text.matchAll(EXCHANGE)) {
        const ticker = normaliseTicker(m[1]!);
        if (tickers.has(ticker)) credit(ticker, 'exchange', weight);
      }
      if (namePattern) {
        for (const m of text.matchAll(namePattern)) {
          const hit = byName.get(m[0]);
          if (hit) credit(hit.ticker, hit.kind, weight);
        }
      }
    }

    const ciks = new Set(findCiks(input.title, input.summary, input.url, input.guid));
    const given = normaliseCik(input.cik);
    if (given) ciks.add(given);
    const cikTickers = new Set([...ciks].map((cik) => byCik.get(cik)).filter((t): t is string => !!t));
    for (const ticker of cikTickers) credit(ticker, 'cik', TITLE_WEIGHT);

    return [...scores.entries()]
      .map(([ticker, { raw, sources }]) => ({
        ticker,
        relevance: Math.round((1 - Math.exp(-raw / SATURATION)) * 1000) / 1000,
        matchedBy: [...sources].sort(),
      }))
      .sort((a, b) => b.relevance - a.relevance || a.ticker.localeCompare(b.ticker));
  }

  return { extract, companies };
}
