/**
 * The API's Temporal client leaves promise hooks off between calls (issue 14): the connection
 * runs each namespaced call inside an AsyncLocalStorage context, which on Node 20 switches on
 * promise hooks for the whole process, and connectTemporalClient switches that storage off
 * whenever no call is under way. The client must work as before: workflows start and are
 * described, and a deadline still applies to calls made after an await inside its scope.
 */
import { randomUUID } from 'node:crypto';
import { connectTemporalClient, type TemporalClientHandle } from '../../temporal/client';
import { testEnv } from '../support/stack';

/** Node 20's AsyncLocalStorage keeps this flag; the hooks run while any instance is enabled. */
const enabled = (t: TemporalClientHandle) => (t.connection.callContextStorage as unknown as { enabled: boolean }).enabled;

describe('connectTemporalClient', () => {
  let temporal: TemporalClientHandle;
  beforeAll(async () => {
    temporal = await connectTemporalClient(testEnv().temporalAddress, 'default');
  });
  afterAll(async () => {
    await temporal.close();
  });

  it('leaves the connection context storage (and with it the process-wide promise hooks) off between calls', async () => {
    expect(enabled(temporal)).toBe(false);
    expect(temporal.connection.callContextStorage.getStore()).toBeUndefined();
    const call = temporal.connection.workflowService.describeNamespace({ namespace: 'default' });
    expect(enabled(temporal)).toBe(true); // while the call is under way
    await call;
    await new Promise((r) => setImmediate(r));
    expect(enabled(temporal)).toBe(false);
    await Promise.all([1, 2, 3].map(() => temporal.connection.workflowService.describeNamespace({ namespace: 'default' })));
    await new Promise((r) => setImmediate(r));
    expect(enabled(temporal)).toBe(false);
  });

  it('still starts and describes workflows, and honours an explicit deadline', async () => {
    const workflowId = `temporal-client-test-${randomUUID()}`;
    const handle = await temporal.client.workflow.start('noSuchWorkflowType', { taskQueue: `tq-${randomUUID()}`, workflowId });
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await handle.terminate('test over');
    expect((await handle.describe()).status.name).toBe('TERMINATED');
    await expect(temporal.connection.withDeadline(Date.now() - 1, () => temporal.connection.workflowService.getSystemInfo({}))).rejects.toThrow(/deadline/i);
    // The deadline and metadata still reach a call made after an await inside their scope.
    const late = temporal.connection.withDeadline(Date.now() + 50, async () => {
      await new Promise((r) => setTimeout(r, 100));
      return temporal.connection.workflowService.describeNamespace({ namespace: 'default' });
    });
    await expect(late).rejects.toThrow(/deadline/i);
    await new Promise((r) => setImmediate(r));
    expect(enabled(temporal)).toBe(false);
  });
});
