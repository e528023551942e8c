import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { sharedDataPath } from '../../config/paths';
import { defaultInstruments, loadSp500Companies, mergeInstruments, normaliseTicker, type Company } from './company';

/**
 * The full US listed universe (../shared/data/companies/us_listed.csv: NASDAQ, NYSE and AMEX
 * symbols with name, exchange, sector, industry, country, IPO year and market cap). Listing names
 * carry the security as well as the issuer ("Chewy Inc. Class A Common Stock", "Grab Holdings
 * Limited Class A Ordinary Shares"); listingIssuerName() cuts them to the issuer's name.
 */

interface ListedRow {
  symbol: string;
  name: string;
  exchange?: string;
  sector?: string;
  industry?: string;
  country?: string;
  ipo_year?: string;
  market_cap_usd?: string;
}

/**
 * Securities that are not an issuer's ordinary listing: warrants, rights, units, notes,
 * preferred and depositary-preferred shares. Their cashtags are rare and their names would
 * only collide with the common stock's.
 */
const NOT_COMMON_EQUITY =
  /\b(?:Warrants?|Rights?|Units?(?! Representing)|Notes|Debentures|Preferred|Preference|Perpetual|Senior|Subordinated|Trust Preferred|Depositary Shares?,? each representing (?:a|one) 1\/|Fixed[- ]Rate|Floating)\b/i;
/** Symbols of those same securities: "ALB^A", "RAC/WS", "XYZ.U". */
const NOT_COMMON_SYMBOL = /[\^]|\/(?:WS|U|R|RT)$|\.(?:WS|U|R)$/;

/**
 * Where the security description starts in a listing name: everything from here on describes the
 * share, not the company ("Class A Common Stock", "American Depositary Shares each representing
 * two Ordinary Shares", "New York Registry Shares", "Common Units representing ...").
 */
const SECURITY_DESCRIPTION = new RegExp(
  '\\s+(?:' +
    [
      'Class [A-Z](?:-\\d)?\\b',
      'Series [A-Z]\\b',
      'Common (?:Stock|Shares|stock|shares|Units|Share)',
      'Ordinary (?:Shares?|shares?)',
      'American [Dd]epositary',
      'American [Dd]epository',
      'ADS\\b',
      'ADR\\b',
      'Sponso?red ADR',
      'New York Registry',
      'Registered (?:Ordinary )?Shares',
      'Subordinate Voting',
      'Capital Stock',
      'Common$',
      'Shares of Beneficial Interest',
      'Units? of Beneficial Interest',
      'Units Representing',
      'REIT Common',
      'Depositary Shares',
      'Limited Partnership Units',
    ].join('|') +
    ').*$',
);

/** Legal forms at the end of an issuer's name; stripped repeatedly ("Holdings Limited" keeps "Holdings"). */
const LEGAL_FORM =
  /(?:,?\s+(?:Inc\.?|Incorporated|Corporation|Corp\.?|Company|Co\.?|plc\.?|PLC\.?|p\.l\.c\.|Ltd\.?|Limited|N\.\s?V\.?|NV|S\.\s?A\.?|SA|S\.A\.B\. de C\.V\.|SE|AG|A\/S|ASA|AB|Oyj|L\.\s?P\.?|LP|L\.L\.C\.|LLC|PBC|Bhd|Tbk)|\s+&\s+(?:Co\.?|Company))+$/;

/** "Apple Inc." keeps its dot in the listing; "Ollie's Bargain Outlet Holdings Inc. Common Stock" -> "Ollie's Bargain Outlet Holdings Inc.". */
export function listingIssuerName(listingName: string): string {
  let name = listingName.replace(/\s+/g, ' ').trim();
  // "(The)", "(DE)", "(Switzerland)", "(Name to be changed from ...)": descriptors, not names.
  const the = /\(The\)/i.test(name);
  name = name.replace(/\s*\([^)]*\)/g, '').trim();
  name = name.replace(SECURITY_DESCRIPTION, '').trim();
  name = name.replace(/[,;]$/, '').trim();
  if (the && !/^The\s/.test(name)) name = `The ${name}`;
  return name;
}

/** The name news uses for the issuer: the issuer name without "The" and legal forms ("The Goodyear Tire & Rubber Company" -> "Goodyear Tire & Rubber"). */
export function newsName(issuerName: string): string {
  return issuerName.replace(/^The\s+/, '').replace(LEGAL_FORM, '').replace(/[,.]$/, '').trim();
}

/** Closed-end funds, trusts that hold other securities, ETFs: matched by cashtag and full name only. */
const FUND = /\b(?:Fund|ETF|Municipal|Income Trust|Opportunit(?:y|ies) Trust|Closed[- ]End|BDC|Acquisition Corp(?:oration)?|Acquisition Company|Capital Trust)\b/i;

/**
 * Companies of the listed universe, one per security worth matching. A share class other than
 * the issuer's first (the shortest symbol, then alphabetical: Z before ZG, KELYA before KELYB)
 * stays matchable by cashtag but shares the issuer key, so names resolve to the first class.
 */
export function parseListedCompanies(csv: string | Buffer): Company[] {
  const rows = parse(csv, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as ListedRow[];
  const companies: Company[] = [];
  for (const row of rows) {
    if (!row.symbol || !row.name || NOT_COMMON_SYMBOL.test(row.symbol) || NOT_COMMON_EQUITY.test(row.name)) continue;
    const issuerName = listingIssuerName(row.name);
    if (!issuerName) continue;
    const cap = Number(row.market_cap_usd);
    companies.push({
      ticker: normaliseTicker(row.symbol),
      name: issuerName,
      issuer: newsName(issuerName).toLowerCase(),
      sector: row.sector || null,
      industry: row.industry || null,
      exchange: row.exchange || null,
      marketCapUsd: Number.isFinite(cap) && cap > 0 ? cap : null,
      assetClass: FUND.test(issuerName) ? 'etf' : 'equity',
    });
  }
  // First share class in list order represents the issuer: shortest symbol, then alphabetical.
  companies.sort((a, b) => (a.issuer! < b.issuer! ? -1 : a.issuer! > b.issuer! ? 1 : a.ticker.length - b.ticker.length || a.ticker.localeCompare(b.ticker)));
  return companies;
}

export function loadListedCompanies(csvPath: string = sharedDataPath('companies', 'us_listed.csv')): Company[] {
  return parseListedCompanies(fs.readFileSync(csvPath));
}

/**
 * The listed universe with the S&P 500 list laid over it: an S&P row keeps its own name, CIK,
 * GICS sector and class choice (GOOGL, BRK.B) and gains the listing's market cap and industry.
 * `extra` lists (built-in instruments, then admin rows) replace by symbol, in that order.
 */
export function mergeListedUniverse(listed: readonly Company[], sp500: readonly Company[]): Company[] {
  const bySymbol = new Map(listed.map((c) => [c.ticker, c] as const));
  const sp = new Map(sp500.map((c) => [normaliseTicker(c.ticker), c] as const));
  const issuersInSp = new Set<string>();
  for (const [ticker, c] of sp) {
    const row = bySymbol.get(ticker);
    if (row?.issuer) issuersInSp.add(row.issuer);
    void c;
  }
  const out: Company[] = [];
  // S&P rows first: for a text both claim, the S&P issuer is the curated one.
  for (const [ticker, c] of sp) {
    const row = bySymbol.get(ticker);
    out.push({ ...c, ticker, issuer: row?.issuer ?? c.issuer, listingName: row?.name ?? null, marketCapUsd: row?.marketCapUsd ?? null, industry: row?.industry ?? null, exchange: row?.exchange ?? c.exchange, sp500: true });
  }
  for (const c of listed) {
    if (sp.has(c.ticker)) continue;
    // Another class of an S&P issuer (GOOG beside GOOGL, BRK.A beside BRK.B): cashtag only, no names.
    if (c.issuer && issuersInSp.has(c.issuer)) out.push({ ...c, namesFrom: 'none' });
    else out.push(c);
  }
  return out;
}

/** The universe extraction runs on by default: every listed symbol, the S&P list laid over it, and the built-in crypto and ETF instruments. */
export function listedUniverse(listedCsvPath?: string, sp500CsvPath?: string): Company[] {
  return mergeInstruments(mergeListedUniverse(loadListedCompanies(listedCsvPath), loadSp500Companies(sp500CsvPath)), defaultInstruments());
}
