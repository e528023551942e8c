import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { sharedDataPath } from '../../config/paths';
import { ApiKeyService } from '../../services/api-key.service';
import { createDataSource } from '../../db/data-source';
import { createScratchDatabase } from '../support/databases';

const root = path.resolve(__dirname, '..', '..');

/** `npm run cli -- …` without the build step: the same entry point, run from source. */
function cli(args: string[], env: Record<string, string>) {
  return spawnSync(process.execPath, ['-r', path.join(root, 'test/support/swc-register.js'), path.join(root, 'cli/main.ts'), ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('the operator CLI', () => {
  it('create-admin makes the first admin and prints a working key once; import-prices loads a real file idempotently', async () => {
    const scratch = await createScratchDatabase();
    try {
      const env = { DATABASE_URL: scratch.url, TIDINGS_ADMIN_PASSWORD: 'a-long-admin-password' };
      const created = cli(['create-admin', '--email', 'Ops@Example.com'], env);
      expect(created.status).toBe(0);
      const key = created.stdout.match(/tdg_[A-Za-z0-9_-]+/)?.[0];
      expect(key).toBeTruthy();
      expect(created.stdout).not.toContain('a-long-admin-password');

      const db = createDataSource(scratch.url, { poolSize: 1 });
      await db.initialize();
      try {
        const auth = await new ApiKeyService(db).authenticate(key!);
        expect(typeof auth).toBe('object');
        expect((auth as { user: { role: string; email: string } }).user).toMatchObject({ role: 'ADMIN', email: 'ops@example.com' });
      } finally {
        await db.destroy();
      }

      const file = sharedDataPath('prices', 'VIX_daily.csv');
      const first = cli(['import-prices', 'vix', file], env);
      expect(first.status).toBe(0);
      expect(first.stdout).toMatch(/inserted:\s+\d{4,}/);
      expect(first.stdout).toMatch(/rejected:\s+47/);
      expect(first.stdout).toMatch(/line 535/);
      const again = cli(['import-prices', 'VIX', file], env);
      expect(again.stdout).toMatch(/inserted:\s+0\b/);
      expect(again.stdout).toMatch(/updated:\s+0\b/);
    } finally {
      await scratch.drop();
    }
  });

  it('bad usage and an unreachable database are one clear line and a non-zero exit', () => {
    const usage = cli(['import-prices', 'AAPL'], { DATABASE_URL: 'postgres://x:y@127.0.0.1:1/none' });
    expect(usage.status).not.toBe(0);
    const down = cli(['create-admin', '--email', 'a@b.c'], { DATABASE_URL: 'postgres://x:secret@127.0.0.1:1/none', TIDINGS_ADMIN_PASSWORD: 'whatever-password' });
    expect(down.status).toBe(1);
    expect(down.stderr.trim().split('\n')).toHaveLength(1);
    expect(down.stderr).toContain('PostgreSQL is not reachable at postgres://x:***@127.0.0.1:1/none');
    expect(down.stderr).not.toContain('secret');
  });
});
