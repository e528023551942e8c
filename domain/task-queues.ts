/**
 * Task queues per kind of work, so that a 500-configuration sweep never waits in front of a
 * trader's alert. Every queue is named `<base>-<kind>` from one base (TEMPORAL_TASK_QUEUE,
 * default `tidings`): `tidings-ingest`, `tidings-scoring`, `tidings-alerts`, `tidings-batch`.
 *
 * Pure and deterministic: workflows use it to send child workflows to the right queue (from
 * their own queue's name), services and activities to start workflows there.
 */

export const QUEUE_KINDS = ['ingest', 'scoring', 'alerts', 'batch'] as const;
export type QueueKind = (typeof QUEUE_KINDS)[number];

/**
 * Where each workflow runs (its activities run on the same queue). One table, so a new
 * workflow that is missing here fails its type check in queueOfWorkflow's callers' tests.
 *  - ingest: poll, parse and store (feeds, prices) and the pipeline probe that follows an article in;
 *  - scoring: the fast tier, then the accurate tier;
 *  - alerts: signals, webhooks and operator alerts;
 *  - batch: backtests, sweeps, walk-forward, replays and re-scoring backfills.
 */
export const WORKFLOW_QUEUES = {
  pollFeedWorkflow: 'ingest',
  fetchPricesWorkflow: 'ingest',
  pipelineProbeWorkflow: 'ingest',
  scoreArticlesWorkflow: 'scoring',
  accurateRescoreWorkflow: 'scoring',
  computeSignalsWorkflow: 'alerts',
  recomputeFollowedSignalsWorkflow: 'alerts',
  deliverWebhookEventWorkflow: 'alerts',
  backtestWorkflow: 'batch',
  replaySignalsWorkflow: 'batch',
  parameterSweepWorkflow: 'batch',
  sweepConfigWorkflow: 'batch',
  walkForwardWorkflow: 'batch',
  backfillSentimentWorkflow: 'batch',
  backfillEmotionsWorkflow: 'batch',
  portfolioBacktestWorkflow: 'batch',
  retagArticlesWorkflow: 'batch',
} as const satisfies Record<string, QueueKind>;
export type WorkflowName = keyof typeof WORKFLOW_QUEUES;

export class TaskQueueError extends Error {}

export function isQueueKind(value: string): value is QueueKind {
  return (QUEUE_KINDS as readonly string[]).includes(value);
}

/** `tidings` + `alerts` -> `tidings-alerts`. */
export function taskQueueName(base: string, kind: QueueKind): string {
  return `${base}-${kind}`;
}

/** All four queue names of a base, by kind. */
export function taskQueueNames(base: string): Record<QueueKind, string> {
  return Object.fromEntries(QUEUE_KINDS.map((k) => [k, taskQueueName(base, k)])) as Record<QueueKind, string>;
}

/** The kind a queue name ends in, with its base; null for a queue outside the split (one queue for everything). */
export function parseTaskQueue(name: string): { base: string; kind: QueueKind } | null {
  const dash = name.lastIndexOf('-');
  if (dash <= 0) return null;
  const kind = name.slice(dash + 1);
  return isQueueKind(kind) ? { base: name.slice(0, dash), kind } : null;
}

/**
 * The queue of kind `kind` beside `current` (a workflow's or activity's own queue). A queue that
 * is not one of the split ones (a test's single queue) keeps everything on itself.
 */
export function siblingQueue(current: string, kind: QueueKind): string {
  const parsed = parseTaskQueue(current);
  return parsed ? taskQueueName(parsed.base, kind) : current;
}

function kindOfWorkflow(workflow: WorkflowName | { name: string }): QueueKind {
  const name = typeof workflow === 'string' ? workflow : workflow.name;
  const kind = (WORKFLOW_QUEUES as Record<string, QueueKind | undefined>)[name];
  if (!kind) throw new TaskQueueError(`no task queue is assigned to workflow ${name} (domain/task-queues.ts WORKFLOW_QUEUES)`);
  return kind;
}

/** The queue a service starts `workflow` on, from the base name (config.taskQueue). */
export function workflowQueue(base: string, workflow: WorkflowName | { name: string }): string {
  return taskQueueName(base, kindOfWorkflow(workflow));
}

/** The queue a workflow or activity running on `current` starts `workflow` on (a child, a delivery). */
export function siblingWorkflowQueue(current: string, workflow: WorkflowName | { name: string }): string {
  return siblingQueue(current, kindOfWorkflow(workflow));
}

/**
 * The accurate tier's encoder passes run in a lane of the scoring queue: a task queue of their
 * own beside it (`<base>-scoring-encoder`), served by every worker that serves scoring, with its
 * own activity slots. A fast-tier activity then never waits for a slot behind a backlog of encoder
 * batches (each one takes the encoder seconds under load; the fast tier needs milliseconds).
 */
export const ENCODER_LANE_SUFFIX = '-encoder';

/**
 * The lane where a workflow running on `current` sends its encoder activities: beside a scoring
 * queue, its encoder lane; any other queue (a backfill on batch, a test's single queue) keeps them.
 */
export function encoderLaneQueue(current: string): string {
  return parseTaskQueue(current)?.kind === 'scoring' ? `${current}${ENCODER_LANE_SUFFIX}` : current;
}

/** A base that already ends in a kind would make its queues ambiguous (`x-alerts-batch`). */
export function checkQueueBase(base: string): string {
  if (base.trim() === '' || parseTaskQueue(base)) throw new TaskQueueError(`task queue base "${base}" must not be empty or end in -${QUEUE_KINDS.join(', -')}`);
  return base;
}

/**
 * `ingest,alerts` (TIDINGS_WORKER_QUEUES or --queues) -> ['ingest', 'alerts']; empty or `all`
 * -> every kind. Unknown names and duplicates are refused with the accepted list.
 */
export function parseQueueKinds(raw: string | undefined): QueueKind[] {
  if (raw === undefined || raw.trim() === '' || raw.trim().toLowerCase() === 'all') return [...QUEUE_KINDS];
  const kinds: QueueKind[] = [];
  for (const part of raw.split(',')) {
    const kind = part.trim().toLowerCase();
    if (!isQueueKind(kind)) throw new TaskQueueError(`unknown task queue "${part.trim()}": use a comma list of ${QUEUE_KINDS.join(', ')} (or all)`);
    if (kinds.includes(kind)) throw new TaskQueueError(`task queue "${kind}" is named twice`);
    kinds.push(kind);
  }
  return kinds;
}
