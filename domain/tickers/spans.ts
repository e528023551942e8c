/**
 * Where a ticker is mentioned in a title, for per-ticker sentiment: its cashtag, its exchange
 * prefix form, or one of the company names the extractor matches. Character offsets refer to
 * the title as given.
 */
import { normaliseTicker, type Company } from './company';
import { buildNameEntries, normaliseForMatching } from './names';

const namesCache = new WeakMap<readonly Company[], Map<string, string[]>>();

function namesByTicker(companies: readonly Company[]): Map<string, string[]> {
  let byTicker = namesCache.get(companies);
  if (!byTicker) {
    byTicker = new Map();
    for (const entry of buildNameEntries(companies)) {
      const t = normaliseTicker(entry.ticker);
      byTicker.set(t, [...(byTicker.get(t) ?? []), entry.text]);
    }
    // longest names first: "FedEx Freight" before "FedEx"
    for (const list of byTicker.values()) list.sort((a, b) => b.length - a.length);
    namesCache.set(companies, byTicker);
  }
  return byTicker;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function findTickerSpan(title: string, ticker: string, companies: readonly Company[]): [number, number] | undefined {
  const symbol = normaliseTicker(ticker);
  const symbolPattern = escapeRegex(symbol).replace(/\\\./g, '[./-]');
  const cashtag = new RegExp(`(?<![\\p{L}\\p{N}$])\\$${symbolPattern}(?![\\p{L}\\p{N}])`, 'iu').exec(title);
  if (cashtag) return [cashtag.index, cashtag.index + cashtag[0].length];
  const exchange = new RegExp(`(?<![\\p{L}\\p{N}])[A-Za-z]{3,8}(?:\\s*[A-Za-z]+)?\\s*:\\s*${symbolPattern}(?![\\p{L}\\p{N}])`, 'u').exec(title);
  if (exchange) return [exchange.index, exchange.index + exchange[0].length];
  // normaliseForMatching keeps the length of most text; fall back to no span when it does not
  const normalised = normaliseForMatching(title);
  if (normalised.length !== title.length) return undefined;
  for (const name of namesByTicker(companies).get(symbol) ?? []) {
    const m = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegex(name)}(?![\\p{L}\\p{N}])`, 'iu').exec(normalised);
    if (m) return [m.index, m.index + m[0].length];
  }
  return undefined;
}
