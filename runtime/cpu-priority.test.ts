import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lowerCpuPriority } from './cpu-priority';

describe('lowerCpuPriority', () => {
  // In a child process: a nice value once raised cannot be lowered again without privileges.
  const inChild = (script: string) => {
    const file = path.join(os.tmpdir(), `cpu-priority-${process.pid}-${Math.random().toString(36).slice(2)}.js`);
    fs.writeFileSync(file, script);
    try {
      const r = spawnSync(process.execPath, ['-r', path.join(__dirname, '..', 'test', 'support', 'swc-register.js'), file], { encoding: 'utf8', timeout: 30_000 });
      if (r.status !== 0) throw new Error(r.stderr);
      return JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    } finally {
      fs.rmSync(file, { force: true });
    }
  };

  it('lowers every thread of the process, and threads started later inherit it', () => {
    const result = inChild(`
      const fs = require('fs'); const os = require('os'); const { Worker } = require('worker_threads');
      const { lowerCpuPriority } = require(${JSON.stringify(path.join(__dirname, 'cpu-priority.ts'))});
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
      const { lowerCpuPriority } = require(${JSON.stringify(path.join(__dirname, 'cpu-priority.ts'))});
      const zero = lowerCpuPriority(0);
      lowerCpuPriority(15);
      const again = lowerCpuPriority(5);
      console.log(JSON.stringify({ zero, again, main: os.getPriority(0) }));
    `);
    expect(result).toEqual({ zero: 0, again: 0, main: 15 });
    for (const bad of [-1, 20, 2.5]) expect(() => lowerCpuPriority(bad)).toThrow(RangeError);
  });
});
