/**
 * Issue 11's API defects, each with the exact input from the issue, against a real API on the
 * real PostgreSQL and Temporal (D3, a PostgreSQL that goes away, is in api-outage.test.ts).
 */
import { randomUUID } from 'node:crypto';
import { getIntrospectionQuery } from 'graphql';
import { serverAudits } from 'graphql-http';
import WebSocket from 'ws';
import { loadConfig } from '../../../config/config';
import { Role } from '../../../entities';
import { createIdentity, type TestIdentity } from '../../support/access';
import { b64, code, expectNothingInternal, post } from '../../support/hostile-http';
import { startTestStack, type TestStack } from '../../support/stack';

describe('hostile input against the API (issue 11: D3-D7, D9-D11, D16, D17, browser rules; issue 12 paging bug)', () => {
  let stack: TestStack;
  let admin: TestIdentity;
  let user: TestIdentity;
  beforeAll(async () => {
    stack = await startTestStack({ env: { GRAPHQL_MAX_COMPLEXITY: '300', GRAPHQL_MAX_DEPTH: '3' } });
    admin = await createIdentity(stack.api.db, Role.ADMIN);
    user = await createIdentity(stack.api.db, Role.USER);
  });
  afterAll(async () => {
    await stack.stop();
  });

  describe('D4: documents are bounded before validation', () => {
    const cases: Array<[string, string]> = [
      ['2,000 aliased createApiKeyWithPassword without a key', `mutation { ${Array.from({ length: 2000 }, (_, i) => `k${i}: createApiKeyWithPassword(email:"a@b.c",password:"x",name:"n"){key}`).join(' ')} }`],
      ['{ __typename } x 40,000', `{ ${'__typename '.repeat(40_000)}}`],
      ['{ me { id … } } with id x 10,000', `{ me { ${'id '.repeat(10_000)}} }`],
      ['2,000 unaliased createApiKeyWithPassword', `mutation { ${'createApiKeyWithPassword(email:"a@b.c",password:"x",name:"n"){key} '.repeat(2000)}}`],
      ['201 distinct aliases (under the token and byte caps, over the selection cap)', `{ ${Array.from({ length: 201 }, (_, i) => `a${i}: __typename`).join(' ')} }`],
      ['me { id } x 11 (one response name repeated past the cap)', `{ ${'me { id } '.repeat(11)}}`],
    ];
    it.each(cases)('%s: refused with QUERY_TOO_LARGE and HTTP 400, with or without a key', async (_name, query) => {
      for (const headers of [{}, user.headers]) {
        const r = await post(stack.graphqlUrl, { query }, headers);
        expect(r.status).toBe(400);
        expect(code(r.body)).toBe('QUERY_TOO_LARGE');
        expect(r.body.data).toBeUndefined();
      }
    });

    it('the same documents are refused over graphql-ws', async () => {
      const client = stack.ws(user.params);
      for (const [, query] of cases.slice(1)) {
        const error = await new Promise<unknown>((resolve) => {
          client.subscribe({ query }, { next: () => undefined, error: resolve, complete: () => resolve(null) });
        });
        expect(JSON.stringify(error)).toContain('QUERY_TOO_LARGE');
      }
    });

    it('real documents still pass: GraphiQL-sized queries and introspection', async () => {
      const r = await post(stack.graphqlUrl, { query: `{ me { id email role } a: featureFlags { key } b: __typename }` }, user.headers);
      expect(r.status).toBe(200);
      expect(r.body.errors).toBeUndefined();
      // What GraphiQL sends, with every option on.
      const graphiql = getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true, schemaDescription: true, specifiedByUrl: true, directiveIsRepeatable: true });
      const intro = await post(stack.graphqlUrl, { query: graphiql, operationName: 'IntrospectionQuery' });
      expect([intro.status, intro.body.errors]).toEqual([200, undefined]);
    });
  });

  describe('D5/D6: HTTP statuses', () => {
    const articlesFirst = 'query ($first: Int!) { articles(first: $first) { edges { cursor } } }';
    it('D5: {"first":"x"} for Int! is 400 BAD_USER_INPUT, not 500', async () => {
      for (const accept of [undefined, 'application/graphql-response+json']) {
        const r = await post(stack.graphqlUrl, { query: articlesFirst, variables: { first: 'x' } }, { ...user.headers, ...(accept ? { accept } : {}) });
        expect(r.status).toBe(400);
        expect(code(r.body)).toBe('BAD_USER_INPUT');
        expectNothingInternal(r.text);
      }
    });

    it('D6: missing, malformed and revoked keys are 401; a refused admin operation is 403; cost and depth are 400', async () => {
      expect((await post(stack.graphqlUrl, { query: '{ me { id } }' })).status).toBe(401);
      expect((await post(stack.graphqlUrl, { query: '{ me { id } }' }, { authorization: 'Bearer nope' })).status).toBe(401);
      const victim = await createIdentity(stack.api.db, Role.USER);
      const revoked = await post(stack.graphqlUrl, { query: `mutation { revokeApiKey(id: "${victim.apiKeyId}") { id } }` }, victim.headers);
      expect(revoked.body.errors).toBeUndefined();
      await new Promise((r) => setTimeout(r, 2500)); // past the key cache
      const after = await post(stack.graphqlUrl, { query: '{ me { id } }' }, victim.headers);
      expect([after.status, code(after.body)]).toEqual([401, 'UNAUTHENTICATED']);

      // Without a key, one password exchange per request: aliases cannot multiply the bcrypt work.
      const twoExchanges = await post(stack.graphqlUrl, { query: 'mutation { a: createApiKeyWithPassword(email: "a@b.c", password: "x", name: "n") { key } b: createApiKeyWithPassword(email: "a@b.c", password: "x", name: "n") { key } }' });
      expect([twoExchanges.status, code(twoExchanges.body)]).toEqual([401, 'UNAUTHENTICATED']);
      const forbidden = await post(stack.graphqlUrl, { query: '{ feeds { id } }' }, user.headers);
      expect([forbidden.status, code(forbidden.body)]).toEqual([403, 'FORBIDDEN']);
      const wrongPassword = await post(stack.graphqlUrl, { query: `mutation { createApiKeyWithPassword(email: "${user.user.email}", password: "wrong", name: "n") { key } }` });
      expect([wrongPassword.status, code(wrongPassword.body)]).toEqual([401, 'UNAUTHENTICATED']);

      // Few selections, high cost: one fragment spread 40 times (cost counts every spread).
      const edges = Array.from({ length: 8 }, (_, i) => `e${i}: edges { cursor }`).join(' ');
      const costly = `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: articles(first: 1) { ...F }`).join(' ')} } fragment F on ArticleConnection { pageInfo { hasNextPage endCursor } ${edges} }`;
      const tooComplex = await post(stack.graphqlUrl, { query: costly }, user.headers);
      expect([tooComplex.status, code(tooComplex.body)]).toEqual([400, 'QUERY_TOO_COMPLEX']);
      const tooDeep = await post(stack.graphqlUrl, { query: '{ articles { edges { node { id } } } }' }, user.headers);
      expect([tooDeep.status, code(tooDeep.body)]).toEqual([400, 'QUERY_TOO_DEEP']);
    });

    it('graphql-http server audits: every MUST and SHOULD passes against the real server (MAY items are optional)', async () => {
      const fetchFn = (input: string | URL | Request, init?: RequestInit) => fetch(input, { ...init, headers: { ...(init?.headers as Record<string, string>), ...user.headers } });
      const audits = serverAudits({ url: stack.graphqlUrl, fetchFn: fetchFn as typeof fetch });
      const results = await Promise.all(audits.map((a) => a.fn()));
      const required = results.filter((r) => !r.name.startsWith('MAY'));
      expect(required.filter((r) => r.name.startsWith('SHOULD')).length).toBeGreaterThanOrEqual(20);
      const failed = required.filter((r) => r.status !== 'ok').map((r) => `${r.id} ${r.name}: ${'reason' in r ? r.reason : ''}`);
      expect(failed).toEqual([]);
      expect(results.length).toBeGreaterThan(20);
    });
  });

  describe('D7: NUL (U+0000) in arguments', () => {
    it('createApiKeyWithPassword.email with NUL is BAD_USER_INPUT naming the argument, without a key', async () => {
      for (const body of [
        { query: 'mutation ($e: String!) { createApiKeyWithPassword(email: $e, password: "x", name: "n") { key } }', variables: { e: 'a\u0000@b.c' } },
        { query: 'mutation { createApiKeyWithPassword(email: "a\\u0000@b.c", password: "x", name: "n") { key } }' },
      ]) {
        const r = await post(stack.graphqlUrl, body);
        expect(r.status).toBe(400);
        expect(code(r.body)).toBe('BAD_USER_INPUT');
        expect(r.body.errors![0].extensions!.field).toBe('createApiKeyWithPassword.email');
        expectNothingInternal(r.text);
      }
    });

    it('every other string argument is refused the same way (filters, ids, flags, subscriptions)', async () => {
      for (const [query, field] of [
        ['{ articles(filter: { tickers: ["AA\\u0000PL"] }) { edges { cursor } } }', 'articles.filter.tickers[0]'],
        ['{ articles(filter: { search: "x\\u0000" }) { edges { cursor } } }', 'articles.filter.search'],
        ['{ signals(after: "\\u0000") { edges { cursor } } }', 'signals.after'],
        ['mutation { createApiKey(name: "n\\u0000") { key } }', 'createApiKey.name'],
      ]) {
        const r = await post(stack.graphqlUrl, { query }, admin.headers);
        expect([code(r.body), r.body.errors?.[0]?.extensions?.field]).toEqual(['BAD_USER_INPUT', field]);
      }
      const client = stack.ws(user.params);
      const error = await new Promise<unknown>((resolve) => {
        client.subscribe({ query: 'subscription { signalCreated(tickers: ["A\\u0000"]) { id } }' }, { next: () => undefined, error: resolve, complete: () => resolve(null) });
      });
      expect(JSON.stringify(error)).toContain('BAD_USER_INPUT');
    });

    it('importArticles with one NUL item of two stores the good one and names the bad index', async () => {
      const tag = randomUUID();
      const r = await post(
        stack.graphqlUrl,
        {
          query: 'mutation ($items: [ImportArticleInput!]!) { importArticles(items: $items) { insertedIds errors { index reason } } }',
          variables: { items: [{ title: `Good $AAPL item ${tag}`, url: `https://example.com/${tag}/good` }, { title: `Bad\u0000 item ${tag}`, url: `https://example.com/${tag}/bad` }] },
        },
        user.headers,
      );
      expect(r.status).toBe(200);
      const result = r.body.data!.importArticles as { insertedIds: string[]; errors: Array<{ index: number; reason: string }> };
      expect(result.insertedIds).toHaveLength(1);
      expect(result.errors).toEqual([{ index: 1, reason: expect.stringContaining('NUL') }]);
      const [row] = (await stack.api.db.query('SELECT title FROM articles WHERE id = $1', [result.insertedIds[0]])) as Array<{ title: string }>;
      expect(row.title).toContain(`Good $AAPL item ${tag}`);
    });
  });

  describe('D9/D10 and issue 12: every paged query refuses out-of-range first/after/offset/limit with BAD_USER_INPUT', () => {
    const badCursors = [
      b64('1|00000000-0000-0000-0000-000000000000'),
      b64('2024-02-30T00:00:00.000Z|00000000-0000-0000-0000-000000000000'),
      b64('+275760-09-13T00:00:00.000Z|00000000-0000-0000-0000-000000000000'),
      b64('2024-01-01T00:00:00.000Z|not-a-uuid'),
      b64('2024-01-01T00:00:00.000Z|00000000-0000-0000-0000-000000000000|x'),
      'not base64 !',
    ];
    const sweep: Array<[string, string]> = [];
    for (const first of [0, -1, 201, 2147483647]) {
      sweep.push([`{ articles(first: ${first}) { edges { cursor } } }`, 'first']);
      sweep.push([`{ signals(first: ${first}) { edges { cursor } } }`, 'first']);
      sweep.push([`{ backtests(first: ${first}) { id } }`, 'first']);
    }
    for (const after of badCursors) {
      sweep.push([`{ articles(after: "${after}") { edges { cursor } } }`, 'after']);
      sweep.push([`{ signals(after: "${after}") { edges { cursor } } }`, 'after']);
    }
    for (const offset of [-1, 2147483647]) sweep.push([`{ backtests(offset: ${offset}) { id } }`, 'offset']);
    for (const first of [0, -1, 501, 2147483647]) sweep.push([`{ featureFlagAudit(first: ${first}) { id } }`, 'first']);
    for (const limit of [0, -1, 10_001, 2147483647]) {
      sweep.push([`{ articlesCsv(limit: ${limit}) }`, 'limit']);
      sweep.push([`{ signalsCsv(limit: ${limit}) }`, 'limit']);
    }
    it.each(sweep)('%s -> BAD_USER_INPUT on %s', async (query, field) => {
      const r = await post(stack.graphqlUrl, { query }, admin.headers);
      expect(code(r.body)).toBe('BAD_USER_INPUT');
      expect(r.body.errors![0].extensions!.field).toBe(field);
      expectNothingInternal(r.text);
    });

    it.each([
      '{ articles(filter: { from: "+275760-09-13T00:00:00.000Z" }) { edges { cursor } } }',
      '{ signals(filter: { asOf: "+275760-09-13T00:00:00.000Z" }) { edges { cursor } } }',
      '{ tickerSentiment(ticker: "AAPL", from: "-271821-04-20T00:00:00.000Z", to: "2024-01-01T00:00:00.000Z", interval: WEEK) { count } }',
    ])('dates PostgreSQL cannot hold are refused as the caller\'s mistake (400), not internal errors: %s', async (query) => {
      const r = await post(stack.graphqlUrl, { query }, admin.headers);
      expect(r.status).toBe(400);
      expect(['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED']).toContain(code(r.body));
      expectNothingInternal(r.text);
    });

    it('backtests(first: 150) and (first: 200) now work: the resolver and the service agree on 1-200', async () => {
      for (const first of [150, 200]) {
        const r = await post(stack.graphqlUrl, { query: `{ backtests(first: ${first}, offset: 1000000) { id } }` }, user.headers);
        expect(r.body.errors).toBeUndefined();
        expect(r.body.data!.backtests).toEqual([]);
      }
    });
  });

  it('D11: a 1 MB CSV of 500,000 bad rows gets a small report: the first 100 rows and a count', async () => {
    const csv = 'date,close\n' + 'x\n'.repeat(500_000);
    const r = await post(stack.graphqlUrl, { query: 'mutation ($csv: String!) { importPrices(ticker: "BADROWS", csv: $csv) { bars rejectedCount rejected { line reason } } }', variables: { csv } }, admin.headers);
    expect(r.status).toBe(200);
    const report = r.body.data!.importPrices as { bars: number; rejectedCount: number; rejected: Array<{ line: number }> };
    expect(report.bars).toBe(0);
    expect(report.rejectedCount).toBe(500_000);
    expect(report.rejected).toHaveLength(100);
    expect(report.rejected[0].line).toBe(2);
    expect(report.rejected[99].line).toBe(101);
    expect(r.text.length).toBeLessThan(50_000);
  });

  it('D16: a huge unauthenticated connection_init is refused by maxPayload (close 1009) and the API stays up', async () => {
    const socket = new WebSocket(stack.wsUrl, 'graphql-transport-ws');
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const closed = new Promise<number>((resolve) => socket.once('close', (c) => resolve(c)));
    socket.send(JSON.stringify({ type: 'connection_init', payload: { junk: 'x'.repeat(2 * 1024 * 1024) } }));
    expect(await closed).toBe(1009);
    expect((await post(stack.graphqlUrl, { query: '{ __typename }' }, user.headers)).status).toBe(200);
  });

  it('D17: malformed JSON gets a GraphQL-style JSON 400; no error response carries a stack trace or a path', async () => {
    const r = await post(stack.graphqlUrl, '{"query": "{ __typename }"', user.headers);
    expect(r.status).toBe(400);
    expect(r.headers.get('content-type')).toMatch(/application\/json/);
    expect(code(r.body)).toBe('BAD_REQUEST');
    expectNothingInternal(r.text);
    expect(r.text).not.toMatch(/<html|<pre>/i);
    // Stack traces only on request, and never outside development.
    expect(loadConfig({ NODE_ENV: 'production', GRAPHQL_STACKTRACES: 'true' }).graphqlStackTraces).toBe(false);
    expect(loadConfig({ NODE_ENV: 'test', GRAPHQL_STACKTRACES: 'true' }).graphqlStackTraces).toBe(false);
    expect(loadConfig({ NODE_ENV: 'development' }).graphqlStackTraces).toBe(false);
    expect(loadConfig({ NODE_ENV: 'development', GRAPHQL_STACKTRACES: 'true' }).graphqlStackTraces).toBe(true);
    const bad = await post(stack.graphqlUrl, { query: '{ backtests(first: 0) { id } }' }, user.headers);
    expect(bad.body.errors![0].extensions!.stacktrace).toBeUndefined();
    expectNothingInternal(bad.text);
  });

  it('browser rules: no CORS by default, helmet headers, GraphiQL without inline scripts', async () => {
    const preflight = await fetch(stack.graphqlUrl, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const page = await fetch(`${stack.api.server.url}/graphiql`);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    expect(html).not.toMatch(/<script>(?!<\/script>)/); // every script has a src
    for (const src of [...html.matchAll(/src="([^"]+)"/g)].map((m) => m[1])) {
      const asset = await fetch(new URL(src, stack.api.server.url));
      expect(asset.status).toBe(200);
    }
    const init = await (await fetch(`${stack.api.server.url}/graphiql/assets/init.js`)).text();
    expect(() => new Function(init)).not.toThrow(); // compiles; it runs only in a browser
    expect(init).toContain('graphqlWs.createClient');
  });

  it('browser rules: CORS_ORIGINS allow-lists origins for HTTP and the graphql-ws upgrade', async () => {
    const allowed = 'http://app.example:5173';
    const cors = await startTestStack({ env: { CORS_ORIGINS: allowed } });
    try {
      const ok = await fetch(cors.graphqlUrl, { method: 'OPTIONS', headers: { origin: allowed, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,authorization' } });
      expect(ok.headers.get('access-control-allow-origin')).toBe(allowed);
      const other = await fetch(cors.graphqlUrl, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      const upgrade = (origin?: string) =>
        new Promise<string>((resolve) => {
          const s = new WebSocket(cors.wsUrl, 'graphql-transport-ws', origin ? { origin } : {});
          s.once('open', () => (s.close(), resolve('open')));
          s.once('unexpected-response', (_req, res) => resolve(`refused ${res.statusCode}`));
          s.once('error', () => resolve('error'));
        });
      expect(await upgrade(allowed)).toBe('open');
      expect(await upgrade('https://evil.example')).toMatch(/^refused 4\d\d$/);
      expect(await upgrade(undefined)).toBe('open'); // not a browser
    } finally {
      await cors.stop();
    }
  });
});
