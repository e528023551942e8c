/**
 * Price bars as stored: a parsed price file written idempotently (unnest() batches, ON CONFLICT
 * DO UPDATE only where a value changed, so writing the same file twice inserts and updates
 * nothing), and the bars of one ticker in a window. Used by price imports (services/price-import.service.ts)
 * and the price-source fetch activity alike.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { parsePriceCsvSteps, type ParsedPrices, type PriceBar as Bar, type RejectedPriceRow } from '../domain/prices';
import { PriceBar } from '../entities';
import type { Queryable } from '../events/publish';

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

const BATCH = 5000;

/** A price file the parser refused as a whole (no date/close columns, several tickers, empty). */
export class PriceFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PriceFileError';
  }
}

export interface PriceFile {
  /** Already normalised (upper case, valid symbol). */
  ticker: string;
  /** Already normalised, e.g. '1d'. */
  interval: string;
  csv: string;
  maxRejected?: number;
  delimiter?: ',' | '\t' | ';';
}

async function upsertBatch(tx: EntityManager, ticker: string, interval: string, bars: Bar[]): Promise<{ inserted: number; updated: number }> {
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
 * Throws PriceFileError for a file the parser refuses; individual bad rows never fail it, they
 * come back in `rejected`.
 */
export async function writePriceFile(db: DataSource | EntityManager, file: PriceFile): Promise<PriceImportReport> {
  const { ticker, interval } = file;
  let parsed: ParsedPrices;
  try {
    // In steps, letting other requests run between them: a large file never blocks the event loop for long.
    const steps = parsePriceCsvSteps(file.csv, { ticker, maxRejected: file.maxRejected ?? MAX_REJECTED_REPORTED, ...(file.delimiter ? { delimiter: file.delimiter } : {}) });
    for (;;) {
      const step = steps.next();
      if (step.done) {
        parsed = step.value;
        break;
      }
      await nextTurn();
    }
  } catch (err) {
    throw new PriceFileError((err as Error).message);
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

/** The newest `limit` bars of one ticker in [from, to], returned oldest first (the dashboard's candles). */
export async function priceBarsBetween(db: DataSource, ticker: string, interval: string, from: Date, to: Date, limit: number): Promise<PriceBar[]> {
  const rows = await db
    .getRepository(PriceBar)
    .createQueryBuilder('b')
    .where('b.ticker = :ticker AND b.interval = :interval AND b.time >= :from AND b.time <= :to', { ticker, interval, from, to })
    .orderBy('b.time', 'DESC')
    .limit(limit)
    .getMany();
  return rows.reverse();
}

/** How many bars of one ticker lie in [from, to] (ISO times or dates). */
export async function countPriceBars(db: Queryable, ticker: string, interval: string, from: string | Date, to: string | Date): Promise<number> {
  const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM price_bars WHERE ticker = $1 AND interval = $2 AND time >= $3 AND time <= $4`, [ticker, interval, from, to])) as Array<{ n: number }>;
  return n;
}
