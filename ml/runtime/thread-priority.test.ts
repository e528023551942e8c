import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { currentThreadId, lowerCpuPriority, lowerThreadPriority } from './thread-priority';

// In a child process: a nice value once lowered cannot be raised again without privileges.
function inChild(script: string): Record<string, unknown> {
  const file = path.join(os.tmpdir(), `thread-priority-${process.pid}-${Math.random().toString(36).slice(2)}.js`);
  fs.writeFileSync(file, script);
  try {
    const r = spawnSync(process.execPath, ['-r', path.join(__dirname, '..', '..', 'test', 'support', 'swc-register.js'), file], { encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
  } finally {
    fs.rmSync(file, { force: true });
  }
}

describe('thread priority', () => {
  it("names the calling thread: the main thread's id is the process id", () => {
    expect(currentThreadId()).toBe(process.pid);
  });

  it('lowers one thread only, and the threads that thread starts inherit its value', () => {
    const module = JSON.stringify(path.join(__dirname, 'thread-priority.ts'));
    const result = inChild(`
      const fs = require('fs'); const os = require('os'); const { Worker } = require('worker_threads');
      const nices = () => fs.readdirSync('/proc/self/task').map((t) => os.getPriority(Number(t)));
      const worker = new Worker(\`
        require(${JSON.stringify(path.join(__dirname, '..', '..', 'test', 'support', 'swc-register.js'))});
        const { currentThreadId, lowerThreadPriority } = require(${module});
        const { Worker, parentPort } = require('worker_threads');
        const self = currentThreadId();
        const lowered = lowerThreadPriority(12, [self]);
        const child = new Worker('setTimeout(() => {}, 1000)', { eval: true });
        child.on('online', () => parentPort.postMessage({ self, lowered }));
      \`, { eval: true });
      worker.on('message', (m) => {
        console.log(JSON.stringify({ ...m, pid: process.pid, main: os.getPriority(0), nices: nices() }));
        process.exit(0);
      });
    `);
    expect(result.self).not.toBe(result.pid);
    expect(result.lowered).toBe(1);
    expect(result.main).toBe(0);
    // The worker and the thread it started (plus the V8 and libuv threads each brings) at 12; the rest of the process untouched.
    const nices = result.nices as number[];
    expect(nices.filter((n) => n === 12).length).toBeGreaterThanOrEqual(2);
    expect(nices.filter((n) => n === 0).length).toBeGreaterThanOrEqual(1);
    expect(nices.every((n) => n === 0 || n === 12)).toBe(true);
  });

  it('never raises a thread back, leaves 0 alone, and refuses values that are not nice values', () => {
    expect(lowerThreadPriority(0, [process.pid])).toBe(0);
    for (const bad of [-1, 20, 2.5]) expect(() => lowerThreadPriority(bad, [])).toThrow(RangeError);
  });
});

describe('lowerCpuPriority', () => {
  it('lowers every thread of the process, and threads started later inherit it', () => {
    const result = inChild(`
      const fs = require('fs'); const os = require('os'); const { Worker } = require('worker_threads');
      const { lowerCpuPriority } = require(${JSON.stringify(path.join(__dirname, 'thread-priority.ts'))});
      const nices = () => fs.readdirSync('/proc/self/task').map((t) => os.getPriority(Number(t)));
      const before = nices();
      const lowered = lowerCpuPriority(10);
      const w = new Worker('setTimeout(() => {}, 300)', { eval: true });
      setTimeout(() => { console.log(JSON.stringify({ before, lowered, after: nices(), threads: nices().length })); w.terminate(); }, 150);
    `);
    expect((result.before as number[]).every((n) => n === 0)).toBe(true);
    expect(result.lowered).toBe((result.before as number[]).length);
    expect(result.threads as number).toBeGreaterThan((result.before as number[]).length); // the worker thread's
    expect((result.after as number[]).every((n) => n === 10)).toBe(true);
  });

  it('never raises a priority back, leaves 0 alone, and refuses values that are not nice values', () => {
    const result = inChild(`
      const os = require('os');
      const { lowerCpuPriority } = require(${JSON.stringify(path.join(__dirname, 'thread-priority.ts'))});
      const zero = lowerCpuPriority(0);
      lowerCpuPriority(15);
      const again = lowerCpuPriority(5);
      console.log(JSON.stringify({ zero, again, main: os.getPriority(0) }));
    `);
    expect(result).toEqual({ zero: 0, again: 0, main: 15 });
    for (const bad of [-1, 20, 2.5]) expect(() => lowerCpuPriority(bad)).toThrow(RangeError);
  });
});
