import { apiError } from './errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids are UUIDs; anything else is the caller's mistake, not a database error. */
export function assertUuid(value: string, field = 'id'): string {
  if (!UUID.test(value)) throw apiError('BAD_USER_INPUT', `${field} must be a UUID, got "${value.slice(0, 60)}"`, { field });
  return value;
}
