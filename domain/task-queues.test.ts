import { checkQueueBase, parseQueueKinds, parseTaskQueue, QUEUE_KINDS, siblingQueue, siblingWorkflowQueue, taskQueueNames, TaskQueueError, WORKFLOW_QUEUES, workflowQueue, encoderLaneQueue } from './task-queues';

describe('task queues', () => {
  it('names one queue per kind from the base', () => {
    expect(taskQueueNames('tidings')).toEqual({ ingest: 'tidings-ingest', scoring: 'tidings-scoring', alerts: 'tidings-alerts', batch: 'tidings-batch' });
  });

  it('puts each kind of work on its queue', () => {
    expect(workflowQueue('tidings', 'pollFeedWorkflow')).toBe('tidings-ingest');
    expect(workflowQueue('tidings', { name: 'scoreArticlesWorkflow' })).toBe('tidings-scoring');
    expect(workflowQueue('tidings', 'accurateRescoreWorkflow')).toBe('tidings-scoring');
    expect(workflowQueue('tidings', 'computeSignalsWorkflow')).toBe('tidings-alerts');
    expect(workflowQueue('tidings', 'deliverWebhookEventWorkflow')).toBe('tidings-alerts');
    expect(workflowQueue('tidings', 'parameterSweepWorkflow')).toBe('tidings-batch');
    expect(workflowQueue('tidings', 'replaySignalsWorkflow')).toBe('tidings-batch');
    expect(new Set(Object.values(WORKFLOW_QUEUES))).toEqual(new Set(QUEUE_KINDS));
  });

  it('refuses a workflow without a queue', () => {
    expect(() => workflowQueue('tidings', { name: 'unknownWorkflow' })).toThrow(TaskQueueError);
  });

  it('finds the sibling queue of a kind from a workflow or activity queue', () => {
    expect(parseTaskQueue('tidings-scoring')).toEqual({ base: 'tidings', kind: 'scoring' });
    expect(parseTaskQueue('test-0b7e-alerts')).toEqual({ base: 'test-0b7e', kind: 'alerts' });
    expect(siblingQueue('tidings-scoring', 'alerts')).toBe('tidings-alerts');
    expect(siblingWorkflowQueue('t-1-ingest', 'scoreArticlesWorkflow')).toBe('t-1-scoring');
    // A queue outside the split (one queue for everything) keeps its children on itself.
    expect(parseTaskQueue('single')).toBeNull();
    expect(siblingWorkflowQueue('single', 'computeSignalsWorkflow')).toBe('single');
  });

  it('parses the served set from env or flag', () => {
    expect(parseQueueKinds(undefined)).toEqual([...QUEUE_KINDS]);
    expect(parseQueueKinds(' ')).toEqual([...QUEUE_KINDS]);
    expect(parseQueueKinds('ALL')).toEqual([...QUEUE_KINDS]);
    expect(parseQueueKinds('alerts, ingest')).toEqual(['alerts', 'ingest']);
    expect(() => parseQueueKinds('alerts,webhooks')).toThrow(/unknown task queue "webhooks".*ingest, scoring, alerts, batch/);
    expect(() => parseQueueKinds('batch,batch')).toThrow(/named twice/);
    expect(() => parseQueueKinds('batch,')).toThrow(/unknown task queue ""/);
  });

  it("sends the accurate tier's encoder activities to the scoring queue's lane, and keeps them elsewhere on their own queue", () => {
    expect(encoderLaneQueue('tidings-scoring')).toBe('tidings-scoring-encoder');
    expect(encoderLaneQueue('tidings-batch')).toBe('tidings-batch');
    expect(encoderLaneQueue('single')).toBe('single');
    // The lane is not a kind of its own: it is served with scoring, and nothing is started there.
    expect(parseTaskQueue('tidings-scoring-encoder')).toBeNull();
  });

  it('refuses a base that already ends in a kind', () => {
    expect(checkQueueBase('tidings')).toBe('tidings');
    expect(() => checkQueueBase('tidings-batch')).toThrow(TaskQueueError);
    expect(() => checkQueueBase('')).toThrow(TaskQueueError);
  });
});
