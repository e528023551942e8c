import type { Connection } from '@temporalio/client';
import { Router } from 'express';
import type { DataSource } from 'typeorm';
import { pingDatabase } from '../store/health-store';
import { taskQueuePollers, temporalReachable, type TaskQueuePollers } from '../temporal/client';

/** A part of the pipeline and the task queue its worker polls ("ingestion" on "tidings"). */
export interface PipelinePart {
  part: string;
  taskQueue: string;
}

export interface ReadinessDeps {
  db: DataSource;
  temporal: Connection;
  namespace: string;
  /** What /ready?deep checks for a polling worker. */
  parts?: PipelinePart[];
  /** A poller last seen longer ago than this is gone (default 75 s: Temporal's long poll is ~60 s). */
  pollerMaxAgeMs?: number;
}

async function check(fn: () => Promise<unknown>, timeoutMs: number): Promise<{ ok: boolean; error?: string; ms: number }> {
  const start = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, ms: Date.now() - start };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err), ms: Date.now() - start };
  } finally {
    clearTimeout(timer);
  }
}

export interface PartReadiness {
  ok: boolean;
  taskQueue: string;
  /** Workers seen polling recently, per task type. */
  workflowPollers: number;
  activityPollers: number;
  /** The most recent poll of either type, ISO time, or null when none was ever seen. */
  lastPollAt: string | null;
  /** Why the part is down, e.g. "no worker polled task queue 'tidings' for activity tasks in the last 75 s". */
  reason?: string;
}

/**
 * Whether each part of the pipeline has a worker polling its task queue for both workflow and
 * activity tasks, from what Temporal saw (pure: the pollers and the clock are given).
 */
export function partReadiness(parts: readonly PipelinePart[], pollers: ReadonlyMap<string, TaskQueuePollers>, nowMs: number, maxAgeMs: number): Record<string, PartReadiness> {
  const out: Record<string, PartReadiness> = {};
  for (const { part, taskQueue } of parts) {
    const seen = pollers.get(taskQueue);
    const fresh = (list: TaskQueuePollers['workflow'] | undefined) => (list ?? []).filter((p) => nowMs - p.lastAccessMs <= maxAgeMs);
    const workflow = fresh(seen?.workflow);
    const activity = fresh(seen?.activity);
    const last = Math.max(0, ...[...(seen?.workflow ?? []), ...(seen?.activity ?? [])].map((p) => p.lastAccessMs));
    const missing = [workflow.length === 0 ? 'workflow' : null, activity.length === 0 ? 'activity' : null].filter(Boolean);
    const readiness: PartReadiness = {
      ok: missing.length === 0,
      taskQueue,
      workflowPollers: workflow.length,
      activityPollers: activity.length,
      lastPollAt: last > 0 ? new Date(last).toISOString() : null,
    };
    if (missing.length > 0) {
      readiness.reason = `no worker polled task queue '${taskQueue}' for ${missing.join(' or ')} tasks in the last ${Math.round(maxAgeMs / 1000)} s`;
    }
    out[part] = readiness;
  }
  return out;
}

/**
 * /health: the process is alive. /ready: the API can do its job (PostgreSQL and Temporal answer);
 * it is what the API's own readiness probe asks, so the API keeps serving (and the dashboard keeps
 * showing why) while workers are down. /ready?deep also asks Temporal whether a worker is polling
 * each part's task queue (ingestion, scoring) and is 503 naming the part that is missing: the
 * check for whoever routes work to the whole stack.
 */
export function healthRouter(deps: ReadinessDeps): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) });
  });
  router.get('/ready', async (req, res) => {
    const deep = req.query.deep !== undefined && req.query.deep !== 'false' && req.query.deep !== '0';
    const [postgres, temporal] = await Promise.all([
      check(() => pingDatabase(deps.db), 2000),
      check(() => temporalReachable(deps.temporal, deps.namespace, 2000), 2500),
    ]);
    let ready = postgres.ok && temporal.ok;
    if (!deep) return void res.status(ready ? 200 : 503).json({ ready, checks: { postgres, temporal } });

    const parts = deps.parts ?? [];
    const maxAgeMs = deps.pollerMaxAgeMs ?? 75_000;
    const pollers = new Map<string, TaskQueuePollers>();
    let workers: Record<string, PartReadiness | { ok: false; taskQueue: string; reason: string }>;
    if (temporal.ok) {
      const queues = [...new Set(parts.map((p) => p.taskQueue))];
      const described = await check(async () => {
        for (const q of await Promise.all(queues.map((taskQueue) => taskQueuePollers(deps.temporal, deps.namespace, taskQueue)))) pollers.set(q.taskQueue, q);
      }, 2500);
      workers = described.ok
        ? partReadiness(parts, pollers, Date.now(), maxAgeMs)
        : Object.fromEntries(parts.map((p) => [p.part, { ok: false as const, taskQueue: p.taskQueue, reason: `Temporal did not describe the task queue: ${described.error}` }]));
    } else {
      workers = Object.fromEntries(parts.map((p) => [p.part, { ok: false as const, taskQueue: p.taskQueue, reason: 'Temporal is unreachable' }]));
    }
    const down = Object.entries(workers).filter(([, w]) => !w.ok);
    ready &&= down.length === 0;
    const missing = [
      ...(postgres.ok ? [] : [`postgres: ${postgres.error}`]),
      ...(temporal.ok ? [] : [`temporal: ${temporal.error}`]),
      ...down.map(([part, w]) => `${part}: ${w.reason}`),
    ];
    res.status(ready ? 200 : 503).json({ ready, missing, checks: { postgres, temporal, workers } });
  });
  return router;
}
