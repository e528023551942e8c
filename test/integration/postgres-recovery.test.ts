/**
 * A later start in the same checkout recovers by itself from a PostgreSQL left behind by a
 * crashed start (issue 9): a stale postmaster.pid (its pid dead, or reused by an unrelated
 * process, which must not be touched), and an orphan postmaster still running on that data dir.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../runtime/embedded-postgres';
import { freePort } from '../../runtime/managed-process';
import { alive, eventually } from '../support/supervised-stack';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-pg-recovery-'));
fs.chmodSync(dataDir, 0o755);
const pgData = path.join(dataDir, 'pgdata');
const pidFile = path.join(pgData, 'postmaster.pid');
const running: EmbeddedPostgres[] = [];

async function start(): Promise<EmbeddedPostgres> {
  const pg = await startEmbeddedPostgres({ dataDir, port: await freePort() });
  running.push(pg);
  return pg;
}

async function answers(url: string): Promise<number> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query('SELECT 1 AS one')).rows[0].one;
  } finally {
    await client.end();
  }
}

afterAll(async () => {
  for (const pg of running) await pg.stop().catch(() => undefined);
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('embedded PostgreSQL left behind by an earlier start', () => {
  it('starts over a stale postmaster.pid after the server was SIGKILLed', async () => {
    const pg = await start();
    const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    pg.process.kill(); // the whole group, as a crash of everything would
    await eventually(() => !alive(pid), 20_000, 'the postmaster is gone');
    expect(fs.existsSync(pidFile)).toBe(true);
    const again = await start();
    expect(await answers(again.url)).toBe(1);
    await again.stop();
  }, 120_000);

  it('removes a postmaster.pid whose pid now belongs to another program, without signalling that program', async () => {
    // The server is stopped cleanly; then a stale lock file names a live, unrelated process.
    const bystander = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      const lock = ['' + bystander.pid, pgData, '0', '1', '', '127.0.0.1', '0 0', 'ready', ''].join('\n');
      fs.writeFileSync(pidFile, lock);
      const pg = await start();
      expect(await answers(pg.url)).toBe(1);
      expect(alive(bystander.pid!)).toBe(true);
      await pg.stop();
    } finally {
      bystander.kill('SIGKILL');
    }
  }, 120_000);

  it('stops an orphan postmaster still running on the data dir, then starts its own', async () => {
    // An orphan: a postmaster on this data dir whose starter is gone (here started without a watchdog).
    const bin = path.join(path.dirname(require.resolve(`@embedded-postgres/${os.platform()}-${os.arch()}`)), '..', 'native', 'bin', 'postgres');
    const orphanPort = await freePort();
    const asPostgres = process.getuid?.() === 0 ? { uid: Number(fs.statSync(pgData).uid), gid: Number(fs.statSync(pgData).gid) } : {};
    const orphan = spawn(bin, ['-D', pgData, '-p', String(orphanPort), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='], { ...asPostgres, detached: true, stdio: 'ignore' });
    await eventually(() => fs.existsSync(pidFile) && Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]) === orphan.pid, 30_000, 'the orphan owns the data dir');
    const pg = await start();
    expect(await answers(pg.url)).toBe(1);
    expect(alive(orphan.pid!)).toBe(false);
    await pg.stop();
  }, 120_000);
});
