/**
 * PostgreSQL and Temporal for a benchmark: DATABASE_URL / TEMPORAL_ADDRESS when set, else a
 * fresh embedded PostgreSQL and an in-memory Temporal dev server in a temp dir, migrated.
 * (Files starting with "_" are helpers, not benchmarks, for bench/run.ts.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDataSource } from '../db/data-source';
import { runMigrations } from '../db/migrate';
import { startEmbeddedPostgres } from '../runtime/embedded-postgres';
import { freePort } from '../runtime/managed-process';
import { startTemporalDevServer } from '../runtime/temporal-dev-server';

export interface BenchInfra {
  databaseUrl: string;
  temporalAddress: string;
  workDir: string;
  stop(): Promise<void>;
}

export async function startBenchInfra(name: string): Promise<BenchInfra> {
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `tidings-bench-${name}-`));
  fs.chmodSync(workDir, 0o755);
  const stops: Array<() => Promise<void>> = [async () => fs.rmSync(workDir, { recursive: true, force: true })];
  const [databaseUrl, temporalAddress] = await Promise.all([
    (async () => {
      if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
      const pg = await startEmbeddedPostgres({ dataDir: path.join(workDir, 'postgres'), port: await freePort() });
      stops.unshift(() => pg.stop());
      return pg.url;
    })(),
    (async () => {
      if (process.env.TEMPORAL_ADDRESS) return process.env.TEMPORAL_ADDRESS;
      const t = await startTemporalDevServer({ port: await freePort(), headless: true, cliPath: process.env.TEMPORAL_CLI_PATH });
      stops.unshift(() => t.stop());
      return t.address;
    })(),
  ]);
  const db = createDataSource(databaseUrl, { poolSize: 2 });
  await db.initialize();
  await runMigrations(db);
  await db.destroy();
  return {
    databaseUrl,
    temporalAddress,
    workDir,
    async stop() {
      for (const stop of stops) await stop().catch(() => undefined);
    },
  };
}

/**
 * A worker process (dist/runtime/worker-main.js) with this environment, resolved once it logs
 * `worker running`; its output after that is drained, not kept. BENCH_CPU_PROF_DIR=<dir>: V8 CPU
 * profiles of its threads, written when it stops (Node refuses --cpu-prof in NODE_OPTIONS).
 */
export function startBenchWorker(env: NodeJS.ProcessEnv, readyTimeoutMs = 120_000): Promise<ChildProcess> {
  const profile = process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [];
  const child = spawn(process.execPath, [...profile, path.join(__dirname, '..', 'runtime', 'worker-main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker not ready in ${readyTimeoutMs / 1000} s:\n${out}`)), readyTimeoutMs);
    const onData = (c: Buffer) => {
      out += c;
      if (out.includes('worker running')) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.stdout!.resume();
        child.stderr!.resume();
        resolve(child);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c) => (out += c));
    child.once('exit', (code) => reject(new Error(`worker exited (${code}):\n${out.slice(-4000)}`)));
  });
}
