/**
 * The `npm start` supervisor under crashes and signals (issue 11: D1, D2, D19; issue 9: a
 * failed start stops what it started). Each test runs the real supervisor with its own
 * embedded PostgreSQL and Temporal dev server, and checks for orphans by data dir.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { freePort, isPortInUse, startManagedProcess } from '../../runtime/managed-process';
import { Supervisor } from '../../runtime/supervisor';
import { alive, eventually, launchStack, postmasterPid, processesOf, type SupervisedStack } from '../support/supervised-stack';

const stacks: SupervisedStack[] = [];
afterAll(async () => {
  for (const s of stacks) await s.cleanup();
});

async function launched(env: Record<string, string> = {}): Promise<SupervisedStack> {
  const stack = await launchStack(env);
  stacks.push(stack);
  return stack;
}

/** The pids of the workers polling the stack's task queue (identity is "<pid>@<host>"). */
async function pollerPids(temporalPort: number): Promise<number[]> {
  const connection = await Connection.connect({ address: `127.0.0.1:${temporalPort}` });
  try {
    const res = await connection.workflowService.describeTaskQueue({ namespace: 'default', taskQueue: { name: 'tidings-alerts' }, taskQueueType: 1 });
    return (res.pollers ?? []).map((p) => Number(String(p.identity).split('@')[0]));
  } finally {
    await connection.close();
  }
}

describe('npm start supervision', () => {
  it('a start that fails after PostgreSQL is up stops everything it started (issue 9)', async () => {
    // Temporal's port is taken: its step fails while PostgreSQL is starting or already up.
    const blocker = net.createServer();
    const temporalPort = await freePort();
    await new Promise<void>((r) => blocker.listen(temporalPort, '127.0.0.1', () => r()));
    try {
      const stack = await launched({ TEMPORAL_DEV_PORT: String(temporalPort) });
      expect(await stack.exit).toBe(1);
      const out = stack.output();
      expect(out).toContain('PostgreSQL: embedded');
      expect(out).toContain(`Temporal dev server cannot listen on 127.0.0.1:${temporalPort}: the port is in use`);
      expect(out).toContain('[tidings] stopped');
      expect(processesOf(stack.dataDir)).toEqual([]);
      expect(await isPortInUse(stack.pgPort)).toBe(false);
    } finally {
      blocker.close();
    }
  }, 120_000);

  it('restarts a killed worker, API and PostgreSQL; gives up after repeated fast crashes and leaves nothing running (D1, D2)', async () => {
    const stack = await launched({ TIDINGS_RESTART_MAX: '3', TIDINGS_RESTART_WINDOW_S: '300' });
    await stack.waitFor(/Press Ctrl-C to stop/);
    const first = stack.pids();
    expect(Object.keys(first).sort()).toEqual(['PostgreSQL', 'Temporal', 'api', 'worker']);

    // D1: kill -9 of the worker restarts only the worker; the new one polls Temporal.
    let mark = stack.output().length;
    process.kill(first.worker, 'SIGKILL');
    const [, workerPid] = await stack.waitFor(/worker restarted \(pid (\d+)\)/, 60_000, mark);
    expect(stack.output().slice(mark)).toContain('worker exited unexpectedly (code 137); restarting in 1.0 s');
    await eventually(async () => (await pollerPids(stack.temporalPort)).includes(Number(workerPid)), 60_000, 'the restarted worker polls Temporal');
    expect(alive(first.api)).toBe(true);
    expect(await stack.ready()).toBe(true);

    // The API too.
    mark = stack.output().length;
    process.kill(first.api, 'SIGKILL');
    await stack.waitFor(/api restarted \(pid \d+\)/, 60_000, mark);
    await eventually(() => stack.ready(), 60_000, 'the restarted API reports ready');

    // D2: SIGKILL of the postmaster: PostgreSQL comes back on its own and the stack is ready again.
    const postmaster = postmasterPid(stack.dataDir);
    mark = stack.output().length;
    process.kill(postmaster, 'SIGKILL');
    await stack.waitFor(/PostgreSQL exited unexpectedly/, 30_000, mark);
    await stack.waitFor(/PostgreSQL restarted \(pid \d+\)/, 60_000, mark);
    expect(postmasterPid(stack.dataDir)).not.toBe(postmaster);
    await eventually(() => stack.ready(), 60_000, 'ready again after PostgreSQL restarted');

    // Two more worker crashes make three within the window: the supervisor gives up cleanly.
    for (let i = 0; i < 2; i++) {
      mark = stack.output().length;
      const current = Number((await pollerPids(stack.temporalPort)).find((pid) => alive(pid)));
      process.kill(current, 'SIGKILL');
      if (i === 0) {
        const [, next] = await stack.waitFor(/worker restarted \(pid (\d+)\)/, 60_000, mark);
        await eventually(async () => (await pollerPids(stack.temporalPort)).includes(Number(next)), 60_000, 'the restarted worker polls');
      }
    }
    expect(await stack.exit).toBe(1);
    expect(stack.output()).toMatch(/worker exited unexpectedly \(code 137\): it crashed 3 times within 300 s, giving up; stopping everything/);
    expect(processesOf(stack.dataDir)).toEqual([]);
  }, 400_000);

  it('kill -TERM to the process group, repeated, stops everything cleanly once (D19)', async () => {
    const stack = await launched();
    await stack.waitFor(/Press Ctrl-C to stop/);
    expect(processesOf(stack.dataDir).length).toBeGreaterThanOrEqual(6); // supervisor, api, worker, 2 watchdogs, postgres, temporal
    // As a terminal, a process manager or `docker stop` does, plus npm's forwarded copy.
    process.kill(-stack.child.pid!, 'SIGTERM');
    await new Promise((r) => setTimeout(r, 150));
    process.kill(-stack.child.pid!, 'SIGTERM');
    expect(await stack.exit).toBe(0);
    const out = stack.output();
    expect(out.match(/\[tidings\] stopping:/g)).toHaveLength(1);
    expect(out).not.toMatch(/forcing exit/);
    expect(out).toContain('[tidings] stopped');
    expect(processesOf(stack.dataDir)).toEqual([]);
  }, 180_000);

  it('a SIGKILLed supervisor orphans nothing: its children notice and stop (D19)', async () => {
    const stack = await launched();
    await stack.waitFor(/Press Ctrl-C to stop/);
    const before = processesOf(stack.dataDir);
    expect(before.length).toBeGreaterThanOrEqual(6);
    process.kill(stack.child.pid!, 'SIGKILL');
    await stack.exit;
    await eventually(() => processesOf(stack.dataDir).length === 0, 30_000, `processes of the killed stack still running: ${processesOf(stack.dataDir).join(', ')}`);
    expect(await isPortInUse(stack.pgPort)).toBe(false);
    expect(await isPortInUse(stack.temporalPort)).toBe(false);
  }, 180_000);
});

describe('shutdown signals (runtime/process-signals.ts)', () => {
  it('treats a repeated signal within the window as the same request, and a later one as force, which runs the kill hook', async () => {
    const script = `
      const { onShutdownSignal } = require(${JSON.stringify(path.resolve(__dirname, '../../runtime/process-signals.ts'))});
      onShutdownSignal(() => new Promise(() => undefined), { repeatWindowMs: 1500, log: (m) => console.log(m), force: () => console.log('force: killing children') });
      console.log('armed');
      setInterval(() => undefined, 1000);
    `;
    const child = spawn(process.execPath, ['-r', path.resolve(__dirname, '../support/swc-register.js'), '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (c) => (out += c));
    const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    await eventually(() => out.includes('armed'), 30_000, 'the script is armed');
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    child.kill('SIGTERM'); // npm's forwarded copy: ignored
    await new Promise((r) => setTimeout(r, 500));
    expect(child.exitCode).toBeNull();
    await new Promise((r) => setTimeout(r, 1200));
    child.kill('SIGTERM'); // a deliberate second request, after the window: force
    expect(await exit).toBe(130);
    expect(out).toContain('SIGTERM again: forcing exit');
    expect(out).toContain('force: killing children');
  }, 60_000);

  it('a forced exit kills every unit at once, binaries under a watchdog included (Supervisor.killAll)', async () => {
    const supervisor = new Supervisor(() => undefined);
    const procs = [
      startManagedProcess('sleep', ['300'], { watchdog: { stopSignal: 'SIGTERM', graceMs: 10_000 } }),
      startManagedProcess(process.execPath, ['-e', 'setInterval(() => undefined, 1000)'], { ipc: true }),
    ];
    procs.forEach((p, i) => supervisor.adopt(`unit${i}`, { pid: p.pid, waitForExit: () => p.waitForExit(), stop: () => p.stop(), kill: () => p.kill() }, async () => { throw new Error('no restart here'); }));
    /** Children of the watchdog (ppid is the 2nd field after the command name in /proc/<pid>/stat). */
    const sleeper = () =>
      fs
        .readdirSync('/proc')
        .filter((e) => /^\d+$/.test(e))
        .filter((pid) => {
          try {
            const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
            return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === procs[0].pid;
          } catch {
            return false;
          }
        })
        .map(Number);
    await eventually(() => sleeper().length === 1, 10_000, 'the watchdog started sleep');
    const sleepPid = sleeper()[0];
    supervisor.killAll();
    await Promise.all(procs.map((p) => p.waitForExit()));
    await eventually(() => !alive(sleepPid), 5_000, 'the binary under the watchdog is killed with its group');
  }, 30_000);
});
