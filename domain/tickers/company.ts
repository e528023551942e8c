import fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { sharedDataPath } from '../../config/paths';

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
    }));
}

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
