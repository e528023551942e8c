/**
 * A child process we own: started in its own process group (so a Ctrl-C in the terminal
 * reaches only the orchestrator, which then stops children in order), its output kept in a
 * short ring buffer for error messages, stopped with a signal and a deadline.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import net from 'node:net';

export interface ManagedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Last lines of stdout+stderr, for error messages. */
  recentOutput(): string;
  exited(): boolean;
  waitForExit(): Promise<number | null>;
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<void>;
}

export function startManagedProcess(
  command: string,
  args: string[],
  opts: SpawnOptions & { onLine?: (line: string) => void; keepLines?: number } = {},
): ManagedProcess {
  const { onLine, keepLines = 60, ...spawnOpts } = opts;
  const child = spawn(command, args, { ...spawnOpts, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let exitCode: number | null | undefined;
  const exitPromise = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      exitCode = code;
      resolve(code);
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
