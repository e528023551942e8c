import http from 'node:http';
import net from 'node:net';
import { parseExposition, sampleSum, sampleValue } from '../test/support/prometheus';
import { createApiMetrics, createWorkerMetrics, LabelCap, outcomeCode, renderMetrics, scoringTier } from './metrics';
import { isLoopback, metricsAccess, serveMetrics, startMetricsServer } from './metrics-http';

describe('metric definitions', () => {
  it('name every API and worker metric tidings_* and render valid exposition text', async () => {
    const api = createApiMetrics();
    const worker = createWorkerMetrics();
    api.operation('Me', 'query', 'UNAUTHENTICATED', 0.01);
    api.httpResponse('/graphql', 200);
    worker.activity('pollFeed', 'completed', 0.2);
    worker.scored('lexicon-v1', 'lexicon', 3, [1, 2, 3]);
    for (const registry of [api.registry, worker.registry]) {
      const families = parseExposition(await renderMetrics(registry));
      expect(families.length).toBeGreaterThan(10);
      expect(families.map((f) => f.name).filter((n) => !n.startsWith('tidings_'))).toEqual([]);
    }
    const apiNames = (await api.registry.getMetricsAsJSON()).map((m) => m.name);
    const workerNames = (await worker.registry.getMetricsAsJSON()).map((m) => m.name);
    expect(apiNames).toEqual(expect.arrayContaining(['tidings_graphql_operations_total', 'tidings_graphql_operation_duration_seconds', 'tidings_http_responses_total', 'tidings_rate_limited_total', 'tidings_graphql_ws_sockets', 'tidings_graphql_subscriptions_active', 'tidings_events_delivered_total', 'tidings_events_dropped_total', 'tidings_db_pool_in_use', 'tidings_db_pool_waiting']));
    expect(workerNames).toEqual(expect.arrayContaining(['tidings_activity_executions_total', 'tidings_activity_duration_seconds', 'tidings_articles_ingested_total', 'tidings_articles_duplicates_total', 'tidings_feed_items_skipped_total', 'tidings_articles_scored_total', 'tidings_scoring_lag_seconds', 'tidings_signals_emitted_total', 'tidings_feed_failures_total']));
  });

  it('counts operations by name, type and code, with "anonymous" for unnamed ones and bounded codes', async () => {
    const api = createApiMetrics();
    api.operation('Me', 'query', 'UNAUTHENTICATED', 0.01);
    api.operation('Me', 'query', 'UNAUTHENTICATED', 0.02);
    api.operation(undefined, 'mutation', 'OK', 0.03);
    api.operation(undefined, undefined, 'SOMETHING_NEW');
    const families = parseExposition(await api.registry.metrics());
    expect(sampleValue(families, 'tidings_graphql_operations_total', { operation: 'Me', type: 'query', code: 'UNAUTHENTICATED' })).toBe(2);
    expect(sampleValue(families, 'tidings_graphql_operations_total', { operation: 'anonymous', type: 'mutation', code: 'OK' })).toBe(1);
    expect(sampleValue(families, 'tidings_graphql_operations_total', { operation: 'anonymous', type: 'unknown', code: 'OTHER' })).toBe(1);
    // A subscription over graphql-ws has no latency: three observations, not four.
    expect(sampleSum(families, 'tidings_graphql_operation_duration_seconds_count')).toBe(3);
    expect(outcomeCode('RATE_LIMITED')).toBe('RATE_LIMITED');
    expect(outcomeCode(undefined)).toBe('INTERNAL_SERVER_ERROR');
  });

  it('are checked by a parser that refuses what Prometheus would refuse', () => {
    const ok = '# HELP a_total x\n# TYPE a_total counter\na_total{b="c\\"d"} 1\n# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 3\nh_count 2\n';
    expect(sampleValue(parseExposition(ok), 'a_total', { b: 'c"d' })).toBe(1);
    for (const bad of ['garbage line here', 'a{b="c} 1', 'a 1 2 3', 'a{b="c"} x', '# TYPE a counter\na 1\n# TYPE b gauge\nb 1\na 2', '# TYPE h histogram\nh_bucket{le="1"} 1\nh_count 1', '# TYPE a counter\n# TYPE a counter']) {
      expect(() => parseExposition(bad)).toThrow();
    }
  });

  it('keeps label cardinality bounded', () => {
    const cap = new LabelCap(2, 5);
    expect([cap.value('a'), cap.value('b'), cap.value('c'), cap.value('a'), cap.value('abcdefgh'), cap.value(undefined, 'anonymous')]).toEqual(['a', 'b', 'other', 'a', 'other', 'other']);
    const api = createApiMetrics();
    for (let i = 0; i < 500; i++) api.operation(`Op${i}`, 'query', 'OK', 0.001);
    return api.registry.getSingleMetric('tidings_graphql_operations_total')!.get().then((m) => {
      const names = new Set(m.values.map((v) => v.labels.operation));
      expect(names.size).toBe(201);
      expect(names.has('other')).toBe(true);
    });
  });

  it('reports the scoring tier as a label: lexicon, fast, or what the scorer says', async () => {
    expect(scoringTier('lexicon-finance-v1')).toBe('lexicon');
    expect(scoringTier('hashed-linear-v3')).toBe('fast');
    expect(scoringTier('transformer-v1', 'accurate')).toBe('accurate');
    const worker = createWorkerMetrics();
    worker.scored('transformer-v1', 'accurate', 2, [4, 400]);
    worker.scored('lexicon-v1', 'lexicon', 5);
    const families = parseExposition(await worker.registry.metrics());
    expect(sampleValue(families, 'tidings_articles_scored_total', { model_version: 'transformer-v1', tier: 'accurate' })).toBe(2);
    expect(sampleValue(families, 'tidings_articles_scored_total', { model_version: 'lexicon-v1', tier: 'lexicon' })).toBe(5);
    // Backfills count but add no lag.
    expect(sampleSum(families, 'tidings_scoring_lag_seconds_count')).toBe(2);
    expect(sampleValue(families, 'tidings_scoring_lag_seconds_bucket', { tier: 'accurate', le: '5' })).toBe(1);
  });
});

describe('metrics access', () => {
  it('serves loopback callers, and others only with the bearer token', () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('127.8.9.10')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopback('10.0.0.7')).toBe(false);
    expect(isLoopback('::ffff:192.168.1.2')).toBe(false);
    expect(isLoopback(undefined)).toBe(false);

    expect(metricsAccess('127.0.0.1', undefined, undefined)).toEqual({ ok: true });
    expect(metricsAccess('127.0.0.1', undefined, 'sekrit')).toEqual({ ok: true });
    expect(metricsAccess('10.0.0.7', undefined, undefined)).toMatchObject({ ok: false, status: 403 });
    expect(metricsAccess('10.0.0.7', 'Bearer sekrit', undefined)).toMatchObject({ ok: false, status: 403 });
    expect(metricsAccess('10.0.0.7', undefined, 'sekrit')).toMatchObject({ ok: false, status: 401 });
    expect(metricsAccess('10.0.0.7', 'Bearer wrong', 'sekrit')).toMatchObject({ ok: false, status: 401 });
    expect(metricsAccess('10.0.0.7', 'Basic sekrit', 'sekrit')).toMatchObject({ ok: false, status: 401 });
    expect(metricsAccess('10.0.0.7', 'Bearer sekrit', 'sekrit')).toEqual({ ok: true });
    expect(metricsAccess('10.0.0.7', 'bearer  sekrit ', 'sekrit')).toEqual({ ok: true });
  });

  it('answers a request whose peer is not loopback with 401 + WWW-Authenticate, and never renders', async () => {
    let rendered = 0;
    const render = async () => {
      rendered++;
      return '';
    };
    // A request on a socket that is not connected to loopback (no peer address at all).
    const respond = async (headers: Record<string, string>, token: string | undefined) => {
      const req = new http.IncomingMessage(new net.Socket());
      req.headers = headers;
      const res = new http.ServerResponse(req);
      await serveMetrics(req, res, { token, render });
      return { status: res.statusCode, challenge: res.getHeader('www-authenticate') };
    };
    expect(await respond({}, 'sekrit')).toEqual({ status: 401, challenge: 'Bearer realm="metrics"' });
    expect(await respond({ authorization: 'Bearer nope' }, 'sekrit')).toMatchObject({ status: 401 });
    expect(await respond({}, undefined)).toMatchObject({ status: 403 });
    expect(rendered).toBe(0);
    expect(await respond({ authorization: 'Bearer sekrit' }, 'sekrit')).toMatchObject({ status: 200 });
    expect(rendered).toBe(1);
  });

  it('a metrics server on loopback answers GET /metrics with exposition text and 404 elsewhere', async () => {
    const worker = createWorkerMetrics();
    worker.signalEmitted('BUY');
    const server = await startMetricsServer({ host: '127.0.0.1', port: 0, token: 'sekrit', render: () => renderMetrics(worker.registry) });
    try {
      const res = await fetch(server.url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const families = parseExposition(await res.text());
      expect(sampleValue(families, 'tidings_signals_emitted_total', { type: 'BUY' })).toBe(1);
      expect(families.some((f) => f.name === 'tidings_process_resident_memory_bytes' || f.name === 'tidings_nodejs_heap_size_used_bytes')).toBe(true);
      expect((await fetch(server.url.replace('/metrics', '/other'))).status).toBe(404);
    } finally {
      await server.close();
    }
  });
});
