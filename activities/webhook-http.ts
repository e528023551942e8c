/**
 * One webhook POST through the same destination guard as feed fetches: the URL is checked
 * before connecting, every address the host resolves to is checked at connect time (the socket
 * connects only to checked addresses), redirects are not followed, the whole attempt is capped
 * in time and at most `maxResponseBytes` of the answer are read.
 */
import { Agent, fetch, type Dispatcher } from 'undici';
import { parseRetryAfter } from '../domain/feeds/fetch';
import { checkUrl, type DestinationPolicy } from '../domain/net/destination-guard';
import { guardedLookup, refusalIn } from '../domain/net/guarded-dispatcher';

export interface PostResult {
  statusCode: number | null;
  latencyMs: number;
  /** Why the attempt did not deliver (never the response body beyond a short, sanitised excerpt). */
  error: string | null;
  retryAfterSeconds?: number;
  /** The destination was refused by the guard: retrying will not help. */
  refused?: boolean;
}

/** Connections are pooled per policy (keep-alive); each new connection resolves through the guard. */
const agents = new WeakMap<DestinationPolicy, Dispatcher>();
function agentFor(policy: DestinationPolicy): Dispatcher {
  let agent = agents.get(policy);
  if (!agent) {
    agent = new Agent({ connect: { lookup: guardedLookup(policy) }, keepAliveTimeout: 10_000, connections: 16 });
    agents.set(policy, agent);
  }
  return agent;
}

export async function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  opts: { policy: DestinationPolicy; timeoutMs: number; maxResponseBytes: number; userAgent: string },
): Promise<PostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { statusCode: null, latencyMs: 0, error: 'not a valid URL', refused: true };
  }
  const refusal = checkUrl(parsed, opts.policy);
  if (refusal) return { statusCode: null, latencyMs: 0, error: refusal.reason, refused: true };

  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error('timeout')), opts.timeoutMs);
  try {
    const res = await fetch(parsed, {
      method: 'POST',
      body,
      headers: { ...headers, 'user-agent': opts.userAgent },
      redirect: 'manual',
      signal: controller.signal,
      dispatcher: agentFor(opts.policy),
    });
    // Read (and drop) at most maxResponseBytes: a receiver cannot make us buffer a large answer.
    let excerpt = '';
    let read = 0;
    if (res.body) {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (excerpt.length < 200) excerpt += Buffer.from(value.subarray(0, 200)).toString('utf8');
        read += value.byteLength;
        if (read >= opts.maxResponseBytes) {
          await reader.cancel().catch(() => undefined);
          break;
        }
      }
    }
    const latencyMs = elapsed();
    const status = res.status;
    if (status >= 200 && status < 300) return { statusCode: status, latencyMs, error: null };
    const retryAfterSeconds = parseRetryAfter(res.headers.get('retry-after'));
    const detail = excerpt.replace(/\p{Cc}+/gu, ' ').trim().slice(0, 200);
    const redirect = status >= 300 && status < 400 ? ' (redirects are not followed)' : '';
    return { statusCode: status, latencyMs, error: `HTTP ${status}${redirect}${detail ? `: ${detail}` : ''}`, ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }) };
  } catch (err) {
    const refused = refusalIn(err);
    if (refused) return { statusCode: null, latencyMs: elapsed(), error: refused.message, refused: true };
    if (controller.signal.aborted) return { statusCode: null, latencyMs: elapsed(), error: `timeout: no complete response within ${opts.timeoutMs} ms` };
    const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
    return { statusCode: null, latencyMs: elapsed(), error: `network error: ${cause?.code ?? cause?.message ?? (err as Error)?.message ?? String(err)}` };
  } finally {
    clearTimeout(timer);
  }
}
