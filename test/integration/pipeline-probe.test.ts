import { Role } from '../../entities';
import { createIdentity, type TestIdentity } from '../support/access';
import { startTestStack, subscribe, type TestStack } from '../support/stack';

describe('the first vertical slice: mutation -> workflow -> activity -> query and subscription', () => {
  let stack: TestStack;
  let admin: TestIdentity;
  beforeAll(async () => {
    stack = await startTestStack({ worker: true });
    admin = await createIdentity(stack.api.db, Role.ADMIN);
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('a probe started over HTTP completes in a worker and is announced over WebSocket', async () => {
    const ws = stack.ws(admin.params);
    const sub = subscribe<{ pipelineProbeCompleted: { id: string; status: string } }>(
      ws,
      'subscription { pipelineProbeCompleted { id status completedBy } }',
    );
    // The subscription is live once the server acknowledged the connection.
    await new Promise<void>((resolve) => ws.on('connected', () => resolve()));

    const started = await stack.gql<{ runPipelineProbe: { id: string; status: string; workflowId: string } }>(
      'mutation($note: String) { runPipelineProbe(input: { note: $note }) { id status workflowId } }',
      { note: 'integration' },
      admin.headers,
    );
    expect(started.errors).toBeUndefined();
    const probe = started.data!.runPipelineProbe;
    expect(probe.status).toBe('RUNNING');
    expect(probe.workflowId).toBe(`pipeline-probe-${probe.id}`);

    const event = await sub.next((e) => e.data?.pipelineProbeCompleted.id === probe.id);
    expect(event.data!.pipelineProbeCompleted.status).toBe('COMPLETED');

    const read = await stack.gql<{ pipelineProbe: { status: string; completedBy: string; completedAt: string; note: string } }>(
      'query($id: ID!) { pipelineProbe(id: $id) { status completedBy completedAt note } }',
      { id: probe.id },
      admin.headers,
    );
    expect(read.data!.pipelineProbe).toMatchObject({ status: 'COMPLETED', note: 'integration' });
    expect(read.data!.pipelineProbe.completedBy).toMatch(/:\d+$/);
    expect(Date.parse(read.data!.pipelineProbe.completedAt)).toBeGreaterThan(0);
    sub.dispose();
  });

  it('an unknown probe id reads as null, a malformed one is BAD_USER_INPUT', async () => {
    const missing = await stack.gql<{ pipelineProbe: null }>('query { pipelineProbe(id: "00000000-0000-0000-0000-000000000000") { id } }', undefined, admin.headers);
    expect(missing.data!.pipelineProbe).toBeNull();
    const malformed = await stack.gql('query { pipelineProbe(id: "1; DROP TABLE users") { id } }', undefined, admin.headers);
    expect(malformed.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
  });
});
