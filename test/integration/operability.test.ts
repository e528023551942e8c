import { createDataSource } from '../../db/data-source';
import { startTestStack, testEnv, type TestStack } from '../support/stack';
import express from 'express';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { healthRouter } from '../../api/health';
import { Role } from '../../entities';
import { createIdentity, type TestIdentity } from '../support/access';

describe('operability: health, readiness, request ids and JSON logs', () => {
  let stack: TestStack;
  let user: TestIdentity;
  beforeAll(async () => {
    stack = await startTestStack();
    user = await createIdentity(stack.api.db, Role.USER);
  });
  afterAll(async () => {
    await stack.stop();
  });

  it('GET /health answers JSON without touching dependencies', async () => {
    const res = await fetch(`${stack.api.server.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
  });

  it('GET /ready reports PostgreSQL and Temporal reachable', async () => {
    const res = await fetch(`${stack.api.server.url}/ready`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { ready: boolean; checks: Record<string, { ok: boolean }> };
    expect(body.ready).toBe(true);
    expect(body.checks.postgres.ok).toBe(true);
    expect(body.checks.temporal.ok).toBe(true);
  });

  it('GET /ready is 503 and names PostgreSQL when the database is gone', async () => {
    const db = createDataSource(testEnv().databaseUrl, { poolSize: 1 });
    await db.initialize();
    await db.destroy(); // a pool that can no longer reach the server
    const app = express().use(healthRouter({ db, temporal: stack.api.temporalConnection, namespace: 'default' }));
    const server = http.createServer(app).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/ready`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as { ready: boolean; checks: Record<string, { ok: boolean; error?: string }> };
      expect(body.ready).toBe(false);
      expect(body.checks.postgres.ok).toBe(false);
      expect(body.checks.postgres.error).toBeTruthy();
      expect(body.checks.temporal.ok).toBe(true);
    } finally {
      server.close();
    }
  });

  it('every request gets a request id, echoed in the response and on its JSON log line', async () => {
    const res = await stack.gql('query { pipelineProbe(id: "00000000-0000-0000-0000-000000000000") { id } }', undefined, { ...user.headers, 'x-request-id': 'trace-abc-123' });
    expect(res.headers.get('x-request-id')).toBe('trace-abc-123');
    const generated = await fetch(`${stack.api.server.url}/health`);
    const id = generated.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    // Log lines are JSON objects; the request line carries the id and the path.
    await new Promise((r) => setTimeout(r, 50));
    const entries = stack.logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.some((e) => e.requestId === 'trace-abc-123' && e.path === '/graphql' && e.status === 200)).toBe(true);
    expect(entries.some((e) => e.requestId === id && e.path === '/health')).toBe(true);
  });

  it('a hostile X-Request-Id is replaced, not logged', async () => {
    const res = await fetch(`${stack.api.server.url}/health`, { headers: { 'x-request-id': 'a b"{forged}' } });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('GraphiQL is served from local npm packages with subscriptions wired', async () => {
    const page = await (await fetch(`${stack.api.server.url}/graphiql`)).text();
    // The start-up script is a file of its own (no inline scripts under the Content-Security-Policy).
    expect(page).toContain('/graphiql/assets/init.js');
    expect(await (await fetch(`${stack.api.server.url}/graphiql/assets/init.js`)).text()).toContain('graphqlWs.createClient');
    for (const asset of ['react.js', 'react-dom.js', 'graphiql.js', 'graphiql.css', 'graphql-ws.js']) {
      expect(page).toContain(`/graphiql/assets/${asset}`);
      const res = await fetch(`${stack.api.server.url}/graphiql/assets/${asset}`);
      expect(res.status).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
    expect(page).not.toMatch(/https?:\/\/(cdn|unpkg|jsdelivr)/);
  });

  it('GraphiQL can introspect the schema before a key is entered; nothing else is open', async () => {
    const schema = await stack.gql<{ __schema: { queryType: { name: string } } }>('{ __schema { queryType { name } } }');
    expect(schema.errors).toBeUndefined();
    expect(schema.data!.__schema.queryType.name).toBe('Query');
    const mixed = await stack.gql('{ __schema { queryType { name } } featureFlags { key } }');
    expect(mixed.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    const typename = await stack.gql('{ __typename }');
    expect(typename.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
  });
});
