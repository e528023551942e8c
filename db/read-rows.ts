import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';

/**
 * The rows of one read-only statement, straight from the DataSource's own pg pool (same
 * connections, same type parsing as `db.query`). `db.query` makes a TypeORM QueryRunner per call
 * (acquire, logger and subscriber broadcasts before and after, a QueryResult, release): on the
 * hot read paths (article and signal pages and their DataLoaders) that was a measurable share of
 * the CPU and allocations per request (`npm run bench -- graphql`). Not for writes or anything
 * inside a transaction: those go through TypeORM as before.
 */
export async function readRows<Row>(db: DataSource, sql: string, params: readonly unknown[]): Promise<Row[]> {
  const pool = (db.driver as unknown as { master?: Pool }).master;
  // Not initialised (or not PostgreSQL): TypeORM's own path says so with its usual error.
  if (!pool || typeof pool.query !== 'function') return db.query(sql, params as unknown[]);
  return (await pool.query(sql, params as unknown[])).rows as Row[];
}

/**
 * Select lists already built, per field set and column map: callers pass the same (read-only)
 * set object for the same selection (api/selection.ts caches them), so a page of field
 * resolvers builds its list once. A field set must not change after it was passed here.
 */
const built = new WeakMap<object, WeakMap<object, Map<string, string>>>();

/**
 * The select list for the fields a caller will read: the `always` fields plus each wanted one,
 * in the map's order. Without `fields` (or with a field the map does not know) every column is
 * read, so a caller that cannot say what it needs gets whole rows.
 */
export function columnsFor<Field extends string>(columns: Readonly<Record<Field, string>>, always: readonly Field[], fields?: Iterable<string>): string {
  if (!fields) return Object.values<string>(columns).join(', ');
  let byColumns = built.get(fields);
  if (!byColumns) built.set(fields, (byColumns = new WeakMap()));
  let byAlways = byColumns.get(columns);
  if (!byAlways) byColumns.set(columns, (byAlways = new Map()));
  const key = always.join();
  let list = byAlways.get(key);
  if (list === undefined) byAlways.set(key, (list = build(columns, always, fields)));
  return list;
}

function build<Field extends string>(columns: Readonly<Record<Field, string>>, always: readonly Field[], fields: Iterable<string>): string {
  const wanted = new Set<string>(always);
  for (const f of fields) {
    if (!Object.hasOwn(columns, f)) return Object.values<string>(columns).join(', ');
    wanted.add(f);
  }
  return (Object.keys(columns) as Field[])
    .filter((f) => wanted.has(f))
    .map((f) => columns[f])
    .join(', ');
}
