import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { DataSource } from 'typeorm';
import type { Logger } from '../config/logger';
import { createActivities } from '../activities';
import type { FeedIngestOptions } from '../activities/ingestion.activities';
import type { WorkerMetrics } from '../observability/metrics';
import { activityMetricsInterceptor } from './activity-metrics';
import type { WebhookOptions } from '../activities/webhook-options';
import type { QueueConcurrency } from '../config/config';
import { encoderLaneQueue, taskQueueName, type QueueKind } from '../domain/task-queues';

let runtimeInstalled = false;
let sdkMetricsUrl: string | undefined;

/**
 * The SDK's own log lines go through pino too, so every line the worker writes is JSON. The
 * SDK's Prometheus exporter (temporal_* metrics: task slots, poll and schedule-to-start
 * latencies, sticky cache, ...) listens on loopback only; the worker's /metrics appends its text
 * (sdkMetricsText), so one scrape target with one access rule serves both.
 */
function installRuntime(level: string, log: Logger, sdkMetricsPort: number): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const port = sdkMetricsPort;
  sdkMetricsUrl = `http://127.0.0.1:${port}/metrics`;
  const sdkLevel = (['trace', 'debug', 'info', 'warn', 'error'].includes(level) ? level.toUpperCase() : 'WARN') as
    | 'TRACE'
    | 'DEBUG'
    | 'INFO'
    | 'WARN'
    | 'ERROR';
  const sdkLog = log.child({ component: 'temporal-sdk' });
  Runtime.install({
    logger: new DefaultLogger(sdkLevel, (entry) => {
      const method = entry.level === 'TRACE' ? 'trace' : (entry.level.toLowerCase() as 'debug' | 'info' | 'warn' | 'error');
      sdkLog[method](entry.meta ?? {}, entry.message);
    }),
    telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${port}` } } },
  });
}

/** The Temporal SDK's own metrics as exposition text (a comment line when they cannot be read). */
export async function sdkMetricsText(timeoutMs = 2000): Promise<string> {
  if (!sdkMetricsUrl) return '# Temporal SDK metrics: no runtime installed in this process\n';
  try {
    const res = await fetch(sdkMetricsUrl, { signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return `# Temporal SDK metrics unavailable: HTTP ${res.status}\n`;
    return await res.text();
  } catch (err) {
    return `# Temporal SDK metrics unavailable: ${(err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ')}\n`;
  }
}

export function workflowsEntry(): string {
  return require.resolve('../workflows');
}

/** Bundles the workflow code once (webpack); production and tests reuse the file. */
export async function buildWorkflowBundle(outFile?: string): Promise<WorkflowBundleWithSourceMap> {
  const bundle = await bundleWorkflowCode({ workflowsPath: workflowsEntry(), logger: new DefaultLogger('WARN') });
  if (outFile) {
    fs.mkdirSync(path.dirname(outFile), { recursive: true });
    fs.writeFileSync(outFile, bundle.code);
  }
  return bundle;
}

export interface WorkerOptions {
  address: string;
  namespace: string;
  /** Base of the queue names (config.taskQueue): each kind is served on `<base>-<kind>`. */
  taskQueue: string;
  /** The kinds of work this process serves, each with its own Worker and slots. */
  queues: QueueKind[];
  concurrency: Record<QueueKind, QueueConcurrency>;
  db: DataSource;
  log: Logger;
  /** Feed fetch guard and caps (config.fetchPolicy, config.feedMaxItems); defaults are strict. */
  feeds?: FeedIngestOptions;
  /** Webhook deliveries and operator alerts (config.webhooks, config.feedAlertAfter). */
  webhooks?: WebhookOptions;
  /** A prebuilt bundle file; without it the workflows are bundled at start-up. */
  workflowBundlePath?: string;
  logLevel?: string;
  /** Activity and domain counters of this worker (tidings_activity_*, tidings_articles_*, ...). */
  metrics: WorkerMetrics;
  /** Loopback port for the SDK's Prometheus exporter (used by the first worker of the process). */
  sdkMetricsPort: number;
}

/**
 * Workflow-task pollers: up to 20 (never more than the slots), half of them on the queue itself
 * and half on this worker's sticky queue.
 *
 * Why half and half: a new workflow's first task comes from the queue itself, every later task
 * of a cached workflow from the sticky queue. The SDK's default ratio (0.2) left the queue itself
 * 2 of 10 pollers, and a scoring workflow per import waited seconds for one; a ratio of 1 gave it
 * all 10 and the sticky queue the minimum of 1. Then, under load, the sticky queue's backlog grew
 * behind its one poller, and while the server reports a sticky backlog the SDK holds back every
 * poller of the queue itself but one (sdk-core's WFTPollerShared): new scoring workflows' first
 * tasks waited 2-24 s with 40 of 50 slots free (BENCHMARKS.md, "latency", 2026-12-07 second session).
 */
export function workflowTaskPolling(maxConcurrentWorkflowTasks: number): { workflowTaskPollerBehavior: { type: 'simple-maximum'; maximum: number }; nonStickyToStickyPollRatio: number } {
  // (The SDK's maxConcurrentWorkflowTaskPolls is no longer read: its default is min(10, slots).)
  return { workflowTaskPollerBehavior: { type: 'simple-maximum', maximum: Math.max(2, Math.min(20, maxConcurrentWorkflowTasks)) }, nonStickyToStickyPollRatio: 0.5 };
}

export interface QueueWorker {
  kind: QueueKind;
  taskQueue: string;
  worker: Worker;
}

/**
 * One Temporal Worker per queue served (and one more for the scoring queue's encoder lane), over one connection, one workflow bundle and one set of
 * activities. Separate Workers are what give each queue its own slots: the batch queue's
 * activities can fill all of theirs while the alerts queue still polls and runs with its own.
 * Every Worker registers every workflow and activity; the queue decides what it is handed.
 */
export async function createWorkers(opts: WorkerOptions): Promise<{ workers: QueueWorker[]; connection: NativeConnection }> {
  installRuntime(opts.logLevel ?? 'warn', opts.log, opts.sdkMetricsPort);
  if (opts.queues.length === 0) throw new Error('a worker must serve at least one task queue');
  const connection = await NativeConnection.connect({ address: opts.address });
  try {
    const bundle =
      opts.workflowBundlePath && fs.existsSync(opts.workflowBundlePath)
        ? { workflowBundle: { codePath: opts.workflowBundlePath } }
        : { workflowBundle: { code: (await buildWorkflowBundle()).code } };
    const activities = createActivities({ db: opts.db, log: opts.log, feeds: opts.feeds, metrics: opts.metrics, webhooks: opts.webhooks });
    const workers: QueueWorker[] = [];
    for (const kind of opts.queues) {
      const taskQueue = taskQueueName(opts.taskQueue, kind);
      const slots = opts.concurrency[kind];
      const worker = await Worker.create({
        connection,
        namespace: opts.namespace,
        taskQueue,
        activities,
        interceptors: { activity: [activityMetricsInterceptor(opts.metrics)] },
        ...bundle,
        maxConcurrentActivityTaskExecutions: slots.maxConcurrentActivities,
        maxConcurrentWorkflowTaskExecutions: slots.maxConcurrentWorkflowTasks,
        ...workflowTaskPolling(slots.maxConcurrentWorkflowTasks),
        shutdownGraceTime: '10 seconds',
      });
      workers.push({ kind, taskQueue, worker });
      if (slots.maxConcurrentEncoderActivities !== undefined && encoderLaneQueue(taskQueue) !== taskQueue) {
        // The queue's encoder lane: activities only (no workflow runs there), with slots of its own.
        const lane = encoderLaneQueue(taskQueue);
        const laneWorker = await Worker.create({
          connection,
          namespace: opts.namespace,
          taskQueue: lane,
          activities,
          interceptors: { activity: [activityMetricsInterceptor(opts.metrics)] },
          maxConcurrentActivityTaskExecutions: slots.maxConcurrentEncoderActivities,
          shutdownGraceTime: '10 seconds',
        });
        workers.push({ kind, taskQueue: lane, worker: laneWorker });
      }
    }
    return { workers, connection };
  } catch (err) {
    await connection.close().catch(() => undefined);
    throw err;
  }
}
