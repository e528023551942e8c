/**
 * Price files -> `price_bars`. Parsing (any common CSV/TSV shape, bad rows reported with their
 * line numbers) is domain/prices; this module validates the ticker and interval, and
 * store/price-bar-store.ts writes the bars idempotently, so importing the same file twice reports
 * nothing inserted or updated.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { badInput } from './errors';
import { isTickerSymbol } from '../domain/tickers/symbol';
import { PriceFileError, writePriceFile, type PriceImportReport } from '../store/price-bar-store';

export interface ImportPricesInput {
  ticker: string;
  /** The file's text. */
  csv: string;
  /** Bar length, e.g. '1d' (default) or '1h'. */
  interval?: string;
  /** Rejected rows to report (the first by line); default MAX_REJECTED_REPORTED (store/price-bar-store.ts). */
  maxRejected?: number;
  /** A fixed delimiter instead of detection (price sources with a fixed format). */
  delimiter?: ',' | '\t' | ';';
}

/** A file of half a million bad rows answers with the first hundred and a count, not 58 MB. */
const INTERVAL = /^[1-9][0-9]{0,3}(m|h|d|wk|mo)$/;

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

/**
 * Parses and stores one ticker's price file in one transaction (a failure stores nothing).
 * Throws ServiceError BAD_USER_INPUT (field ticker, interval or csv) for a bad ticker/interval or a file that has no date/close columns;
 * individual bad rows never fail the import, they come back in `rejected`.
 */
export async function importPrices(db: DataSource | EntityManager, input: ImportPricesInput): Promise<PriceImportReport> {
  const ticker = normaliseTicker(input.ticker);
  const interval = normaliseInterval(input.interval);
  if (typeof input.csv !== 'string' || input.csv.trim() === '') throw badInput('csv', 'price file is empty');
  try {
    return await writePriceFile(db, { ticker, interval, csv: input.csv, maxRejected: input.maxRejected, delimiter: input.delimiter });
  } catch (err) {
    if (err instanceof PriceFileError) throw badInput('csv', err.message);
    throw err;
  }
}
