/**
 * A child process we own: started in its own process group (so a Ctrl-C in the terminal
 * reaches only the orchestrator, which then stops children in order), its output kept in a
 * short ring buffer for error messages, stopped with a signal and a deadline.
 *
 * Nothing we start may outlive us, even when we are SIGKILLed: Node children get an IPC
 * channel (`ipc: true`) and stop themselves when it disconnects (process-signals.ts,
 * exitWithParent); external binaries (PostgreSQL, the Temporal CLI) are started under a tiny
 * Node watchdog (`watchdog`) in the same process group, which stops the binary with its
 * polite signal, then SIGKILL, when the channel to us disconnects or its parent changes.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';

export interface ManagedProcess {
  readonly child: ChildProcess;
  /** The child's pid, which is also its process group id. */
  readonly pid: number;
  /** Last lines of stdout+stderr, for error messages. */
  recentOutput(): string;
  exited(): boolean;
  waitForExit(): Promise<number | null>;
  /** SIGKILL to the whole process group, at once and synchronously (forced exits). */
  kill(): void;
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<void>;
}

/**
 * Runs `cfg.cmd` as its child (same process group, output inherited) and lives exactly as long
 * as it does; if the process that started us goes away, stops the child (stopSignal, then
 * SIGKILL after graceMs). Signals sent to the group reach the child directly, so we ignore them.
 */
const WATCHDOG_SOURCE = `
const { spawn } = require('node:child_process');
const os = require('node:os');
const cfg = JSON.parse(process.env.TIDINGS_WATCHDOG);
delete process.env.TIDINGS_WATCHDOG;
process.title = 'tidings-watchdog ' + require('node:path').basename(cfg.cmd);
const child = spawn(cfg.cmd, cfg.args, { stdio: 'inherit', uid: cfg.uid, gid: cfg.gid, env: process.env });
let stopping = false;
const stopChild = () => {
  if (stopping) return;
  stopping = true;
  try { process.kill(child.pid, cfg.stopSignal); } catch {}
  setTimeout(() => { try { process.kill(child.pid, 'SIGKILL'); } catch {} }, cfg.graceMs).unref();
};
process.on('disconnect', stopChild);
const parent = process.ppid;
setInterval(() => { if (process.ppid !== parent) stopChild(); }, 500).unref();
for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => undefined);
child.once('error', (err) => { process.stderr.write('spawn error: ' + err.message + '\\n'); process.exit(127); });
child.once('exit', (code, signal) => process.exit(code ?? 128 + (os.constants.signals[signal] || 1)));
`;

export interface ManagedProcessOptions extends SpawnOptions {
  onLine?: (line: string) => void;
  keepLines?: number;
  /** A Node child: give it an IPC channel so it can notice when we are gone. */
  ipc?: boolean;
  /** An external binary: run it under a watchdog that stops it with `stopSignal` when we are gone. */
  watchdog?: { stopSignal: NodeJS.Signals; graceMs: number };
}

export function startManagedProcess(command: string, args: string[], opts: ManagedProcessOptions = {}): ManagedProcess {
  const { onLine, keepLines = 60, ipc, watchdog, ...spawnOpts } = opts;
  const stdio: SpawnOptions['stdio'] = ipc || watchdog ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'pipe', 'pipe'];
  let child: ChildProcess;
  if (watchdog) {
    const { uid, gid, env, ...rest } = spawnOpts;
    const cfg = JSON.stringify({ cmd: command, args, uid, gid, stopSignal: watchdog.stopSignal, graceMs: watchdog.graceMs });
    child = spawn(process.execPath, ['-e', WATCHDOG_SOURCE], { ...rest, env: { ...(env ?? process.env), TIDINGS_WATCHDOG: cfg }, detached: true, stdio });
  } else {
    child = spawn(command, args, { ...spawnOpts, detached: true, stdio });
  }
  // The channel must not keep our event loop alive; it only tells the child that we exist.
  (child.channel as { unref?: () => void } | undefined)?.unref?.();
  const lines: string[] = [];
  let exitCode: number | null | undefined;
  const exitPromise = new Promise<number | null>((resolve) => {
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? 128 + (os.constants.signals[signal] ?? 0) : null);
      resolve(exitCode);
    });
    child.once('error', (err) => {
      lines.push(`spawn error: ${err.message}`);
      exitCode = -1;
      resolve(-1);
    });
  });
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      lines.push(line);
      if (lines.length > keepLines) lines.shift();
      onLine?.(line);
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  return {
    child,
    pid: child.pid ?? -1,
    recentOutput: () => lines.join('\n'),
    exited: () => exitCode !== undefined,
    waitForExit: () => exitPromise,
    kill() {
      if (exitCode !== undefined) return;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    },
    async stop(signal = 'SIGTERM', timeoutMs = 10_000) {
      if (exitCode !== undefined) return;
      try {
        process.kill(-child.pid!, signal);
      } catch {
        child.kill(signal);
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, timeoutMs);
      await exitPromise;
      clearTimeout(timer);
    },
  };
}

/** Resolves when `predicate` returns true, rejects with `describe()` when the deadline passes. */
export async function waitUntil(
  predicate: () => Promise<boolean> | boolean,
  opts: { timeoutMs: number; intervalMs?: number; describe: () => string },
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(opts.describe());
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
}

/** True when GET url answers 2xx; one connection per call, not kept alive (it would delay the API's shutdown). */
export function httpOk(url: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
  });
}

/** True when something already listens on host:port. */
export async function isPortInUse(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A free TCP port chosen by the OS (for tests and benchmarks). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
