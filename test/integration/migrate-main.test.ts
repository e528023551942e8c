/**
 * `node dist/runtime/migrate-main.js`, the command of the Kubernetes chart's migration Job, run
 * as a real process (from source through swc) against a real, empty PostgreSQL database.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { ALL_MIGRATIONS } from '../../migrations';
import { freePort } from '../../runtime/managed-process';
import { createScratchDatabase } from '../support/databases';

const root = path.resolve(__dirname, '..', '..');

function migrate(env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', path.join(root, 'test', 'support', 'swc-register.js'), path.join(root, 'runtime', 'migrate-main.ts')],
      { env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', LOG_LEVEL: 'info', ...env }, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, output: `${stdout}${stderr}` }),
    );
  });
}

describe('migrate-main (the migration Job)', () => {
  it('applies every migration to an empty database, then finds nothing to do', async () => {
    const scratch = await createScratchDatabase();
    try {
      const first = await migrate({ DATABASE_URL: scratch.url });
      expect({ code: first.code, output: first.code === 0 ? '' : first.output }).toEqual({ code: 0, output: '' });
      const line = JSON.parse(first.output.trim().split('\n').at(-1)!) as { msg: string; applied: string[]; database: string };
      expect(line.applied).toHaveLength(ALL_MIGRATIONS.length);
      expect(line.msg).toBe(`applied ${ALL_MIGRATIONS.length} migration(s)`);
      // The password never reaches the log.
      const password = new URL(scratch.url).password;
      if (password) expect(first.output).not.toContain(password);

      const client = new Client({ connectionString: scratch.url });
      await client.connect();
      try {
        const { rows } = await client.query<{ count: string }>('SELECT count(*) FROM migrations');
        expect(Number(rows[0].count)).toBe(ALL_MIGRATIONS.length);
      } finally {
        await client.end();
      }

      const second = await migrate({ DATABASE_URL: scratch.url });
      expect(second.code).toBe(0);
      expect(JSON.parse(second.output.trim().split('\n').at(-1)!)).toMatchObject({ msg: 'schema already up to date', applied: [] });
    } finally {
      await scratch.drop();
    }
  });

  it('fails with one line naming the problem: no DATABASE_URL, or a server that does not answer', async () => {
    const missing = await migrate({});
    expect(missing.code).toBe(1);
    expect(missing.output.trim()).toBe('tidings-migrate: DATABASE_URL is not set: migrations need the PostgreSQL to migrate');

    const port = await freePort();
    const down = await migrate({ DATABASE_URL: `postgres://tidings:secret-pw@127.0.0.1:${port}/tidings` });
    expect(down.code).toBe(1);
    expect(down.output).toContain(`PostgreSQL is not reachable at postgres://tidings:***@127.0.0.1:${port}/tidings`);
    expect(down.output).not.toContain('secret-pw');
    expect(down.output.trim().split('\n')).toHaveLength(1);
  });
});
