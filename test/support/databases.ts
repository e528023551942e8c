import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { testEnv } from './stack';

/** A brand-new empty database on the test server, for tests that need a clean schema. */
export async function createScratchDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = new URL(testEnv().databaseUrl);
  const name = `scratch_${randomUUID().replace(/-/g, '')}`;
  const admin = new Client({ connectionString: new URL('/postgres', base).toString() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(`/${name}`, base).toString();
  return {
    url,
    async drop() {
      const c = new Client({ connectionString: new URL('/postgres', base).toString() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
