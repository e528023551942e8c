import type { Connection } from '@temporalio/client';
import { Router } from 'express';
import type { DataSource } from 'typeorm';
import { pingDatabase } from '../store/health-store';
import { temporalReachable } from '../temporal/client';

export interface ReadinessDeps {
  db: DataSource;
  temporal: Connection;
  namespace: string;
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

/** /health: the process is alive. /ready: it can do its job (PostgreSQL and Temporal answer). */
export function healthRouter(deps: ReadinessDeps): Router {
  const router = Router();
  router.get('/health', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) });
  });
  router.get('/ready', async (_req, res) => {
    const [postgres, temporal] = await Promise.all([
      check(() => pingDatabase(deps.db), 2000),
      check(() => temporalReachable(deps.temporal, deps.namespace, 2000), 2500),
    ]);
    const ready = postgres.ok && temporal.ok;
    res.status(ready ? 200 : 503).json({ ready, checks: { postgres, temporal } });
  });
  return router;
}
