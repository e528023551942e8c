/** Row ids are UUIDs (any version, either case), as PostgreSQL's uuid type accepts them. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * True when `value` is a UUID. Checked before a query, so a malformed id is the caller's
 * mistake (or simply "not found") rather than a database error.
 */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
