/**
 * How long one hostile request can block the API's event loop (issue 11, D4 and D11): the
 * exact inputs from the issue, plus the worst documents that fit inside the document limits
 * (api/document-limits.ts), plus a 1 MB price file of 500,000 bad rows. The API runs in this
 * process; for each request `perf_hooks.monitorEventLoopDelay` (and a 1 ms interval timer as a
 * second probe; the larger figure counts) records the longest stall while
 * the request is in flight (bodies are serialised before measuring), and the process CPU time
 * it took (client side included, so an upper bound). Each case runs several times; the smallest
 * stall is the request's own cost (the largest adds whatever else the shared machine did).
 * Target: every request's own stall < 100 ms. Last line: `hostile_worst_block_ms=<max> hostile_worst_case=<name>`.
 */
import 'reflect-metadata';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadConfig } from '../config/config';
import { createLogger } from '../config/logger';
import { Role } from '../entities';
import { startApiProcess } from '../runtime/api-process';
import { ApiKeyService } from '../services/api-key.service';
import { UserService } from '../services/user.service';
import { startBenchInfra } from './_infra';

interface Case {
  name: string;
  body: unknown;
  key: boolean;
}

function cases(): Case[] {
  // The worst shapes found that fit inside the limits (200 selections, 10 repeats of one response name).
  const frag = (n: number, body: string) => `{ ${Array.from({ length: n }, (_, f) => `...F${f}`).join(' ')} } ${Array.from({ length: n }, (_, f) => `fragment F${f} on Query { ${body} }`).join(' ')}`;
  return [
    // The exact inputs.
    { name: 'issue: 2,000 aliased createApiKeyWithPassword, no key (146 KB)', key: false, body: { query: `mutation { ${Array.from({ length: 2000 }, (_, i) => `k${i}: createApiKeyWithPassword(email:"a@b.c",password:"x",name:"n"){key}`).join(' ')} }` } },
    { name: 'issue: { __typename } x 40,000', key: true, body: { query: `{ ${'__typename '.repeat(40_000)}}` } },
    { name: 'issue: { me { id x 10,000 } }', key: true, body: { query: `{ me { ${'id '.repeat(10_000)}} }` } },
    // Inside the limits: validated (and executed when valid).
    { name: 'within limits: 10 x me { 10 x id } + 10 x apiKeys { 8 x id }', key: true, body: { query: `{ ${('me { ' + 'id '.repeat(10) + '} ').repeat(10)} ${('apiKeys { ' + 'id '.repeat(8) + '} ').repeat(10)}}` } },
    { name: 'within limits: 15 fragments, each me { id x 3 } x 3, spread together', key: true, body: { query: frag(15, ('me { ' + 'id '.repeat(3) + '} ').repeat(3)) } },
    { name: 'within limits: 99 fragments of one __typename, spread together', key: true, body: { query: frag(99, '__typename') } },
    { name: 'within limits: 39 fragments of __typename x 4', key: true, body: { query: frag(39, '__typename '.repeat(4)) } },
    { name: 'within limits: 199 distinct aliases with arguments', key: true, body: { query: `{ ${Array.from({ length: 99 }, (_, i) => `a${i}: article(id: "00000000-0000-0000-0000-00000000000${i % 10}") { id }`).join(' ')} }` } },
    { name: 'within limits: 199 nested selections (depth refusal)', key: true, body: { query: `${'{ me '.repeat(199)}{ id }${' }'.repeat(199)}` } },
    { name: 'within limits: 10 x createApiKeyWithPassword, no key (one per keyless request)', key: false, body: { query: `mutation { ${Array.from({ length: 10 }, (_, i) => `k${i}: createApiKeyWithPassword(email:"nobody-${i}@example.test",password:"x",name:"n"){key}`).join(' ')} }` } },
    { name: 'within limits: 64 KB string literal', key: true, body: { query: `{ articles(filter: { search: "${'x'.repeat(60_000)}" }) { edges { cursor } } }` } },
    { name: 'within limits: 2,000 wrong-type variables', key: true, body: { query: 'query ($first: Int!) { articles(first: $first) { edges { cursor } } }', variables: { first: Array.from({ length: 2000 }, () => 'x') } } },
    { name: 'D11: importPrices, 1 MB CSV of 500,000 bad rows', key: true, body: { query: 'mutation ($csv: String!) { importPrices(ticker: "BENCH", csv: $csv) { rejectedCount rejected { line } } }', variables: { csv: `date,close\n${'x\n'.repeat(500_000)}` } } },
    { name: 'control: { __typename }', key: true, body: { query: '{ __typename }' } },
  ];
}

export default async function hostileBench(args: string[]): Promise<void> {
  const repeats = Number(args[0] ?? 5);
  const infra = await startBenchInfra('hostile');
  const config = { ...loadConfig({ NODE_ENV: 'production', GRAPHIQL: 'false' }), port: 0, host: '127.0.0.1', rateLimitAdminPerMin: 1_000_000 };
  const api = await startApiProcess(config, createLogger({ level: 'error' }), { databaseUrl: infra.databaseUrl, temporalAddress: infra.temporalAddress, fromEnv: true, migrate: false });
  try {
    const user = await new UserService(api.db).create(`bench-${Date.now()}@example.test`, `bench-password-${Date.now()}`, Role.ADMIN);
    const { key } = await new ApiKeyService(api.db).create(user.id, 'bench', null);
    let worst = { ms: 0, name: '' };
    console.log(`load average at start: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
    console.log(`${repeats} runs per case; "loop block" is the longest event-loop stall during the request: the`);
    console.log('smallest of the runs (what the request itself costs) and the largest (with whatever else the machine did).');
    console.log('| case | body KB | HTTP | code | wall ms | process CPU ms | loop block ms, min of runs | max of runs |');
    console.log('|---|---|---|---|---|---|---|---|');
    for (const c of cases()) {
      const body = JSON.stringify(c.body);
      const headers: Record<string, string> = { 'content-type': 'application/json', ...(c.key ? { authorization: `Bearer ${key}` } : {}) };
      const blocks: number[] = [];
      let cpuMs = 0;
      let wallMs = 0;
      let status = 0;
      let code = '';
      for (let i = 0; i < repeats; i++) {
        const h = monitorEventLoopDelay({ resolution: 1 });
        h.enable();
        // A second, plain probe: the longest gap between 1 ms timer callbacks.
        let last = performance.now();
        let gap = 0;
        const probe = setInterval(() => {
          const now = performance.now();
          gap = Math.max(gap, now - last - 1);
          last = now;
        }, 1);
        const started = performance.now();
        const cpu = process.cpuUsage();
        const res = await fetch(api.server.graphqlUrl, { method: 'POST', headers, body });
        const json = (await res.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
        wallMs = Math.max(wallMs, performance.now() - started);
        const used = process.cpuUsage(cpu);
        cpuMs = Math.max(cpuMs, (used.user + used.system) / 1000);
        h.disable();
        clearInterval(probe);
        gap = Math.max(gap, performance.now() - last - 1);
        blocks.push(Math.max(h.max / 1e6, gap));
        status = res.status;
        code = json.errors?.[0]?.extensions?.code ?? 'ok';
      }
      const blockMs = Math.min(...blocks);
      console.log(`| ${c.name} | ${(body.length / 1024).toFixed(0)} | ${status} | ${code} | ${wallMs.toFixed(0)} | ${cpuMs.toFixed(0)} | ${blockMs.toFixed(1)} | ${Math.max(...blocks).toFixed(1)} |`);
      if (blockMs > worst.ms) worst = { ms: blockMs, name: c.name };
    }
    console.log(`load average at end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log(`hostile_worst_block_ms=${worst.ms.toFixed(1)} hostile_worst_case="${worst.name}"`);
  } finally {
    await api.stop();
    await infra.stop();
  }
}
