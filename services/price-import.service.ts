/**
 * Price files -> `price_bars`. Parsing (any common CSV/TSV shape, bad rows reported with their
 * line numbers) is domain/prices; this module validates the ticker and interval and writes
 * the bars idempotently, so importing the same file twice reports nothing inserted or updated.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { badInput } from './errors';
import { parsePriceCsvSteps, type ParsedPrices, type PriceBar, type RejectedPriceRow } from '../domain/prices';
import { isTickerSymbol } from '../domain/tickers/symbol';

export interface ImportPricesInput {
  ticker: string;
  /** The file's text. */
  csv: string;
  /** Bar length, e.g. '1d' (default) or '1h'. */
  interval?: string;
  /** Rejected rows to report (the first by line); default MAX_REJECTED_REPORTED. */
  maxRejected?: number;
  /** A fixed delimiter instead of detection (price sources with a fixed format). */
  delimiter?: ',' | '\t' | ';';
}

/** A file of half a million bad rows answers with the first hundred and a count, not 58 MB. */
export const MAX_REJECTED_REPORTED = 100;

export interface PriceImportReport {
  ticker: string;
  interval: string;
  /** Usable bars in the file (after rejected rows and duplicate timestamps). */
  bars: number;
  inserted: number;
  /** Bars that existed with different values and were overwritten. */
  updated: number;
  /** Bars that existed with identical values (a re-import leaves everything here). */
  unchanged: number;
  /** The first rejected rows by line (at most maxRejected). */
  rejected: RejectedPriceRow[];
  /** Every rejected row, counted. */
  rejectedCount: number;
  /** What the parser detected, e.g. "csv; columns date,open,high,low,close; no volume; oldest-first". */
  format: string;
  /** First and last bar time of the file's usable bars; null when there are none. */
  from: Date | null;
  to: Date | null;
}

const INTERVAL = /^[1-9][0-9]{0,3}(m|h|d|wk|mo)$/;
/** 6 arrays x 5000 elements keeps each statement far below PostgreSQL's parameter and message limits. */
const BATCH = 5000;

export function normaliseTicker(raw: string): string {
  const ticker = (raw ?? '').trim().toUpperCase();
  if (!isTickerSymbol(ticker)) {
    throw badInput('ticker', `ticker '${raw}' is not valid: use 1-10 characters A-Z, 0-9, '.' or '-', starting with a letter (e.g. SPY, BRK.B, BTC-USD)`);
  }
  return ticker;
}

export function normaliseInterval(raw: string | undefined): string {
  const interval = (raw ?? '1d').trim();
  if (!INTERVAL.test(interval)) {
    throw badInput('interval', `interval '${raw}' is not valid: use a count and a unit m|h|d|wk|mo, e.g. 1d, 1h, 15m`);
  }
  return interval;
}

async function upsertBatch(tx: EntityManager, ticker: string, interval: string, bars: PriceBar[]): Promise<{ inserted: number; updated: number }> {
  // xmax = 0 only on rows this statement inserted; rows skipped by the WHERE are not returned at all.
  const [row]: Array<{ inserted: number; updated: number }> = await tx.query(
    `WITH upserted AS (
       INSERT INTO price_bars (ticker, interval, time, open, high, low, close, volume)
       SELECT $1, $2, t, o, h, l, c, v
       FROM unnest($3::timestamptz[], $4::float8[], $5::float8[], $6::float8[], $7::float8[], $8::float8[]) AS x(t, o, h, l, c, v)
       ON CONFLICT (ticker, interval, time) DO UPDATE
         SET open = EXCLUDED.open, high = EXCLUDED.high, low = EXCLUDED.low, close = EXCLUDED.close, volume = EXCLUDED.volume
         WHERE (price_bars.open, price_bars.high, price_bars.low, price_bars.close, price_bars.volume)
               IS DISTINCT FROM (EXCLUDED.open, EXCLUDED.high, EXCLUDED.low, EXCLUDED.close, EXCLUDED.volume)
       RETURNING (xmax = 0) AS is_new
     )
     SELECT count(*) FILTER (WHERE is_new)::int AS inserted, count(*) FILTER (WHERE NOT is_new)::int AS updated FROM upserted`,
    [
      ticker,
      interval,
      bars.map((b) => b.time.toISOString()),
      bars.map((b) => b.open),
      bars.map((b) => b.high),
      bars.map((b) => b.low),
      bars.map((b) => b.close),
      bars.map((b) => b.volume),
    ],
  );
  return row;
}

/**
 * Parses and stores one ticker's price file in one transaction (a failure stores nothing).
 * Throws ServiceError BAD_USER_INPUT (field ticker, interval or csv) for a bad ticker/interval or a file that has no date/close columns;
 * individual bad rows never fail the import, they come back in `rejected`.
 */
export async function importPrices(db: DataSource | EntityManager, input: ImportPricesInput): Promise<PriceImportReport> {
  const ticker = normaliseTicker(input.ticker);
  const interval = normaliseInterval(input.interval);
  if (typeof input.csv !== 'string' || input.csv.trim() === '') throw badInput('csv', 'price file is empty');
  let parsed: ParsedPrices;
  try {
    // In steps, letting other requests run between them: a large file never blocks the event loop for long.
    const steps = parsePriceCsvSteps(input.csv, { ticker, maxRejected: input.maxRejected ?? MAX_REJECTED_REPORTED, ...(input.delimiter ? { delimiter: input.delimiter } : {}) });
    for (;;) {
      const step = steps.next();
      if (step.done) {
        parsed = step.value;
        break;
      }
      await nextTurn();
    }
  } catch (err) {
    throw badInput('csv', (err as Error).message);
  }
  const { bars, rejected, rejectedCount, format } = parsed;
  let inserted = 0;
  let updated = 0;
  if (bars.length > 0) {
    const write = async (tx: EntityManager) => {
      for (let i = 0; i < bars.length; i += BATCH) {
        const r = await upsertBatch(tx, ticker, interval, bars.slice(i, i + BATCH));
        inserted += r.inserted;
        updated += r.updated;
      }
    };
    // Inside a caller's transaction TypeORM nests this as a savepoint.
    await db.transaction(write);
  }
  return {
    ticker,
    interval,
    bars: bars.length,
    inserted,
    updated,
    unchanged: bars.length - inserted - updated,
    rejected,
    rejectedCount,
    format,
    from: bars.length > 0 ? bars[0].time : null,
    to: bars.length > 0 ? bars[bars.length - 1].time : null,
  };
}
