import { randomUUID } from 'node:crypto';
import type { DeliveryOutcome } from '../../contracts';
import { loadConfig } from '../../config/config';
import { createLogger } from '../../config/logger';
import { generateWebhookSecret } from '../../domain/webhooks';
import { Role } from '../../entities';
import { EventHub } from '../../events/event-hub';
import { UserService } from '../../services/user.service';
import { LOCAL_FEEDS_ENV } from '../support/feed-fixtures';
import { startReceiver, type Receiver } from '../support/webhook-receiver';
import { startWorkerHarness, type WorkerHarness } from '../support/worker-harness';
import { workflowQueue } from '../../domain/task-queues';

describe('deliverWebhookEventWorkflow gives up at the maximum age', () => {
  const config = { ...loadConfig({ NODE_ENV: 'test', ...LOCAL_FEEDS_ENV }), taskQueue: `test-${randomUUID()}` };
  let harness: WorkerHarness;
  let receiver: Receiver;

  beforeAll(async () => {
    harness = await startWorkerHarness(config, createLogger({ level: 'warn' }), new EventHub());
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await harness.stop();
    await receiver.close();
  });

  it('a receiver that always answers 500 is retried with backoff until maxAgeMs, then the delivery fails and counts against the endpoint', async () => {
    const { db, temporal } = harness;
    const user = await new UserService(db).create(`give-up-${randomUUID()}@example.test`, `pw-${randomUUID()}`, Role.USER);
    const secret = generateWebhookSecret();
    receiver.setSecret('/down', secret);
    receiver.behave('/down', () => ({ status: 500 }));
    const [endpoint] = await db.query(`INSERT INTO webhook_endpoints (owner_id, url, secret) VALUES ($1, $2, $3) RETURNING id`, [user.id, receiver.url('/down'), secret]);
    const [delivery] = await db.query(
      `INSERT INTO webhook_deliveries (endpoint_id, event_type, event_key, payload) VALUES ($1, 'signal.created', $2, '{"ticker":"GIVEUP"}') RETURNING id`,
      [endpoint.id, `signal:${randomUUID()}`],
    );
    // The production policy scaled down: 24 h becomes 4 s, 10 s / 1 h backoff becomes 250 ms / 1 s.
    const retry = { initialIntervalMs: 250, maxIntervalMs: 1000, maxAgeMs: 4000, attemptTimeoutMs: 1000 };
    const started = Date.now();
    const outcomes = (await temporal.client.workflow.execute('deliverWebhookEventWorkflow', {
      taskQueue: workflowQueue(config.taskQueue, 'deliverWebhookEventWorkflow'),
      workflowId: `webhook-event-${randomUUID()}`,
      args: [{ deliveryIds: [delivery.id], retry }],
    })) as Record<string, DeliveryOutcome>;
    const outcome = outcomes[delivery.id];
    const elapsed = Date.now() - started;
    expect(outcome.status).toBe('FAILED');
    expect(elapsed).toBeGreaterThanOrEqual(2500);
    expect(elapsed).toBeLessThan(15_000);
    const got = receiver.on('/down');
    expect(got.length).toBeGreaterThanOrEqual(3);
    expect(got.every((r) => r.verified && r.deliveryId === delivery.id)).toBe(true);
    // Exponential: each wait at least as long as the one before (within scheduling noise), capped at 1 s.
    const gaps = got.slice(1).map((r, i) => r.at - got[i].at);
    expect(gaps[0]).toBeGreaterThanOrEqual(200);
    expect(gaps[gaps.length - 1]).toBeGreaterThanOrEqual(gaps[0]);
    const [row] = await db.query('SELECT status, attempts, last_status_code, completed_at FROM webhook_deliveries WHERE id = $1', [delivery.id]);
    expect(row).toMatchObject({ status: 'FAILED', attempts: got.length, last_status_code: 500 });
    expect(row.completed_at).not.toBeNull();
    const [ep] = await db.query('SELECT enabled, consecutive_failures, last_failure_at FROM webhook_endpoints WHERE id = $1', [endpoint.id]);
    expect(ep).toMatchObject({ enabled: true, consecutive_failures: 1 });
    const attempts = await db.query('SELECT attempt, status_code FROM webhook_delivery_attempts WHERE delivery_id = $1 ORDER BY attempt', [delivery.id]);
    expect(attempts.map((a: { attempt: number }) => a.attempt)).toEqual(got.map((_, i) => i + 1));
  });
});
