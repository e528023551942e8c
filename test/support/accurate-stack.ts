import { Role } from '../../entities';
import { connectTemporalClient, type TemporalClientHandle } from '../../temporal/client';
import { createIdentity, type TestIdentity } from './access';
import { startTestStack, testEnv, type TestStack } from './stack';

export interface AccurateTierStack {
  stack: TestStack;
  temporal: TemporalClientHandle;
  /** A USER identity. */
  user: TestIdentity;
}

/**
 * For a describe block whose worker runs the accurate tier (the encoder weights from the install
 * step, the heads from models/): a test stack with an in-process worker started with
 * TIDINGS_ACCURATE_TIER=on, a Temporal client and a user, set up before its tests and stopped
 * after them. The fields are filled in by the time the first test runs.
 */
export function accurateTierStack(): AccurateTierStack {
  const harness = {} as AccurateTierStack;
  const previous = process.env.TIDINGS_ACCURATE_TIER;
  beforeAll(async () => {
    process.env.TIDINGS_ACCURATE_TIER = 'on'; // read by this process's in-process worker
    harness.stack = await startTestStack({ worker: true });
    harness.temporal = await connectTemporalClient(testEnv().temporalAddress, 'default');
    harness.user = await createIdentity(harness.stack.api.db, Role.USER);
  });
  afterAll(async () => {
    process.env.TIDINGS_ACCURATE_TIER = previous;
    await harness.temporal?.close();
    await harness.stack?.stop();
  });
  return harness;
}
