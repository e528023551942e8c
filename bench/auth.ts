/**
 * What API-key auth (+ per-key rate limiting) costs per request: two API servers in this
 * process, one with auth and one with `authDisabled` (a switch that exists only for this
 * comparison), each driven by 50 concurrent keep-alive clients for a few seconds.
 * Reuses DATABASE_URL / TEMPORAL_ADDRESS when set, else starts embedded servers.
 */
import 'reflect-metadata';
import { loadConfig, type AppConfig } from '../config/config';
import { createLogger } from '../config/logger';
import { Role } from '../entities';
import { startApiProcess } from '../runtime/api-process';
import { ApiKeyService } from '../services/api-key.service';
import { UserService } from '../services/user.service';
import { startBenchInfra } from './_infra';

const CONCURRENCY = 50;

async function load(url: string, body: string, headers: Record<string, string>, ms: number): Promise<{ rps: number; errors: number }> {
  const until = Date.now() + ms;
  let done = 0;
  let errors = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < until) {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
        const json = (await res.json()) as { errors?: unknown };
        if (json.errors) errors++;
        done++;
      }
    }),
  );
  return { rps: done / ((Date.now() - started) / 1000), errors };
}

export default async function authBench(args: string[]): Promise<void> {
  const seconds = Number(args[0] ?? 4);
  const cleanup: Array<() => Promise<void>> = [];
  try {
    const infra = await startBenchInfra('auth');
    cleanup.push(() => infra.stop());
    const { databaseUrl, temporalAddress } = infra;
    const base: AppConfig = { ...loadConfig({ NODE_ENV: 'development' }), port: 0, host: '127.0.0.1', graphiql: false, rateLimitAdminPerMin: 1_000_000_000 };
    const log = createLogger({ level: 'warn' });
    const target = { databaseUrl, temporalAddress, fromEnv: true, migrate: false };
    const authed = await startApiProcess(base, log, target);
    cleanup.unshift(() => authed.stop());
    const open = await startApiProcess({ ...base, authDisabled: true }, log, target);
    cleanup.unshift(() => open.stop());

    const user = await new UserService(authed.db).create(`bench-${Date.now()}@example.test`, `bench-password-${Date.now()}`, Role.ADMIN);
    const { key } = await new ApiKeyService(authed.db).create(user.id, 'bench', null);
    const authHeaders = { authorization: `Bearer ${key}` };
    // The same trivial query on both servers: the difference is authentication + rate limiting.
    const authedBody = JSON.stringify({ query: '{ __typename }' });
    const openBody = authedBody;

    const check = await (await fetch(authed.server.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...authHeaders }, body: authedBody })).json();
    if ((check as { errors?: unknown }).errors) throw new Error(`authed query failed: ${JSON.stringify(check)}`);

    // Warm both (JIT, pools, key cache) before measuring; then interleave to even out drift.
    await load(authed.server.graphqlUrl, authedBody, authHeaders, 1000);
    await load(open.server.graphqlUrl, openBody, {}, 1000);
    const half = (seconds * 1000) / 2;
    const a1 = await load(authed.server.graphqlUrl, authedBody, authHeaders, half);
    const o1 = await load(open.server.graphqlUrl, openBody, {}, half);
    const o2 = await load(open.server.graphqlUrl, openBody, {}, half);
    const a2 = await load(authed.server.graphqlUrl, authedBody, authHeaders, half);
    const authedRps = (a1.rps + a2.rps) / 2;
    const openRps = (o1.rps + o2.rps) / 2;
    console.log(`concurrency=${CONCURRENCY} seconds_each=${seconds}`);
    console.log(`authed   { __typename } with API key + rate limit: ${authedRps.toFixed(0)} rps (errors ${a1.errors + a2.errors})`);
    console.log(`unauthed { __typename } with authDisabled:       ${openRps.toFixed(0)} rps (errors ${o1.errors + o2.errors})`);
    console.log(`auth_overhead_ratio=${(authedRps / openRps).toFixed(3)}`);
  } finally {
    for (const c of cleanup) await c().catch(() => undefined);
  }
}
