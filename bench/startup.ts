/**
 * `npm run bench -- startup`: seconds from `npm start` to `/ready` answering 200, first on a
 * fresh data directory (cold: initdb, migrations, new Temporal database) and then again on the
 * same one (warm). Ports are picked free so it can run beside a developer's own `npm start`.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../config/paths';
import { freePort } from '../runtime/managed-process';

async function timeStart(env: NodeJS.ProcessEnv, port: number): Promise<number> {
  const started = performance.now();
  const child = spawn('npm', ['start', '--silent'], { cwd: repoRoot(), env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  try {
    for (;;) {
      if (exited) throw new Error(`npm start exited before it was ready:\n${output.slice(-2000)}`);
      if (performance.now() - started > 180_000) throw new Error(`not ready after 180 s:\n${output.slice(-2000)}`);
      try {
        if ((await fetch(`http://127.0.0.1:${port}/ready`)).ok) break;
      } catch {
        /* not listening yet */
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return (performance.now() - started) / 1000;
  } finally {
    if (!exited) process.kill(-child.pid!, 'SIGINT');
    await exit;
  }
}

export default async function startupBench(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-bench-startup-'));
  fs.chmodSync(dataDir, 0o755);
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: '',
    TEMPORAL_ADDRESS: '',
    TIDINGS_DATA_DIR: dataDir,
    PORT: String(port),
    EMBEDDED_PG_PORT: String(await freePort()),
    TEMPORAL_DEV_PORT: String(await freePort()),
    TEMPORAL_UI_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
  };
  try {
    const cold = await timeStart(env, port);
    console.log(`cold start (fresh data dir ${dataDir}): ${cold.toFixed(2)} s`);
    const warm = await timeStart(env, port);
    console.log(`warm start (same data dir): ${warm.toFixed(2)} s`);
    console.log(`targets: cold < 30 s, warm < 10 s`);
    console.log(`startup_cold_s=${cold.toFixed(2)} startup_warm_s=${warm.toFixed(2)}`);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
