import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';

const { completePipelineProbe } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 5 },
});

/** API -> Temporal -> worker -> PostgreSQL -> NOTIFY -> subscribers, end to end. */
export async function pipelineProbeWorkflow(probeId: string): Promise<void> {
  await completePipelineProbe(probeId);
}
