/**
 * Integration tests run against a real PostgreSQL (embedded, fresh data dir per run) and a real
 * Temporal dev server (in memory), started once here. Their addresses reach the test files
 * through the environment; the workflow bundle is built once and shared.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../runtime/embedded-postgres';
import { freePort } from '../runtime/managed-process';
import { startTemporalDevServer } from '../runtime/temporal-dev-server';
import { buildWorkflowBundle } from '../temporal/worker';
import { createDataSource } from '../db/data-source';
import { runMigrations } from '../db/migrate';

/** The browser tests load the built dashboard (dist/web): build it when its inputs changed. */
function buildDashboardIfChanged(): Promise<void> {
  const script = path.join(__dirname, '..', 'web', 'scripts', 'build.cjs');
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [script, '--if-changed'], { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`npm run build:web failed:\n${stdout}${stderr}`));
      else resolve();
    });
  });
}

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-test-'));
  fs.chmodSync(workDir, 0o755); // the embedded server runs as `postgres` when we are root
  const bundlePath = path.join(workDir, 'workflow-bundle.js');
  const [pgPort, temporalPort] = [await freePort(), await freePort()];
  const [postgres, temporal] = await Promise.all([
    startEmbeddedPostgres({ dataDir: path.join(workDir, 'postgres'), port: pgPort }),
    startTemporalDevServer({ port: temporalPort, headless: true, cliPath: process.env.TEMPORAL_CLI_PATH }),
    buildWorkflowBundle(bundlePath),
    buildDashboardIfChanged(),
  ]);
  const db = createDataSource(postgres.url);
  await db.initialize();
  await runMigrations(db);
  await db.destroy();

  process.env.TEST_DATABASE_URL = postgres.url;
  process.env.TEST_TEMPORAL_ADDRESS = temporal.address;
  process.env.TEST_WORKFLOW_BUNDLE = bundlePath;
  process.env.LOG_LEVEL = process.env.LOG_LEVEL ?? 'warn';
  // Workers re-score with the accurate (encoder) tier in the background only in the tests that
  // turn it on: elsewhere a late second score would race assertions about the fast one.
  process.env.TIDINGS_ACCURATE_TIER = process.env.TIDINGS_ACCURATE_TIER ?? 'off';
  // Likewise a universe change re-tags every stored article, rewriting the article_tickers rows other
  // test files wrote by hand: only ticker-universe.test.ts turns it on, for its own API.
  process.env.TIDINGS_RETAG_ON_UNIVERSE_CHANGE = process.env.TIDINGS_RETAG_ON_UNIVERSE_CHANGE ?? 'off';
  (globalThis as Record<string, unknown>).__TIDINGS_TEST__ = { postgres, temporal, workDir };
  process.stdout.write(`\n[test setup] PostgreSQL and Temporal dev server ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
