/** Admin instruments as stored (instruments): the universe's additions and overrides. */
import type { DataSource } from 'typeorm';

export interface InstrumentValues {
  symbol: string;
  name: string;
  aliases: string[];
  exchange: string | null;
  assetClass: string;
  sector: string | null;
  cik: string | null;
}

/** Inserts or replaces by symbol (updated_at moves, so ticker extractors rebuild); the stored symbol. */
export async function upsertInstrument(db: DataSource, v: InstrumentValues): Promise<string> {
  const [row] = (await db.query(
    `INSERT INTO instruments (symbol, name, aliases, exchange, asset_class, sector, cik)
     VALUES ($1, $2, $3::text[], $4, $5, $6, $7)
     ON CONFLICT (symbol) DO UPDATE SET name = EXCLUDED.name, aliases = EXCLUDED.aliases, exchange = EXCLUDED.exchange,
       asset_class = EXCLUDED.asset_class, sector = EXCLUDED.sector, cik = EXCLUDED.cik, updated_at = clock_timestamp()
     RETURNING symbol`,
    [v.symbol, v.name, v.aliases, v.exchange, v.assetClass, v.sector, v.cik],
  )) as Array<{ symbol: string }>;
  return row!.symbol;
}

/** True when there was such an instrument. */
export async function deleteInstrument(db: DataSource, symbol: string): Promise<boolean> {
  const deleted = (await db.query(`DELETE FROM instruments WHERE symbol = $1 RETURNING symbol`, [symbol])) as unknown[];
  return deleted.length > 0;
}
