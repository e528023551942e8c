/**
 * A real worker in its own process, for tests that kill it (SIGKILL) mid-activity.
 * Env: TEST_DATABASE_URL, TEST_TEMPORAL_ADDRESS, TEST_WORKFLOW_BUNDLE, TASK_QUEUE.
 */
import 'reflect-metadata';
import { loadConfig } from '../../config/config';
import { createLogger } from '../../config/logger';
import { startWorkerProcess } from '../../runtime/worker-process';

/** Config variables the parent test chose for this child (TEST_CHILD_CONFIG_ENV, JSON). */
function childConfigEnv(): Record<string, string> {
  return JSON.parse(process.env.TEST_CHILD_CONFIG_ENV ?? '{}') as Record<string, string>;
}

async function main() {
  const config = { ...loadConfig({ NODE_ENV: 'test', ...childConfigEnv() }), taskQueue: process.env.TASK_QUEUE! };
  const log = createLogger({ level: 'warn', name: 'worker-child' });
  const worker = await startWorkerProcess(config, log, {
    databaseUrl: process.env.TEST_DATABASE_URL!,
    temporalAddress: process.env.TEST_TEMPORAL_ADDRESS!,
    workflowBundlePath: process.env.TEST_WORKFLOW_BUNDLE,
    fromEnv: true,
    migrate: false,
  });
  process.stdout.write('worker-ready\n');
  process.on('SIGTERM', () => void worker.stop().then(() => process.exit(0)));
  await worker.done;
}

main().catch((err) => {
  process.stderr.write(`worker-child failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
