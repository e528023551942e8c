import { startWorkerProcess, type RunningWorker } from '../../runtime/worker-process';
import { startTestStack, testEnv, type TestStack } from '../support/stack';
import { taskQueueName } from '../../domain/task-queues';

/**
 * Issue 24: /ready?deep tells the truth about the workers. It asks Temporal who polls the task
 * queue; when the worker is gone it turns 503 and names the parts that are down (ingestion,
 * scoring), while plain /ready (the API's own probe) stays 200 so the dashboard can say so. A new
 * worker brings it back. Temporal's long poll is ~60 s, so a dead worker is noticed within the
 * poller max age (75 s by default).
 */
describe('/ready?deep reflects whether a worker polls the task queues', () => {
  let stack: TestStack;
  let replacement: RunningWorker | undefined;

  beforeAll(async () => {
    stack = await startTestStack({ worker: true });
  });
  afterAll(async () => {
    await replacement?.stop();
    await stack.stop();
  });

  type Deep = { ready: boolean; missing: string[]; checks: { workers: Record<string, { ok: boolean; reason?: string; taskQueue: string }> } };
  const deep = async () => {
    const res = await fetch(`${stack.api.server.url}/ready?deep`);
    return { status: res.status, body: (await res.json()) as Deep };
  };
  const waitFor = async (want: number, withinMs: number) => {
    const started = Date.now();
    for (;;) {
      const r = await deep();
      if (r.status === want) return { ...r, afterMs: Date.now() - started };
      if (Date.now() - started > withinMs) throw new Error(`/ready?deep stayed ${r.status} for ${withinMs} ms: ${JSON.stringify(r.body)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  it('is 200 with a worker, 503 naming ingestion and scoring after the worker dies, and 200 again with a new worker', async () => {
    const up = await waitFor(200, 30_000);
    expect(up.body.checks.workers.ingestion).toMatchObject({ ok: true, taskQueue: taskQueueName(stack.config.taskQueue, 'ingest') });
    expect(up.body.checks.workers.scoring.ok).toBe(true);

    await stack.worker!.stop();
    const down = await waitFor(503, 120_000);
    expect(down.body.ready).toBe(false);
    expect(down.body.missing).toEqual([expect.stringMatching(/^ingestion: no worker polled task queue/), expect.stringMatching(/^scoring: no worker polled task queue/)]);
    expect(down.body.checks.workers.ingestion.reason).toContain(taskQueueName(stack.config.taskQueue, 'ingest'));
    // The API itself is fine: its own probe stays 200 so the dashboard can show the banner.
    expect((await fetch(`${stack.api.server.url}/ready`)).status).toBe(200);
    console.log(`/ready?deep went 503 ${down.afterMs} ms after the worker stopped`);

    const env = testEnv();
    replacement = await startWorkerProcess(stack.config, stack.log, {
      databaseUrl: env.databaseUrl,
      temporalAddress: env.temporalAddress,
      fromEnv: true,
      migrate: false,
      workflowBundlePath: env.workflowBundlePath,
    });
    const back = await waitFor(200, 30_000);
    expect(back.body.missing).toEqual([]);
    console.log(`/ready?deep back to 200 ${back.afterMs} ms after a new worker started`);
  }, 300_000);
});
