/**
 * Issue 24: the dashboard says so while ingestion or scoring is down. A stack with no worker on
 * its task queue shows the banner on every page (read from /ready?deep); once a worker polls the
 * queue, the banner goes away on its own (the app re-checks every 10 s). Real Chromium.
 */
import type { Browser } from 'playwright-core';
import { Role } from '../../entities';
import { startWorkerProcess, type RunningWorker } from '../../runtime/worker-process';
import { createIdentity, type TestIdentity } from '../support/access';
import { launchChromium } from '../support/browser';
import { startTestStack, testEnv, type TestStack } from '../support/stack';
import { taskQueueName } from '../../domain/task-queues';

jest.setTimeout(180_000);

describe('dashboard banner while the pipeline is down', () => {
  let stack: TestStack;
  let browser: Browser;
  let user: TestIdentity;
  let worker: RunningWorker | undefined;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([startTestStack({ worker: false }), launchChromium()]);
    user = await createIdentity(stack.api.db, Role.USER);
  });
  afterAll(async () => {
    await browser?.close();
    await worker?.stop();
    await stack?.stop();
  });

  it('shows which parts are down without a worker, and clears once a worker polls', async () => {
    const base = stack.graphqlUrl.replace(/\/graphql$/, '');
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.fill('input[name=apiKey]', user.key);
    await page.click('button[type=submit]');
    const banner = page.getByTestId('pipeline-banner');
    await banner.waitFor({ state: 'visible', timeout: 20_000 });
    expect(await banner.textContent()).toContain('ingestion and scoring down');
    expect(await banner.textContent()).toContain(`no worker polled task queue '${taskQueueName(stack.config.taskQueue, 'ingest')}'`);

    const env = testEnv();
    worker = await startWorkerProcess(stack.config, stack.log, { databaseUrl: env.databaseUrl, temporalAddress: env.temporalAddress, fromEnv: true, migrate: false, workflowBundlePath: env.workflowBundlePath });
    await banner.waitFor({ state: 'detached', timeout: 30_000 });
    await context.close();
  });
});
