import { parse } from 'csv-parse/sync';
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
 * Parses an OHLC(V) price file of any common shape (delimiter and header names detected).
 * Bad rows are reported in `rejected` with their 1-based line number and kept out of `bars`;
 * only a file we cannot make sense of at all (no date or close column) throws.
 * Bars come back oldest-first with one bar per timestamp (the first occurrence in the file wins).
 */
export function parsePriceCsv(text: string, opts: ParsePriceCsvOptions = {}): ParsedPrices {
  const delimiter = opts.delimiter ?? detectDelimiter(text);
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(text, {
      delimiter,
      bom: true,
      info: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      skip_records_with_empty_values: true,
      trim: true,
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  } catch (err) {
    throw new Error(`price file is not readable as ${describeDelimiter(delimiter)}: ${(err as Error).message}`);
  }
  if (records.length === 0) throw new Error('price file is empty');

  const first = records[0].record;
  const layout = layoutFromHeader(first, delimiter) ?? layoutFromFirstRow(first, delimiter);
  if (!layout) {
    throw new Error(
      `cannot find a date and a close column in the header '${first.join(describeDelimiter(delimiter) === 'tsv' ? '\\t' : delimiter)}'; ` +
        'expected names such as date/timestamp/time, open, high, low, close (or adj close), volume',
    );
  }

  const dataRecords = layout.hasHeader ? records.slice(1) : records;
  const tickerColumn = layout.columns.ticker;
  if (tickerColumn !== undefined && opts.ticker === undefined) {
    const tickers = new Set(dataRecords.map((r) => (r.record[tickerColumn] ?? '').toUpperCase()));
    if (tickers.size > 1) {
      throw new Error(`price file holds ${tickers.size} tickers (${[...tickers].slice(0, 5).join(', ')}…); pass opts.ticker to pick one`);
    }
  }
  const wanted = opts.ticker?.toUpperCase();

  const good: ParsedRow[] = [];
  const rejected: RejectedPriceRow[] = [];
  for (const { record, info } of dataRecords) {
    if (wanted !== undefined && tickerColumn !== undefined && (record[tickerColumn] ?? '').toUpperCase() !== wanted) continue;
    const result = readRow(record, layout);
    if ('bar' in result) good.push({ bar: result.bar, line: info.lines });
    else rejected.push({ line: info.lines, reason: result.reason });
  }

  const order = describeOrder(good);
  // Stable sort by time, then file line, so "first occurrence wins" is well defined for duplicates.
  good.sort((a, b) => a.bar.time.getTime() - b.bar.time.getTime() || a.line - b.line);
  const bars: PriceBar[] = [];
  let keptLine = 0;
  for (const row of good) {
    const prev = bars[bars.length - 1];
    if (prev && prev.time.getTime() === row.bar.time.getTime()) {
      rejected.push({
        line: row.line,
        reason: `duplicate timestamp ${row.bar.time.toISOString()}: line ${keptLine} already gives a bar for it (kept that one)`,
      });
      continue;
    }
    bars.push(row.bar);
    keptLine = row.line;
  }
  rejected.sort((a, b) => a.line - b.line);

  const used = (Object.entries(layout.columns) as Array<[string, number]>)
    .sort((a, b) => a[1] - b[1])
    .map(([k]) => (k === 'time' || k === 'date' ? 'date' : k === 'clock' ? 'time' : k === 'adjClose' ? 'adj close' : k))
    .join(',');
  const parts = [describeDelimiter(delimiter), layout.hasHeader ? `columns ${used}` : `no header, positional ${used}`];
  if (layout.ignored.length > 0) parts.push(`ignored ${layout.ignored.join(',')}`);
  if (layout.columns.volume === undefined) parts.push('no volume');
  parts.push(order);
  return { bars, rejected, format: parts.join('; ') };
}
