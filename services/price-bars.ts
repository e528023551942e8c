import type { DataSource } from 'typeorm';
import type { PriceBar } from '../entities';
import { ServiceError } from './errors';
import { normaliseInterval, normaliseTicker } from './price-import.service';
import { priceBarsBetween } from '../store/price-bar-store';

export interface PriceBarsQuery {
  ticker: string;
  from: Date;
  to: Date;
  interval?: string;
  limit?: number;
}

/** Stored bars of one ticker in [from, to], oldest first (the dashboard's candles). */
export async function priceBars(db: DataSource, q: PriceBarsQuery): Promise<PriceBar[]> {
  if (Number.isNaN(q.from.getTime()) || Number.isNaN(q.to.getTime()) || q.from > q.to) throw new ServiceError('BAD_USER_INPUT', 'from must be a date before to', { field: 'from' });
  const limit = Math.min(Math.max(q.limit ?? 2000, 1), 5000);
  return priceBarsBetween(db, normaliseTicker(q.ticker), normaliseInterval(q.interval), q.from, q.to, limit);
}
