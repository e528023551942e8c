/**
 * Works out how a price file is laid out: which delimiter, which column holds what.
 * Header names are matched case-insensitively after dropping punctuation and spacing,
 * so `Adj Close`, `adj_close` and `ADJ. CLOSE*` are the same column.
 */
import { parseNumber, parseTimestamp } from './price-values';

export type PriceField = 'time' | 'date' | 'clock' | 'open' | 'high' | 'low' | 'close' | 'adjClose' | 'volume' | 'ticker';

export interface PriceFileLayout {
  delimiter: string;
  hasHeader: boolean;
  /** Column index per field; `time` is a combined timestamp column, `date` + `clock` a split pair. */
  columns: Partial<Record<PriceField, number>>;
  /** Header names present in the file that we do not use (for the format description). */
  ignored: string[];
}

const ALIASES: Record<Exclude<PriceField, 'date' | 'clock'>, string[]> = {
  time: ['date', 'datetime', 'timestamp', 'day', 'tradedate', 'tradingday', 'dt', 'opentime', 'localtime', 'gmttime',
    'dateutc', 'datetimeutc', 'timestamputc', 'period'],
  open: ['open', 'o', 'openprice', 'opening', 'openingprice'],
  high: ['high', 'h', 'highprice', 'max'],
  low: ['low', 'l', 'lowprice', 'min'],
  close: ['close', 'c', 'closeprice', 'last', 'price', 'closelast', 'closing', 'closingprice', 'lastprice'],
  adjClose: ['adjclose', 'adjustedclose', 'adjcloseprice', 'adjustedcloseprice'],
  volume: ['volume', 'vol', 'v', 'tickvolume', 'totalvolume', 'qty', 'quantity'],
  ticker: ['ticker', 'symbol', 'sym', 'instrument'],
};

const CANDIDATE_DELIMITERS = [',', '\t', ';', '|'];

export function normaliseHeader(name: string): string {
  return name.replace(/^\uFEFF/, '').toLowerCase().replace(/[^a-z0-9]/g, '');
}

function countOutsideQuotes(line: string, ch: string): number {
  let n = 0;
  let quoted = false;
  for (const c of line) {
    if (c === '"') quoted = !quoted;
    else if (c === ch && !quoted) n++;
  }
  return n;
}

/** The delimiter that splits the first few lines into the same, largest number of fields. */
export function detectDelimiter(text: string): string {
  // Only the head is read: splitting a whole large file here would cost as much as parsing it.
  const lines = text.slice(0, 64 * 1024).split(/\r?\n/).filter((l) => l.trim() !== '').slice(0, 5);
  if (lines.length === 0) return ',';
  let best = ',';
  let bestScore = 0;
  for (const d of CANDIDATE_DELIMITERS) {
    const counts = lines.map((l) => countOutsideQuotes(l, d));
    const consistent = counts.every((c) => c === counts[0]);
    // A delimiter found consistently on every line beats one that is merely frequent (e.g. commas inside numbers).
    const score = counts[0] === 0 ? 0 : counts[0] + (consistent ? 1000 : 0);
    if (score > bestScore) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}

function fieldFor(normalised: string): Exclude<PriceField, 'date' | 'clock'> | 'clock' | null {
  if (normalised === 'time') return 'clock';
  for (const [field, names] of Object.entries(ALIASES) as Array<[Exclude<PriceField, 'date' | 'clock'>, string[]]>) {
    if (names.includes(normalised)) return field;
  }
  // Crypto exports name volume after the unit, e.g. "Volume BTC" / "Volume USD": take the first.
  if (normalised.startsWith('volume')) return 'volume';
  return null;
}

export function layoutFromHeader(header: string[], delimiter: string): PriceFileLayout | null {
  const columns: Partial<Record<PriceField, number>> = {};
  const ignored: string[] = [];
  header.forEach((name, i) => {
    const field = fieldFor(normaliseHeader(name));
    if (field === null || (field === 'clock' ? columns.clock !== undefined : columns[field] !== undefined)) {
      // pandas' to_csv writes its row index as a leading column with an empty name (SPY's file).
      ignored.push(name.trim() !== '' ? name.trim() : `unnamed column ${i + 1}`);
      return;
    }
    columns[field] = i;
  });
  // A lone "time" column is the timestamp; next to a "date" column it is the time of day.
  if (columns.clock !== undefined) {
    if (columns.time === undefined) {
      columns.time = columns.clock;
      delete columns.clock;
    } else {
      columns.date = columns.time;
      delete columns.time;
    }
  }
  const hasTime = columns.time !== undefined || columns.date !== undefined;
  if (!hasTime || (columns.close === undefined && columns.adjClose === undefined)) return null;
  return { delimiter, hasHeader: true, columns, ignored };
}

/** Header-less files are accepted only in the common positional shape date,open,high,low,close[,volume]. */
export function layoutFromFirstRow(row: string[], delimiter: string): PriceFileLayout | null {
  if (row.length < 5 || !parseTimestamp(row[0]).ok) return null;
  if (!row.slice(1, 5).every((c) => parseNumber(c) !== null)) return null;
  const columns: Partial<Record<PriceField, number>> = { time: 0, open: 1, high: 2, low: 3, close: 4 };
  if (row.length > 5) columns.volume = 5;
  return { delimiter, hasHeader: false, columns, ignored: [] };
}

export function describeDelimiter(d: string): string {
  return d === '\t' ? 'tsv' : d === ',' ? 'csv' : `delimited(${d})`;
}
