import type { DataSource } from 'typeorm';
import { PriceBar } from '../entities';
import { ServiceError } from './errors';
import { normaliseInterval, normaliseTicker } from './price-import.service';

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
  // The newest `limit` bars in the window, returned oldest first.
  const rows = await db
    .getRepository(PriceBar)
    .createQueryBuilder('b')
    .where('b.ticker = :ticker AND b.interval = :interval AND b.time >= :from AND b.time <= :to', {
      ticker: normaliseTicker(q.ticker),
      interval: normaliseInterval(q.interval),
      from: q.from,
      to: q.to,
    })
    .orderBy('b.time', 'DESC')
    .limit(limit)
    .getMany();
  return rows.reverse();
}
