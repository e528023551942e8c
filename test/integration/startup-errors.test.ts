import { loadConfig } from '../../config/config';
import { createLogger } from '../../config/logger';
import { startApiProcess } from '../../runtime/api-process';
import { freePort } from '../../runtime/managed-process';
import { reportFatal, StartupError } from '../../runtime/startup-errors';
import { startWorkerProcess } from '../../runtime/worker-process';
import { LogCapture, testEnv } from '../support/stack';

describe('start-up with a missing dependency', () => {
  const log = createLogger({ level: 'warn', destination: new LogCapture() });
  const config = { ...loadConfig({ NODE_ENV: 'test' }), port: 0 };

  it('the API names an unreachable Temporal, where it looked and how to fix it', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const error = await startApiProcess(config, log, { databaseUrl: testEnv().databaseUrl, temporalAddress: address, fromEnv: true, migrate: false }).catch((e) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect(error.message).toContain(`Temporal is not reachable at ${address}`);
    expect(error.message).toContain('TEMPORAL_ADDRESS');
  });

  it('the worker names an unreachable Temporal too', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const error = await startWorkerProcess(config, log, { databaseUrl: testEnv().databaseUrl, temporalAddress: address, fromEnv: true, migrate: false }).catch((e) => e);
    expect(error).toBeInstanceOf(StartupError);
    expect(error.message).toContain(`Temporal is not reachable at ${address}`);
  });

  it('a fixable start-up error prints one line, no stack trace', () => {
    const lines: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(' '));
    });
    try {
      reportFatal(new StartupError('PostgreSQL is not reachable at postgres://x:***@h:1/db (ECONNREFUSED). Fix it.'));
    } finally {
      spy.mockRestore();
    }
    expect(lines).toEqual(['tidings: PostgreSQL is not reachable at postgres://x:***@h:1/db (ECONNREFUSED). Fix it.']);
  });
});
