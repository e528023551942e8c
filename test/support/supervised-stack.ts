/**
 * The real `npm start` supervisor (runtime/start.ts, run from source through swc-register) on
 * a fresh data dir and free ports, for tests that kill its parts. Every process of such a stack
 * carries TIDINGS_DATA_DIR=<its dir> in its environment (postgres and the Temporal CLI inherit
 * it through their watchdogs), which is how `processesOf` finds orphans without trusting pids.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, httpOk } from '../../runtime/managed-process';

const root = path.resolve(__dirname, '..', '..');

export interface SupervisedStack {
  child: ChildProcess;
  dataDir: string;
  port: number;
  pgPort: number;
  temporalPort: number;
  output(): string;
  /** Resolves with the first output line matching `re` after `from` (an output offset). */
  waitFor(re: RegExp, timeoutMs?: number, from?: number): Promise<RegExpMatchArray>;
  exit: Promise<number | null>;
  pids(): Record<string, number>;
  ready(): Promise<boolean>;
  cleanup(): Promise<void>;
}

export async function launchStack(env: Record<string, string> = {}): Promise<SupervisedStack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-supervised-'));
  fs.chmodSync(dataDir, 0o755); // the embedded server runs as `postgres` when we are root
  const [port, pgPort, temporalPort, uiPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  const child = spawn(process.execPath, ['-r', path.join(__dirname, 'swc-register.js'), path.join(root, 'runtime', 'start.ts')], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: '',
      TEMPORAL_ADDRESS: '',
      TIDINGS_DATA_DIR: dataDir,
      PORT: String(port),
      EMBEDDED_PG_PORT: String(pgPort),
      TEMPORAL_DEV_PORT: String(temporalPort),
      TEMPORAL_UI_PORT: String(uiPort),
      LOG_LEVEL: 'warn',
      NODE_ENV: 'development',
      // Any free port for the worker's metrics and the SDK's exporter: stacks run side by side.
      METRICS_PORT: '0',
      TEMPORAL_SDK_METRICS_PORT: '0',
      ...env,
    },
    detached: true, // its own process group, as `npm start` in a terminal
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (c: Buffer) => {
    out += c.toString('utf8');
    for (const l of [...listeners]) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : null))));
  const stack: SupervisedStack = {
    child,
    dataDir,
    port,
    pgPort,
    temporalPort,
    output: () => out,
    exit,
    waitFor(re, timeoutMs = 90_000, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = out.slice(from).match(re);
          if (m) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no output matching ${re} within ${timeoutMs} ms; output:\n${out.slice(-4000)}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
    pids() {
      const line = out.match(/Processes: +(.*)/)?.[1] ?? '';
      return Object.fromEntries(line.split(', ').map((p) => [p.slice(0, p.lastIndexOf(' ')), Number(p.slice(p.lastIndexOf(' ') + 1))]));
    },
    ready: () => httpOk(`http://127.0.0.1:${port}/ready`),
    async cleanup() {
      for (const pid of processesOf(dataDir)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** Live processes whose environment carries TIDINGS_DATA_DIR=<dataDir> (Linux /proc). */
export function processesOf(dataDir: string): number[] {
  const needle = `TIDINGS_DATA_DIR=${dataDir}\0`;
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue; // a zombie is already dead
      if (fs.readFileSync(`/proc/${entry}/environ`, 'latin1').includes(needle)) found.push(Number(entry));
    } catch {
      /* exited meanwhile, or not ours to read */
    }
  }
  return found;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls until `predicate` holds; rejects with `what` after timeoutMs. */
export async function eventually(predicate: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`${what} (not within ${timeoutMs} ms)`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function postmasterPid(dataDir: string): number {
  return Number(fs.readFileSync(path.join(dataDir, 'postgres', 'pgdata', 'postmaster.pid'), 'utf8').split('\n')[0]);
}
