import { FORMER_SYMBOLS, normaliseCik, normaliseTicker, type Company } from './company';
import { findCiks } from './cik';
import { acceptGuardedMention, isOrdinaryWord } from './context';
import { LISTING_CHANGES, symbolOnDate, type ListingChange } from './history';
import { buildNameEntries, compileNameMatcher, normaliseForMatching, type NameEntry } from './names';

/**
 * cashtag "$AAPL"; exchange "NYSE: IBM"; symbol "Zscaler (ZS)" (a symbol in parentheses right
 * after the name it stands for); pair "BTC-USD" (a crypto instrument quoted against a currency);
 * name / alias the company as people write it; cik the SEC filer id.
 */
export type TickerMatchSource = 'cashtag' | 'exchange' | 'symbol' | 'pair' | 'name' | 'alias' | 'cik';

export interface TickerMention {
  ticker: string;
  /** In [0, 1]; see RELEVANCE below. */
  relevance: number;
  matchedBy: TickerMatchSource[];
  /**
   * Present (true) only when the symbol is not in the instrument universe: an explicit cashtag,
   * exchange tag or "Name (SYM)" of an unknown symbol is kept, flagged, at half weight.
   */
  unverified?: true;
}

export interface TickerExtractionInput {
  title: string;
  summary?: string | null;
  /** The filer's CIK when the caller knows it (e.g. from an EDGAR company feed). */
  cik?: string | number | null;
  /** Article URL and guid: EDGAR puts the filer's CIK in both. */
  url?: string | null;
  guid?: string | null;
  /**
   * When the article was published: names and symbols in the listing history (history.ts) are
   * read as of that day ("Mylan" in 2019 is MYL, in 2021 VTRS). Absent: as of today.
   */
  publishedAt?: Date | string | null;
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
const SOURCE_WEIGHT: Record<TickerMatchSource, number> = { cashtag: 3, exchange: 3, symbol: 3, pair: 3, cik: 3, name: 2, alias: 1.5 };
/** An unknown symbol counts at this fraction: a title cashtag of an unknown symbol ~0.53 instead of ~0.78. */
const UNVERIFIED_FACTOR = 0.5;
const TITLE_WEIGHT = 2;
const SUMMARY_WEIGHT = 1;
const SATURATION = 4;

/*
 * Bare upper-case tickers in running text ("AAPL rose") are deliberately NOT matched: too many
 * tickers are words or acronyms (T, A, IT, ALL, ARE, KEY, NOW, ON, CEO-like strings), and a false
 * ticker feeds straight into a trading signal. Tickers count only with a '$', an exchange prefix,
 * in parentheses right after their issuer's name, or as a crypto pair.
 */
const CASHTAG = /(?<![\p{L}\p{N}$])\$([A-Za-z]{1,6}(?:[./-][A-Za-z]{1,4})?)(?![\p{L}\p{N}])/gu;
const EXCHANGE =
  /(?<![\p{L}\p{N}])(?:NYSE(?:\s*(?:American|Arca|MKT))?|NASDAQ(?:GS|GM|CM)?|Nasdaq(?:GS|GM|CM)?|AMEX|CBOE|Cboe(?:\s*BZX)?|BATS|TSX|LSE)\s*:\s*([A-Z]{1,5}(?:[./-][A-Z]{1,2})?)(?![\p{L}\p{N}])/gu;

/** Quote currencies of crypto pairs: "$BTCUSD", "BTC-USD", "ETH/USDT", "$BTC.X" (StockTwits). */
const QUOTE = '(?:USDT|USDC|USD|EUR|GBP|JPY|BTC|ETH)';
const CRYPTO_CASHTAG_SUFFIX = new RegExp(`^([A-Z]{2,6}?)(?:[./-]?${QUOTE}|\\.X)$`);
const PAIR = new RegExp(`(?<![\\p{L}\\p{N}$])([A-Z]{2,6})[-/]${QUOTE}(?![\\p{L}\\p{N}])`, 'gu');
/** "Zscaler (ZS)", "2U Inc (TWOU)", "Cummins (CMI)": a capitalised word, then the symbol in parentheses. */
const PAREN_SYMBOL = /([\p{Lu}\p{N}][\p{L}\p{N}&'.-]*(?:,?\s+(?:[\p{Lu}\p{N}][\p{L}\p{N}&'.-]*|&|plc|inc\.?)){0,6})\s+\(([A-Z]{1,5}(?:\.[A-Z])?)\)/gu;
/**
 * Cashtags and parenthesised capitals that are not instruments: currencies (traders write $USD,
 * $EUR), and the abbreviations headlines put in parentheses after what they abbreviate.
 */
const NOT_A_SYMBOL = new Set([
  'USD', 'EUR', 'GBP', 'JPY', 'CNY', 'CAD', 'AUD', 'CHF', 'HKD', 'INR', 'MXN', 'KRW', 'BRL', 'RUB', 'SEK', 'NOK', 'NZD',
  'CEO', 'CFO', 'COO', 'CTO', 'IPO', 'ETF', 'ETFS', 'EPS', 'GDP', 'CPI', 'PMI', 'AI', 'ESG', 'SEC', 'FDA', 'FTC', 'DOJ', 'EPA',
  'FED', 'FOMC', 'ECB', 'BOE', 'BOJ', 'IMF', 'OPEC', 'EU', 'UK', 'US', 'USA', 'UAE', 'AUM', 'NAV', 'REIT', 'SPAC', 'LLC',
  'LP', 'PLC', 'INC', 'CORP', 'LTD', 'ADR', 'ADRS', 'OTC', 'NYSE', 'NASDAQ', 'PE', 'PR', 'QE', 'M&A', 'IT', 'TV', 'EV', 'EVS',
  'Q', 'A', 'I', 'II', 'III', 'IV', 'V', 'X', 'AM', 'PM', 'ET', 'PT', 'EST', 'UTC', 'YOY', 'QOQ', 'TTM', 'WTI', 'LNG', 'API',
]);

export function createTickerExtractor(companies: readonly Company[]): TickerExtractor {
  const tickers = new Set(companies.map((c) => normaliseTicker(c.ticker)));
  const crypto = new Set(companies.filter((c) => c.assetClass === 'crypto').map((c) => normaliseTicker(c.ticker)));
  const former = new Map<string, string>();
  for (const c of companies) {
    const ticker = normaliseTicker(c.ticker);
    for (const old of c.formerSymbols ?? FORMER_SYMBOLS[ticker] ?? []) if (!tickers.has(normaliseTicker(old))) former.set(normaliseTicker(old), ticker);
  }
  // Listing history: a former symbol or name means the symbol of the article's day.
  const changeBySymbol = new Map<string, ListingChange>(LISTING_CHANGES.map((c) => [c.formerSymbol, c]));
  const changeByName = new Map<string, ListingChange>(LISTING_CHANGES.flatMap((c) => c.names.map((n) => [normaliseForMatching(n), c] as const)));
  const findHistoricNames = compileNameMatcher([...changeByName.keys()]);
  for (const c of LISTING_CHANGES) {
    if (c.successor && tickers.has(c.successor) && !tickers.has(c.formerSymbol) && !former.has(c.formerSymbol)) former.set(c.formerSymbol, c.successor);
  }
  /** A cashtag's instrument: the symbol of the article's day ($MYL in 2019), the symbol itself, a former symbol of it ($FB), or the crypto base of a pair ($BTCUSD, $BTC.X). */
  const resolveCashtag = (symbol: string, at: Date | null): string | null => {
    const change = changeBySymbol.get(symbol);
    if (change && at && symbolOnDate(change, at) === change.formerSymbol) return change.formerSymbol;
    if (tickers.has(symbol)) return symbol;
    const renamed = former.get(symbol);
    if (renamed) return renamed;
    const base = CRYPTO_CASHTAG_SUFFIX.exec(symbol)?.[1];
    return base && crypto.has(base) ? base : null;
  };
  const byCik = new Map<string, string>();
  for (const c of companies) {
    const cik = normaliseCik(c.cik);
    // First share class in list order (GOOGL before GOOG) represents the issuer.
    if (cik && !byCik.has(cik)) byCik.set(cik, normaliseTicker(c.ticker));
  }
  const entries = buildNameEntries(companies.map((c) => ({ ...c, ticker: normaliseTicker(c.ticker) })));
  const byName = new Map<string, NameEntry>(entries.map((e) => [e.text, e]));
  const findNames = compileNameMatcher(entries.map((e) => e.text));

  function extract(input: TickerExtractionInput): TickerMention[] {
    const published = input.publishedAt ? new Date(input.publishedAt) : null;
    const at = published && !Number.isNaN(published.getTime()) ? published : null;
    const scores = new Map<string, { raw: number; sources: Set<TickerMatchSource>; verified: boolean }>();
    const credit = (ticker: string, source: TickerMatchSource, fieldWeight: number, verified = true) => {
      let score = scores.get(ticker);
      if (!score) scores.set(ticker, (score = { raw: 0, sources: new Set(), verified }));
      score.raw += SOURCE_WEIGHT[source] * fieldWeight * (verified ? 1 : UNVERIFIED_FACTOR);
      score.sources.add(source);
      score.verified ||= verified;
    };
    /** Known symbols count fully; an unknown one is kept as unverified unless it is a currency or abbreviation. */
    const creditSymbol = (raw: string, source: TickerMatchSource, weight: number) => {
      const symbol = normaliseTicker(raw);
      const known = source === 'cashtag' || source === 'exchange' ? resolveCashtag(symbol, at) : tickers.has(symbol) ? symbol : null;
      if (known) credit(known, source, weight);
      // Only capitals: "$money" is a word with a dollar sign, "$ACST" is a symbol.
      else if (raw === raw.toUpperCase() && symbol.length <= 5 && !NOT_A_SYMBOL.has(symbol)) credit(symbol, source, weight, false);
    };

    const guarded: Array<{ ticker: string; kind: NameEntry['kind']; weight: number }> = [];
    const fields: [string, number][] = [
      [normaliseForMatching(input.title ?? ''), TITLE_WEIGHT],
      [normaliseForMatching(input.summary ?? ''), SUMMARY_WEIGHT],
    ];
    for (const [text, weight] of fields) {
      if (!text) continue;
      for (const m of text.matchAll(CASHTAG)) creditSymbol(m[1]!, 'cashtag', weight);
      for (const m of text.matchAll(EXCHANGE)) creditSymbol(m[1]!, 'exchange', weight);
      for (const m of text.matchAll(PAIR)) {
        const base = normaliseTicker(m[1]!);
        if (crypto.has(base)) credit(base, 'pair', weight);
      }
      const named: Array<{ ticker: string; end: number }> = [];
      // Historic names first ("Mylan", "Twitter"): they name the issuer of the article's day, and
      // the span is theirs (a current alias of the successor, "Facebook" for META, does not count twice).
      const historic: Array<[number, number]> = [];
      for (const m of findHistoricNames(text)) {
        const change = changeByName.get(m.text)!;
        const end = m.index + m.text.length;
        if (isOrdinaryWord(m.text) && !acceptGuardedMention(text, m.index, end, m.text, 'context', {})) continue; // "Tiffany Trump"
        historic.push([m.index, end]);
        // Undated text ("VMware's valuation"): only a rename is safe to read as today; a merged or bought
        // company's name could be from any year, so it is not tagged at all.
        const symbol = at ? symbolOnDate(change, at) : change.what === 'renamed' ? change.successor : null;
        if (symbol) credit(symbol, 'name', weight);
      }
      for (const m of findNames(text)) {
        if (historic.some(([a, b]) => m.index < b && m.index + m.text.length > a)) continue;
        const hit = byName.get(m.text);
        if (!hit) continue;
        const end = m.index + m.text.length;
        if (hit.guard === 'none' || acceptGuardedMention(text, m.index, end, hit.text, hit.guard, hit.subject)) credit(hit.ticker, hit.kind, weight);
        // A rejected ordinary-word mention still counts when the article names the symbol explicitly ("Grab (GRAB)", "$GRAB").
        else guarded.push({ ticker: hit.ticker, kind: hit.kind, weight });
        named.push({ ticker: hit.ticker, end });
      }
      for (const m of text.matchAll(PAREN_SYMBOL)) {
        const symbol = normaliseTicker(m[2]!);
        const nameEnd = m.index! + m[1]!.length;
        // The name just before the parentheses already resolved to this symbol ("Visa (V)"), or the
        // symbol starts like one of the name's words ("Zscaler (ZS)", "HC2 Holdings (HCHC)") and is
        // not an abbreviation ("Information Technology (IT)") or an index or futures contract.
        const confirmedByName = named.some((n) => n.ticker === symbol && n.end <= nameEnd && nameEnd - n.end <= 30);
        if (confirmedByName) {
          credit(symbol, 'symbol', weight);
          continue;
        }
        if (NOT_A_SYMBOL.has(symbol) || /\b(?:Index|Futures|Average|Rate)\b/.test(m[1]!)) continue;
        const initials = m[1]!.split(/[\s,]+/).filter((w) => w !== '&').map((w) => w.replace(/^[^\p{L}\p{N}]+/u, '')[0]?.toUpperCase());
        const looksLikeIt = symbol.length >= 2 && initials.includes(symbol[0]);
        if (looksLikeIt && tickers.has(symbol)) credit(symbol, 'symbol', weight);
        else if (looksLikeIt && !tickers.has(symbol) && /\b(?:Inc|Corp|Co|Ltd|plc|PLC|Holdings|Group|Therapeutics|Trust|NV|SA|AG)\b\.?,?\s*$|[a-z]/.test(m[1]!)) {
          credit(symbol, 'symbol', weight, false);
        }
      }
    }

    const ciks = new Set(findCiks(input.title, input.summary, input.url, input.guid));
    const given = normaliseCik(input.cik);
    if (given) ciks.add(given);
    const cikTickers = new Set([...ciks].map((cik) => byCik.get(cik)).filter((t): t is string => !!t));
    for (const ticker of cikTickers) credit(ticker, 'cik', TITLE_WEIGHT);
    for (const g of guarded) if (scores.has(g.ticker)) credit(g.ticker, g.kind, g.weight);

    return [...scores.entries()]
      .map(([ticker, { raw, sources, verified }]) => {
        const mention: TickerMention = {
          ticker,
          relevance: Math.round((1 - Math.exp(-raw / SATURATION)) * 1000) / 1000,
          matchedBy: [...sources].sort(),
        };
        if (!verified) mention.unverified = true;
        return mention;
      })
      .sort((a, b) => b.relevance - a.relevance || a.ticker.localeCompare(b.ticker));
  }

  return { extract, companies };
}
