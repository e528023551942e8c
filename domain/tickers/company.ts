import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { sharedDataPath } from '../../config/paths';

export type AssetClass = 'equity' | 'etf' | 'crypto';

export interface Company {
  /** Dotted class notation as in the S&P list, e.g. "BRK.B". */
  ticker: string;
  /** The listing name, e.g. "Apple Inc." or "Alphabet Inc. (Class A)". */
  name: string;
  /** SEC Central Index Key without leading zeros, when known. */
  cik?: string | null;
  /** Extra names to match besides those derived from `name`. */
  aliases?: string[];
  sector?: string | null;
  /** Listing venue as written by an admin (e.g. "NASDAQ"); informational. */
  exchange?: string | null;
  /** Symbols the issuer traded under before ($FB is META); a current instrument with that symbol wins. */
  formerSymbols?: string[];
  /** Default equity. Crypto instruments also match pairs: $BTCUSD, BTC-USD, $BTC.X, BTC/USDT. */
  assetClass?: AssetClass;
  /** Groups share classes of one issuer (lower-cased news name); the first class in list order carries the names. */
  issuer?: string | null;
  /** Listing industry, e.g. "Auto Parts:O.E.M."; informational and for context words. */
  industry?: string | null;
  /** Market cap in USD when known: a prior for ambiguous names and name collisions. */
  marketCapUsd?: number | null;
  /** The exchange listing's issuer name when `name` is another list's (S&P "Casey's" vs listing "Casey's General Stores Inc."). */
  listingName?: string | null;
  /** In the S&P 500 list. */
  sp500?: boolean;
  /** 'none': match this instrument by symbol only (another share class of an issuer whose first class carries the names). */
  namesFrom?: 'none';
}

interface Sp500Row {
  Symbol: string;
  Security: string;
  'GICS Sector'?: string;
  CIK?: string;
}

/** Reads the S&P 500 constituents CSV (Symbol, Security, GICS Sector, ..., CIK, ...). Small enough to read synchronously. */
export function loadSp500Companies(csvPath: string = sharedDataPath('companies', 'sp500_constituents.csv')): Company[] {
  const rows = parse(fs.readFileSync(csvPath), { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Sp500Row[];
  return rows
    .filter((row) => row.Symbol && row.Security)
    .map((row) => ({
      ticker: normaliseTicker(row.Symbol),
      name: row.Security,
      cik: normaliseCik(row.CIK),
      sector: row['GICS Sector'] || null,
      assetClass: 'equity' as const,
      sp500: true,
    }));
}

/**
 * Renamed tickers that still fill older headlines (and headline archives used for backtests):
 * Facebook's FB, United Technologies' UTX (now RTX), BB&T's BBT and SunTrust's STI (Truist),
 * Anthem's ANTM (Elevance Health).
 */
export const FORMER_SYMBOLS: Record<string, string[]> = { META: ['FB'], RTX: ['UTX'], TFC: ['BBT', 'STI'], ELV: ['ANTM'] };

/** "BRK-B", "BRK/B" and "brk.b" are all BRK.B. */
export function normaliseTicker(symbol: string): string {
  return symbol.trim().toUpperCase().replace(/[-/]/g, '.');
}

export function normaliseCik(cik: string | number | null | undefined): string | null {
  if (cik === null || cik === undefined) return null;
  const digits = String(cik).trim();
  if (!/^\d{1,10}$/.test(digits)) return null;
  const stripped = digits.replace(/^0+/, '');
  return stripped || null;
}

/**
 * Instruments every deployment knows besides the S&P 500: the large crypto assets (matched by
 * name and as pairs) and the broad US index and sector ETFs that traders cashtag all the time.
 * Admins add more (the `instruments` table); an admin row with the same symbol replaces one of these.
 */
export function defaultInstruments(): Company[] {
  const crypto: Array<[string, string, string[]]> = [
    ['BTC', 'Bitcoin', ['BTC']],
    ['ETH', 'Ethereum', ['Ether']],
    ['XRP', 'XRP', []],
    ['SOL', 'Solana', []],
    ['DOGE', 'Dogecoin', []],
    ['ADA', 'Cardano', []],
    ['LTC', 'Litecoin', []],
    ['BCH', 'Bitcoin Cash', []],
    ['DOT', 'Polkadot', []],
    ['USDT', 'Tether', []],
  ];
  const etfs: Array<[string, string]> = [
    ['SPY', 'SPDR S&P 500 ETF Trust'],
    ['QQQ', 'Invesco QQQ Trust'],
    ['IWM', 'iShares Russell 2000 ETF'],
    ['DIA', 'SPDR Dow Jones Industrial Average ETF'],
    ['VOO', 'Vanguard S&P 500 ETF'],
    ['GLD', 'SPDR Gold Shares'],
    ['TLT', 'iShares 20+ Year Treasury Bond ETF'],
    ['XLB', 'Materials Select Sector SPDR Fund'],
    ['XLC', 'Communication Services Select Sector SPDR Fund'],
    ['XLE', 'Energy Select Sector SPDR Fund'],
    ['XLF', 'Financial Select Sector SPDR Fund'],
    ['XLI', 'Industrial Select Sector SPDR Fund'],
    ['XLK', 'Technology Select Sector SPDR Fund'],
    ['XLP', 'Consumer Staples Select Sector SPDR Fund'],
    ['XLRE', 'Real Estate Select Sector SPDR Fund'],
    ['XLU', 'Utilities Select Sector SPDR Fund'],
    ['XLV', 'Health Care Select Sector SPDR Fund'],
    ['XLY', 'Consumer Discretionary Select Sector SPDR Fund'],
  ];
  return [
    ...crypto.map(([ticker, name, aliases]) => ({ ticker, name, aliases, assetClass: 'crypto' as const, sector: null, cik: null })),
    ...etfs.map(([ticker, name]) => ({ ticker, name, assetClass: 'etf' as const, sector: null, cik: null })),
  ];
}

/** Later entries replace earlier ones with the same (normalised) symbol: admin rows override the defaults. */
export function mergeInstruments(...lists: readonly (readonly Company[])[]): Company[] {
  const bySymbol = new Map<string, Company>();
  for (const list of lists) for (const c of list) bySymbol.set(normaliseTicker(c.ticker), { ...c, ticker: normaliseTicker(c.ticker) });
  return [...bySymbol.values()];
}
