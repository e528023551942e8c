/** Price sources as stored (price_sources): the URL templates and tickers a scheduled fetch reads. */
import type { DataSource } from 'typeorm';
import type { PriceFormat } from '../entities/price-source.entity';

export interface NewPriceSource {
  name: string;
  urlTemplate: string;
  format: PriceFormat;
  interval: string;
  tickers: string[];
  cron: string;
}

/** The new source's id, or null when one with that name exists (names are unique). */
export async function insertPriceSource(db: DataSource, s: NewPriceSource): Promise<string | null> {
  const inserted = (await db.query(
    `INSERT INTO price_sources (name, url_template, format, interval, tickers, cron) VALUES ($1, $2, $3, $4, $5::text[], $6) ON CONFLICT (name) DO NOTHING RETURNING id`,
    [s.name, s.urlTemplate, s.format, s.interval, s.tickers, s.cron],
  )) as Array<{ id: string }>;
  return inserted[0]?.id ?? null;
}

export interface PriceSourceToFetch {
  id: string;
  url_template: string;
  format: PriceFormat;
  interval: string;
  tickers: string[];
}

export async function priceSourceToFetch(db: DataSource, id: string): Promise<PriceSourceToFetch | undefined> {
  const [source] = (await db.query(`SELECT id, url_template, format, interval, tickers FROM price_sources WHERE id = $1`, [id])) as PriceSourceToFetch[];
  return source;
}

/** One fetch's outcome on the source's health line. */
export async function recordPriceFetch(db: DataSource, id: string, lastError: string | null, barsStored: number): Promise<void> {
  await db.query(`UPDATE price_sources SET last_run_at = now(), last_error = $2, bars_stored = bars_stored + $3 WHERE id = $1`, [id, lastError, barsStored]);
}

/** Every ticker any price source follows, sorted. */
export async function followedTickers(db: DataSource): Promise<string[]> {
  const rows = (await db.query(`SELECT DISTINCT unnest(tickers) AS ticker FROM price_sources ORDER BY 1`)) as Array<{ ticker: string }>;
  return rows.map((r) => r.ticker);
}
