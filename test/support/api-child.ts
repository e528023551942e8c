/**
 * A real API server in its own process (a second replica), for tests of cross-process events.
 * Env: TEST_DATABASE_URL, TEST_TEMPORAL_ADDRESS, TASK_QUEUE. Prints `api-ready <graphql url>`.
 */
import 'reflect-metadata';
import { loadConfig } from '../../config/config';
import { createLogger } from '../../config/logger';
import { startApiProcess } from '../../runtime/api-process';

/** Config variables the parent test chose for this child (TEST_CHILD_CONFIG_ENV, JSON). */
function childConfigEnv(): Record<string, string> {
  return JSON.parse(process.env.TEST_CHILD_CONFIG_ENV ?? '{}') as Record<string, string>;
}

async function main() {
  const config = { ...loadConfig({ NODE_ENV: 'test', ...childConfigEnv() }), port: 0, host: '127.0.0.1', taskQueue: process.env.TASK_QUEUE! };
  const api = await startApiProcess(config, createLogger({ level: 'warn', name: 'api-child' }), {
    databaseUrl: process.env.TEST_DATABASE_URL!,
    temporalAddress: process.env.TEST_TEMPORAL_ADDRESS!,
    fromEnv: true,
    migrate: false,
  });
  process.stdout.write(`api-ready ${api.server.graphqlUrl}\n`);
  process.on('SIGTERM', () => void api.stop().then(() => process.exit(0)));
}

main().catch((err) => {
  process.stderr.write(`api-child failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
