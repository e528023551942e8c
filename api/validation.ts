import { isUuid } from '../domain/ids';
import { apiError } from './errors';

/** Ids are UUIDs; anything else is the caller's mistake, not a database error. */
export function assertUuid(value: string, field = 'id'): string {
  if (!isUuid(value)) throw apiError('BAD_USER_INPUT', `${field} must be a UUID, got "${value.slice(0, 60)}"`, { field });
  return value;
}
