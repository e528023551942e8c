/** `npm run start:api`: one API process against an existing PostgreSQL and Temporal. */
import 'reflect-metadata';
import { loadConfig } from '../config/config';
import { createLogger } from '../config/logger';
import { startApiProcess } from './api-process';
import { exitWithParent, onShutdownSignal } from './process-signals';
import { reportFatal, StartupError } from './startup-errors';

async function main(): Promise<void> {
  // Under `npm start`: never outlive the supervisor, not even while still starting.
  let shutdown: ((reason: 'parent-gone') => void) | undefined;
  exitWithParent(() => (shutdown ? shutdown('parent-gone') : process.exit(1)));
  const config = loadConfig();
  if (!config.databaseUrl) throw new StartupError('DATABASE_URL is not set: the API alone needs an existing PostgreSQL (or run `npm start` for the whole stack)');
  if (!config.temporalAddress) throw new StartupError('TEMPORAL_ADDRESS is not set: the API alone needs an existing Temporal server (or run `npm start` for the whole stack)');
  const log = createLogger({ level: config.logLevel, name: 'tidings-api' });
  const api = await startApiProcess(config, log, {
    databaseUrl: config.databaseUrl,
    temporalAddress: config.temporalAddress,
    fromEnv: process.env.TIDINGS_MANAGED !== '1',
    migrate: process.env.TIDINGS_SKIP_MIGRATIONS !== '1',
  });
  log.info({ graphqlUrl: api.server.graphqlUrl }, 'api listening');
  shutdown = onShutdownSignal(async () => {
    log.info('api stopping');
    await api.stop();
  });
}

main().catch((err) => {
  reportFatal(err, 'tidings-api');
  process.exit(1);
});
