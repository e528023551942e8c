import { isUuid } from '../domain/ids';
import { ServiceError } from './errors';

/**
 * Opaque page cursors: the sort key of the last row (a timestamp) plus its id as tiebreaker,
 * so pages stay stable while new rows arrive at the top.
 */
export function encodeCursor(time: Date, id: string): string {
  return Buffer.from(`${time.toISOString()}|${id}`).toString('base64url');
}

const BASE64URL = /^[A-Za-z0-9_-]{1,200}={0,2}$/;
/** Exactly what encodeCursor writes: Date#toISOString of a four-digit year, then a UUID. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Accepts only what encodeCursor produces: a real instant (no 2024-02-30, no +275760 years,
 * round-trips through Date unchanged) and a UUID. Anything else is BAD_USER_INPUT, never a
 * database error.
 */
export function decodeCursor(cursor: string): { time: string; id: string } {
  const bad = () => new ServiceError('BAD_USER_INPUT', 'after is not a cursor this API issued', { field: 'after' });
  if (typeof cursor !== 'string' || !BASE64URL.test(cursor)) throw bad();
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (parts.length !== 2) throw bad();
  const [time, id] = parts;
  if (!ISO_TIME.test(time) || !isUuid(id)) throw bad();
  const instant = new Date(time);
  if (!Number.isFinite(instant.getTime()) || instant.toISOString() !== time || instant.getUTCFullYear() < 1) throw bad();
  return { time, id };
}
