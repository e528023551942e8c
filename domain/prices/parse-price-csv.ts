import { describeDelimiter, detectDelimiter, layoutFromFirstRow, layoutFromHeader, PriceFileLayout } from './price-file-layout';
import { parseNumber, parseTimestamp } from './price-values';
import { ParsedPrices, ParsePriceCsvOptions, PriceBar, RejectedPriceRow } from './types';

/**
 * Relative slack for the high/low consistency checks: vendors that back-adjust for splits
 * (MSFT's file) compute open/high/low by multiplication and leave 1e-17-sized rounding
 * errors, which are not data problems.
 */
const CONSISTENCY_TOLERANCE = 1e-9;

interface ParsedRow {
  bar: PriceBar;
  line: number;
}

type RowResult = { bar: PriceBar } | { reason: string };

function cell(record: string[], index: number | undefined): string | undefined {
  return index === undefined ? undefined : record[index];
}

/** How vendors write "no value": Yahoo exports literal `null` rows on holidays, others `NaN`, `N/A` or `-`. */
const MISSING = /^(|null|nan|n\/a|na|-|—)$/i;

function price(name: string, raw: string | undefined): number | string {
  if (raw === undefined || raw.trim() === '') return `${name} is missing`;
  if (MISSING.test(raw.trim())) return `${name} is missing ('${raw.trim()}')`;
  const n = parseNumber(raw);
  if (n === null || !Number.isFinite(n)) return `${name} '${raw}' is not a number`;
  if (n <= 0) return `${name} ${n} must be greater than 0`;
  return n;
}

function readRow(record: string[], layout: PriceFileLayout): RowResult {
  const c = layout.columns;
  const rawTime =
    c.time !== undefined ? record[c.time] : `${record[c.date!] ?? ''} ${c.clock !== undefined ? record[c.clock] ?? '' : ''}`.trim();
  const time = parseTimestamp(rawTime ?? '');
  if (!time.ok) return { reason: time.reason };

  // The raw close is used when present: adjusted closes break the OHLC relationship with the unadjusted open/high/low.
  const closeColumn = c.close ?? c.adjClose;
  const close = price(c.close !== undefined ? 'close' : 'adj close', cell(record, closeColumn));
  if (typeof close === 'string') return { reason: close };
  // Close-only files become flat bars so that everything downstream sees one shape.
  const open = c.open === undefined ? close : price('open', cell(record, c.open));
  if (typeof open === 'string') return { reason: open };
  const high = c.high === undefined ? Math.max(open, close) : price('high', cell(record, c.high));
  if (typeof high === 'string') return { reason: high };
  const low = c.low === undefined ? Math.min(open, close) : price('low', cell(record, c.low));
  if (typeof low === 'string') return { reason: low };

  const top = Math.max(open, close, low);
  if (high < top * (1 - CONSISTENCY_TOLERANCE)) {
    return {
      reason: `high ${high} is below max(open, close, low) = ${top} (open ${open}, high ${high}, low ${low}, close ${close}); correct the high or drop the row`,
    };
  }
  const bottom = Math.min(open, close);
  if (low > bottom * (1 + CONSISTENCY_TOLERANCE)) {
    return {
      reason: `low ${low} is above min(open, close) = ${bottom} (open ${open}, high ${high}, low ${low}, close ${close}); correct the low or drop the row`,
    };
  }

  let volume: number | null = null;
  const rawVolume = cell(record, c.volume);
  if (rawVolume !== undefined && !MISSING.test(rawVolume.trim())) {
    volume = parseNumber(rawVolume);
    if (volume === null || !Number.isFinite(volume)) return { reason: `volume '${rawVolume}' is not a number (leave it empty if unknown)` };
    if (volume < 0) return { reason: `volume ${volume} must not be negative` };
  }
  return { bar: { time: time.value, open, high, low, close, volume } };
}

function describeOrder(rows: ParsedRow[]): string {
  let up = 0;
  let down = 0;
  for (let i = 1; i < rows.length; i++) {
    const d = rows[i].bar.time.getTime() - rows[i - 1].bar.time.getTime();
    if (d > 0) up++;
    else if (d < 0) down++;
  }
  if (down === 0) return 'oldest-first';
  if (up === 0) return 'newest-first';
  return 'unsorted';
}

/**
 * The records of a delimited text in one linear pass (no per-row exceptions, so a file of
 * 500,000 bad rows costs what 500,000 good ones do): RFC 4180 quoting with `""` escapes, quotes
 * inside an unquoted cell kept as they are, cells trimmed, a BOM dropped, blank lines and
 * records whose cells are all empty skipped. `line` is the 1-based line the record ends on.
 */
export function* readRecords(text: string, delimiter: string): Generator<{ record: string[]; line: number }> {
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const endOfCell = (from: number): number => {
    let k = from;
    while (k < n) {
      const ch = text[k];
      if (ch === delimiter || ch === '\n' || ch === '\r') break;
      k++;
    }
    return k;
  };
  while (i < n) {
    const record: string[] = [];
    for (;;) {
      let j = i;
      while (j < n && (text[j] === ' ' || (text[j] === '\t' && delimiter !== '\t'))) j++;
      let cell: string;
      if (text[j] === '"') {
        let buf = '';
        j++;
        for (;;) {
          const q = text.indexOf('"', j);
          if (q === -1) {
            buf += text.slice(j);
            j = n;
            break;
          }
          buf += text.slice(j, q);
          if (text[q + 1] === '"') {
            buf += '"';
            j = q + 2;
            continue;
          }
          j = q + 1;
          break;
        }
        for (let p = buf.indexOf('\n'); p !== -1; p = buf.indexOf('\n', p + 1)) line++;
        const k = endOfCell(j);
        cell = (buf + text.slice(j, k)).trim();
        j = k;
      } else {
        const k = endOfCell(j);
        cell = text.slice(j, k).trim();
        j = k;
      }
      record.push(cell);
      if (j < n && text[j] === delimiter) {
        i = j + 1;
        continue;
      }
      if (text[j] === '\r') j++;
      if (text[j] === '\n') j++;
      i = j;
      break;
    }
    const at = line;
    line++;
    if (record.every((c) => c === '')) continue;
    yield { record, line: at };
  }
}

/** Rows between the points where an async caller may let other work run (see parsePriceCsvSteps). */
const ROWS_PER_STEP = 1000;

/** Keeps the `max` rejected rows with the lowest line numbers and counts them all, in bounded memory. */
class RejectedRows {
  private rows: RejectedPriceRow[] = [];
  count = 0;
  constructor(private readonly max: number) {}
  add(row: RejectedPriceRow): void {
    this.count++;
    if (this.max <= 0) return;
    this.rows.push(row);
    if (this.rows.length >= this.max * 2) this.trim();
  }
  private trim(): void {
    this.rows.sort((a, b) => a.line - b.line);
    if (this.rows.length > this.max) this.rows.length = this.max;
  }
  list(): RejectedPriceRow[] {
    this.trim();
    return this.rows;
  }
}

/**
 * Parses an OHLC(V) price file of any common shape (delimiter and header names detected).
 * Bad rows are reported in `rejected` with their 1-based line number and kept out of `bars`;
 * only a file we cannot make sense of at all (no date or close column) throws.
 * Bars come back oldest-first with one bar per timestamp (the first occurrence in the file wins).
 */
export function parsePriceCsv(text: string, opts: ParsePriceCsvOptions = {}): ParsedPrices {
  const steps = parsePriceCsvSteps(text, opts);
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

/**
 * The same parse in steps: the generator pauses every ROWS_PER_STEP rows so that a server can
 * let other requests run between steps (services/price-import.service.ts) instead of blocking
 * its event loop for the whole file.
 */
export function* parsePriceCsvSteps(text: string, opts: ParsePriceCsvOptions = {}): Generator<void, ParsedPrices> {
  const delimiter = opts.delimiter ?? detectDelimiter(text);
  const records = readRecords(text, delimiter);
  const head = records.next();
  if (head.done) throw new Error('price file is empty');

  const first = head.value.record;
  const layout = layoutFromHeader(first, delimiter) ?? layoutFromFirstRow(first, delimiter);
  if (!layout) {
    throw new Error(
      `cannot find a date and a close column in the header '${first.join(describeDelimiter(delimiter) === 'tsv' ? '\\t' : delimiter)}'; ` +
        'expected names such as date/timestamp/time, open, high, low, close (or adj close), volume',
    );
  }

  const tickerColumn = layout.columns.ticker;
  const wanted = opts.ticker?.toUpperCase();
  const tickers = new Set<string>();
  const good: ParsedRow[] = [];
  const rejected = new RejectedRows(opts.maxRejected ?? Number.POSITIVE_INFINITY);
  let seen = 0;
  const consume = ({ record, line }: { record: string[]; line: number }) => {
    if (tickerColumn !== undefined) {
      const t = (record[tickerColumn] ?? '').toUpperCase();
      if (wanted === undefined) tickers.add(t);
      else if (t !== wanted) return;
    }
    const result = readRow(record, layout);
    if ('bar' in result) good.push({ bar: result.bar, line });
    else rejected.add({ line, reason: result.reason });
  };
  if (!layout.hasHeader) consume(head.value);
  for (const entry of records) {
    consume(entry);
    if (++seen % ROWS_PER_STEP === 0) yield;
  }
  if (tickers.size > 1) {
    throw new Error(`price file holds ${tickers.size} tickers (${[...tickers].slice(0, 5).join(', ')}…); pass opts.ticker to pick one`);
  }

  const order = describeOrder(good);
  yield;
  // Stable sort by time, then file line, so "first occurrence wins" is well defined for duplicates.
  good.sort((a, b) => a.bar.time.getTime() - b.bar.time.getTime() || a.line - b.line);
  yield;
  const bars: PriceBar[] = [];
  let keptLine = 0;
  for (const row of good) {
    const prev = bars[bars.length - 1];
    if (prev && prev.time.getTime() === row.bar.time.getTime()) {
      rejected.add({
        line: row.line,
        reason: `duplicate timestamp ${row.bar.time.toISOString()}: line ${keptLine} already gives a bar for it (kept that one)`,
      });
      continue;
    }
    bars.push(row.bar);
    keptLine = row.line;
  }

  const used = (Object.entries(layout.columns) as Array<[string, number]>)
    .sort((a, b) => a[1] - b[1])
    .map(([k]) => (k === 'time' || k === 'date' ? 'date' : k === 'clock' ? 'time' : k === 'adjClose' ? 'adj close' : k))
    .join(',');
  const parts = [describeDelimiter(delimiter), layout.hasHeader ? `columns ${used}` : `no header, positional ${used}`];
  if (layout.ignored.length > 0) parts.push(`ignored ${layout.ignored.join(',')}`);
  if (layout.columns.volume === undefined) parts.push('no volume');
  parts.push(order);
  return { bars, rejected: rejected.list(), rejectedCount: rejected.count, format: parts.join('; ') };
}
