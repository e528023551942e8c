import type { AsyncLocalStorage } from 'node:async_hooks';
import { Client, Connection } from '@temporalio/client';

export interface TemporalClientHandle {
  client: Client;
  connection: Connection;
  close(): Promise<void>;
}

export async function connectTemporalClient(address: string, namespace: string): Promise<TemporalClientHandle> {
  const connection = await Connection.connect({ address, connectTimeout: 5000 });
  switchOffBetweenCalls(connection.callContextStorage);
  const client = new Client({ connection, namespace });
  return { client, connection, close: () => connection.close() };
}

/**
 * The Temporal connection keeps each call's deadline and metadata in an AsyncLocalStorage, and
 * runs every namespaced call (connect's check, describeNamespace, each workflow start) inside
 * `run()`. On Node 20 one `run()` switches on promise hooks for the whole process, for good:
 * every promise of every API request then paid for them (a bare promise costs several times
 * more; `npm run bench -- graphql`). Here the storage is switched off whenever no Temporal call
 * is under way: `run()` still sets the context (and switches the storage on) for its call and
 * everything that call awaits, and once the last such call has settled, the storage is disabled
 * again, so the hooks run only while Temporal is being talked to.
 */
export function switchOffBetweenCalls(storage: AsyncLocalStorage<unknown>): void {
  const run = storage.run.bind(storage) as (store: unknown, fn: (...args: unknown[]) => unknown, ...args: unknown[]) => unknown;
  let active = 0;
  const settled = () => {
    if (--active === 0) storage.disable();
  };
  storage.run = ((store: unknown, fn: (...args: unknown[]) => unknown, ...args: unknown[]) => {
    active++;
    let result: unknown;
    try {
      result = run(store, fn, ...args);
    } catch (err) {
      settled();
      throw err;
    }
    if (result instanceof Promise) result.then(settled, settled);
    else settled();
    return result;
  }) as typeof storage.run;
  storage.disable(); // connect()'s own check is over
}

/**
 * Is the frontend up and does it know our namespace? Used by /ready and at start-up.
 * A plain timer rather than `connection.withDeadline`: that runs through an AsyncLocalStorage,
 * and one use on Node 20 switches on promise hooks for the whole process, a cost every promise
 * of the API would then pay for a health check that does not need it.
 */
export async function temporalReachable(connection: Connection, namespace: string, timeoutMs = 2000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      connection.workflowService.describeNamespace({ namespace }),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`Temporal did not answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** What DescribeTaskQueue says about one task queue's pollers, per task type. */
export interface TaskQueuePollers {
  taskQueue: string;
  /** Workers that asked for workflow tasks / activity tasks, with when they last asked (ms since epoch). */
  workflow: Array<{ identity: string; lastAccessMs: number }>;
  activity: Array<{ identity: string; lastAccessMs: number }>;
}

const TASK_QUEUE_KIND_NORMAL = 1;
const TASK_QUEUE_TYPE_WORKFLOW = 1;
const TASK_QUEUE_TYPE_ACTIVITY = 2;

/**
 * The pollers Temporal has seen on a task queue (DescribeTaskQueue). A live idle worker re-polls at
 * least once a long-poll interval (about a minute), so a poller whose last access is older than
 * that is gone.
 */
export async function taskQueuePollers(connection: Connection, namespace: string, taskQueue: string): Promise<TaskQueuePollers> {
  const describe = async (taskQueueType: number) => {
    const res = await connection.workflowService.describeTaskQueue({ namespace, taskQueue: { name: taskQueue, kind: TASK_QUEUE_KIND_NORMAL }, taskQueueType });
    return (res.pollers ?? []).map((p) => ({
      identity: p.identity ?? '',
      lastAccessMs: p.lastAccessTime ? Number(p.lastAccessTime.seconds ?? 0) * 1000 + Math.floor((p.lastAccessTime.nanos ?? 0) / 1e6) : 0,
    }));
  };
  const [workflow, activity] = await Promise.all([describe(TASK_QUEUE_TYPE_WORKFLOW), describe(TASK_QUEUE_TYPE_ACTIVITY)]);
  return { taskQueue, workflow, activity };
}
