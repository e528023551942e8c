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
 * The select list for the fields a caller will read: the `always` fields plus each wanted one,
 * in the map's order. Without `fields` (or with a field the map does not know) every column is
 * read, so a caller that cannot say what it needs gets whole rows.
 */
export function columnsFor<Field extends string>(columns: Readonly<Record<Field, string>>, always: readonly Field[], fields?: Iterable<string>): string {
  if (!fields) return Object.values<string>(columns).join(', ');
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
