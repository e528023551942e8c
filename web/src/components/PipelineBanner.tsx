import { useEffect, useState } from 'react';

/** The parts of /ready?deep the banner reads (api/health.ts). */
interface DeepReadiness {
  ready: boolean;
  missing: string[];
  checks?: { workers?: Record<string, { ok: boolean; reason?: string }> };
}

const POLL_MS = 10_000;

/**
 * A banner across every page while ingestion or scoring has no worker polling its task queue (or
 * PostgreSQL / Temporal are unreachable), read from /ready?deep: new articles and scores stop then,
 * and a quiet dashboard would look like a quiet market.
 */
export function PipelineBanner() {
  const [down, setDown] = useState<string[]>([]);
  useEffect(() => {
    let stopped = false;
    const check = async () => {
      try {
        const res = await fetch('/ready?deep', { headers: { accept: 'application/json' } });
        const body = (await res.json()) as DeepReadiness;
        if (!stopped) setDown(body.ready ? [] : body.missing);
      } catch {
        if (!stopped) setDown(['api: the server does not answer']);
      }
    };
    void check();
    const timer = setInterval(() => void check(), POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, []);
  if (down.length === 0) return null;
  const parts = [...new Set(down.map((m) => m.split(':')[0]))];
  return (
    <div className="state error pipeline-banner" role="alert" data-testid="pipeline-banner">
      <strong>{parts.join(' and ')} down.</strong> New articles and scores are not coming in; what you see may be stale.
      <ul className="small">
        {down.map((m) => (
          <li key={m}>{m}</li>
        ))}
      </ul>
    </div>
  );
}
