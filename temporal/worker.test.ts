import { DEFAULT_QUEUE_CONCURRENCY } from '../config/config';
import { workflowTaskPolling } from './worker';

/** The SDK's split: the queue itself gets floor(polls x ratio) pollers (at least 1), the sticky queue the rest (at least 1). */
function split(polls: number, ratio: number): { queue: number; sticky: number } {
  const queue = Math.max(1, Math.floor(polls * ratio));
  return { queue, sticky: Math.max(1, polls - queue) };
}

describe('workflowTaskPolling', () => {
  it('gives the queue itself and the sticky queue half the pollers each on every default live queue', () => {
    for (const kind of ['ingest', 'scoring', 'alerts'] as const) {
      const { workflowTaskPollerBehavior, nonStickyToStickyPollRatio } = workflowTaskPolling(DEFAULT_QUEUE_CONCURRENCY[kind].maxConcurrentWorkflowTasks);
      const { queue, sticky } = split(workflowTaskPollerBehavior.maximum, nonStickyToStickyPollRatio);
      // A single sticky poller is what let a sticky backlog hold back new workflows' first tasks.
      expect(sticky).toBeGreaterThanOrEqual(5);
      expect(queue).toBe(sticky);
    }
  });

  it('never polls for more tasks than the slots, and never fewer than the 2 the sticky cache needs', () => {
    expect(workflowTaskPolling(50).workflowTaskPollerBehavior.maximum).toBe(20);
    expect(workflowTaskPolling(4).workflowTaskPollerBehavior.maximum).toBe(4);
    expect(workflowTaskPolling(1).workflowTaskPollerBehavior.maximum).toBe(2);
  });
});
