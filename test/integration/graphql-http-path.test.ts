/**
 * POST /graphql is answered by a handler outside Express (api/http-graphql.ts, issue 14: the
 * Express chain cost more than many documents). It must answer exactly as the Express chain
 * does: the same status, body and headers (helmet's, cache-control, content type, request id),
 * the same request log line and HTTP metric. `/graphql?` (a query string) still goes through
 * Express, so each case is sent both ways and compared.
 */
import { Role } from '../../entities';
import { createIdentity, type TestIdentity } from '../support/access';
import { startTestStack, type TestStack } from '../support/stack';

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

/** Headers that differ between any two responses by nature. */
const VARYING = new Set(['date', 'x-request-id', 'keep-alive', 'connection']);

async function send(url: string, body: string, headers: Record<string, string>): Promise<Answer> {
  const res = await fetch(url, { method: 'POST', headers, body });
  const out: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    if (!VARYING.has(name)) out[name] = value;
  });
  return { status: res.status, body: await res.text(), headers: out };
}

describe('POST /graphql outside Express answers as the Express chain does', () => {
  let stack: TestStack;
  let user: TestIdentity;
  let fastUrl: string;
  let expressUrl: string;
  beforeAll(async () => {
    stack = await startTestStack({ env: { GRAPHQL_MAX_DEPTH: '6' } });
    user = await createIdentity(stack.api.db, Role.USER);
    fastUrl = stack.graphqlUrl;
    expressUrl = `${stack.graphqlUrl}?`;
  });
  afterAll(async () => {
    await stack.stop();
  });

  const json = { 'content-type': 'application/json' };
  const cases: Array<[string, () => [string, Record<string, string>]]> = [
    ['a query with a key', () => [JSON.stringify({ query: '{ me { email role } }' }), { ...json, ...user.headers }]],
    ['a query with a key and a charset', () => [JSON.stringify({ query: '{ __typename }' }), { 'content-type': 'application/json; charset=utf-8', ...user.headers }]],
    ['no key (401)', () => [JSON.stringify({ query: '{ me { email } }' }), json]],
    ['a revoked-looking key (401)', () => [JSON.stringify({ query: '{ me { email } }' }), { ...json, authorization: 'Bearer tdk_nope' }]],
    ['malformed JSON (400)', () => ['{"query": ', { ...json, ...user.headers }]],
    ['a JSON string, not an object (400)', () => ['"{ __typename }"', { ...json, ...user.headers }]],
    ['an empty body', () => ['', { ...json, ...user.headers }]],
    ['a JSON object without a query', () => ['{}', { ...json, ...user.headers }]],
    ['a batch (array)', () => [JSON.stringify([{ query: '{ __typename }' }]), { ...json, ...user.headers }]],
    ['a syntax error, graphql-response+json (400)', () => [JSON.stringify({ query: '{ me {' }), { ...json, accept: 'application/graphql-response+json', ...user.headers }]],
    ['a syntax error, legacy application/json (200)', () => [JSON.stringify({ query: '{ me {' }), { ...json, accept: 'application/json', ...user.headers }]],
    ['a validation error', () => [JSON.stringify({ query: '{ nope }' }), { ...json, accept: 'application/graphql-response+json', ...user.headers }]],
    ['a too-deep query', () => [JSON.stringify({ query: '{ me { a: me { b: me { c: me { d: me { e: me { id } } } } } } }' }), { ...json, ...user.headers }]],
    ['a too-large document, graphql-response+json', () => [JSON.stringify({ query: `{ ${'__typename '.repeat(300)}}` }), { ...json, accept: 'application/graphql-response+json', ...user.headers }]],
    ['a too-large document, application/json', () => [JSON.stringify({ query: `{ ${'me { id } '.repeat(11)}}` }), { ...json, ...user.headers }]],
    ['a NUL in a variable', () => [JSON.stringify({ query: 'query($t: String!) { articles(first: 1, ticker: $t) { edges { cursor } } }', variables: { t: 'A\u0000' } }), { ...json, ...user.headers }]],
    ['a leading BOM', () => [`\ufeff${JSON.stringify({ query: '{ __typename }' })}`, { ...json, ...user.headers }]],
  ];

  it.each(cases)('%s', async (_name, make) => {
    const [body, headers] = make();
    const viaExpress = await send(expressUrl, body, headers);
    const direct = await send(fastUrl, body, headers);
    expect(direct).toEqual(viaExpress);
  });

  it('the direct path sends the security headers and no-store', async () => {
    const r = await send(fastUrl, JSON.stringify({ query: '{ __typename }' }), { ...json, ...user.headers });
    expect(r.status).toBe(200);
    expect(r.body).toBe('{"data":{"__typename":"Query"}}\n');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['content-security-policy']).toContain("default-src 'self'");
    expect(r.headers['x-powered-by']).toBeUndefined();
  });

  it('a body over 2 MB is refused (413) on the direct path as by body-parser', async () => {
    const body = JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(2 * 1024 * 1024) } });
    const viaExpress = await send(expressUrl, body, { ...json, ...user.headers });
    const direct = await send(fastUrl, body, { ...json, ...user.headers });
    expect(viaExpress.status).toBe(413);
    expect(direct).toEqual(viaExpress);
  });

  it('the request id is echoed and on the request log line; the HTTP metric counts the route', async () => {
    const res = await fetch(fastUrl, { method: 'POST', headers: { ...json, ...user.headers, 'x-request-id': 'fast-path-1' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(res.headers.get('x-request-id')).toBe('fast-path-1');
    const forged = await fetch(fastUrl, { method: 'POST', headers: { ...json, ...user.headers, 'x-request-id': 'a b"{x}' }, body: JSON.stringify({ query: '{ __typename }' }) });
    const generated = forged.headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    await new Promise((r) => setTimeout(r, 50));
    const entries = stack.logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(entries.some((e) => e.requestId === 'fast-path-1' && e.msg === 'request' && e.path === '/graphql' && e.method === 'POST' && e.status === 200 && typeof e.ms === 'number')).toBe(true);
    expect(entries.some((e) => e.requestId === generated && e.msg === 'request')).toBe(true);
    expect(stack.logs.text()).not.toContain('a b\\"{x}');
    const metrics = await stack.api.metrics.registry.getSingleMetricAsString('tidings_http_responses_total');
    expect(metrics).toMatch(/tidings_http_responses_total\{route="\/graphql",status="200"\} [1-9]/);
  });
});
