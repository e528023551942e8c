import { apiError } from '../api/errors';

/**
 * Opaque page cursors: the sort key of the last row (a timestamp) plus its id as tiebreaker,
 * so pages stay stable while new rows arrive at the top.
 */
export function encodeCursor(time: Date, id: string): string {
  return Buffer.from(`${time.toISOString()}|${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): { time: string; id: string } {
  const [time, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!time || !id || Number.isNaN(Date.parse(time)) || !/^[0-9a-f-]{36}$/i.test(id)) {
    throw apiError('BAD_USER_INPUT', 'after is not a cursor this API issued', { field: 'after' });
  }
  return { time, id };
}
