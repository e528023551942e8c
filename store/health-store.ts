/** The readiness probe's one statement: PostgreSQL answers. */
import type { DataSource } from 'typeorm';

export async function pingDatabase(db: DataSource): Promise<void> {
  await db.query('SELECT 1');
}
