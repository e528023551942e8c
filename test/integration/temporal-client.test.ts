/**
 * The API's Temporal client leaves promise hooks off (issue 14): Connection.connect() checks the
 * server inside an AsyncLocalStorage context, which on Node 20 switches on promise hooks for the
 * whole process, and connectTemporalClient switches that storage off again. The client must work
 * as before: workflows start and are described, and an explicit deadline still applies.
 */
import { randomUUID } from 'node:crypto';
import { connectTemporalClient, type TemporalClientHandle } from '../../temporal/client';
import { testEnv } from '../support/stack';

describe('connectTemporalClient', () => {
  let temporal: TemporalClientHandle;
  beforeAll(async () => {
    temporal = await connectTemporalClient(testEnv().temporalAddress, 'default');
  });
  afterAll(async () => {
    await temporal.close();
  });

  it('leaves the connection context storage (and with it the process-wide promise hooks) off', () => {
    // Node 20's AsyncLocalStorage keeps this flag; the hooks run while any instance is enabled.
    expect((temporal.connection.callContextStorage as unknown as { enabled: boolean }).enabled).toBe(false);
    expect(temporal.connection.callContextStorage.getStore()).toBeUndefined();
  });

  it('still starts and describes workflows, and honours an explicit deadline', async () => {
    const workflowId = `temporal-client-test-${randomUUID()}`;
    const handle = await temporal.client.workflow.start('noSuchWorkflowType', { taskQueue: `tq-${randomUUID()}`, workflowId });
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await handle.terminate('test over');
    expect((await handle.describe()).status.name).toBe('TERMINATED');
    await expect(temporal.connection.withDeadline(Date.now() - 1, () => temporal.connection.workflowService.getSystemInfo({}))).rejects.toThrow(/deadline/i);
  });
});
