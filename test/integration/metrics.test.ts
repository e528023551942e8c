/**
 * Prometheus metrics on a real API and worker (real PostgreSQL and Temporal): the text is
 * valid exposition format, and the counters move when articles are ingested and scored,
 * when feeds are polled or fail, when queries fail, and when events reach subscribers.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Feed, Role } from '../../entities';
import { connectTemporalClient, type TemporalClientHandle } from '../../temporal/client';
import type { PollOutcome } from '../../contracts';
import { createIdentity, type TestIdentity } from '../support/access';
import { dashboardQueries, familyOf } from '../support/dashboard';
import { LOCAL_FEEDS_ENV, uniqueSecFeed } from '../support/feed-fixtures';
import { parseExposition, sampleSum, sampleValue, type MetricFamily } from '../support/prometheus';
import { startTestStack, subscribe, testEnv, type TestStack } from '../support/stack';
import { workflowQueue } from '../../domain/task-queues';

const TOKEN = `metrics-${randomUUID()}`;

async function scrape(url: string): Promise<MetricFamily[]> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}

/** Scrapes until `ok` holds (the worker counts asynchronously to the API's answers). */
async function scrapeUntil(url: string, ok: (f: MetricFamily[]) => boolean, timeoutMs = 30_000): Promise<MetricFamily[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const families = await scrape(url);
    if (ok(families) || Date.now() > until) return families;
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('Prometheus metrics', () => {
  let stack: TestStack;
  let admin: TestIdentity;
  let user: TestIdentity;
  let temporal: TemporalClientHandle;
  let apiUrl: string;
  let workerUrl: string;
  const feedBody = uniqueSecFeed('sec_pressreleases.rss');
  const feeds = http.createServer((req, res) => {
    if (req.url?.startsWith('/press.rss')) res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(feedBody);
    else res.writeHead(404).end('gone');
  });

  beforeAll(async () => {
    // A token is set, yet loopback scrapes (all of these) need none; a tiny user rate limit to trip it.
    stack = await startTestStack({ worker: true, env: { ...LOCAL_FEEDS_ENV, METRICS_TOKEN: TOKEN, RATE_LIMIT_USER_PER_MIN: '3' } });
    admin = await createIdentity(stack.api.db, Role.ADMIN);
    user = await createIdentity(stack.api.db, Role.USER);
    temporal = await connectTemporalClient(testEnv().temporalAddress, 'default');
    await new Promise<void>((resolve) => feeds.listen(0, '127.0.0.1', resolve));
    apiUrl = `${stack.api.server.url}/metrics`;
    workerUrl = stack.worker!.metricsUrl;
  });
  afterAll(async () => {
    await temporal.close();
    await stack.stop();
    feeds.close();
  });

  it('the API serves valid exposition text on its own port, every family named tidings_*, to loopback without a token', async () => {
    expect(stack.config.metricsToken).toBe(TOKEN);
    const families = await scrape(apiUrl);
    const names = families.map((f) => f.name);
    expect(names.filter((n) => !n.startsWith('tidings_'))).toEqual([]);
    expect(names).toEqual(expect.arrayContaining(['tidings_graphql_operations_total', 'tidings_http_responses_total', 'tidings_graphql_ws_sockets', 'tidings_db_pool_in_use', 'tidings_db_pool_waiting', 'tidings_process_cpu_seconds_total']));
    // The pool gauges read the real pg Pool: the API has run queries, so it holds connections.
    expect(sampleValue(families, 'tidings_db_pool_in_use') + sampleValue(families, 'tidings_db_pool_idle')).toBeGreaterThan(0);
  });

  it('the worker serves its own metrics and the Temporal SDK exporter\'s, as one valid text', async () => {
    expect(workerUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    // The SDK's exporter has series once the worker has polled; wait for them.
    const families = await scrapeUntil(workerUrl, (f) => f.some((m) => m.name.startsWith('temporal_')));
    const names = families.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['tidings_activity_executions_total', 'tidings_articles_scored_total', 'tidings_db_pool_in_use']));
    expect(names.filter((n) => n.startsWith('temporal_')).length).toBeGreaterThan(3);
    expect(names.filter((n) => !n.startsWith('tidings_') && !n.startsWith('temporal_'))).toEqual([]);
  });

  it('failed operations are counted by operation name and error code, with latency and HTTP status', async () => {
    const before = await scrape(apiUrl);
    const op = (name: string, type: string, code: string) => ({ operation: name, type, code });
    const unauth = await stack.gql('query WhoAmI { me { id } }');
    expect(unauth.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    const anonymous = await stack.gql('{ me { id } }');
    expect(anonymous.errors![0].extensions!.code).toBe('UNAUTHENTICATED');
    const badInput = await stack.gql('mutation EmptyImport { importArticles(items: []) { insertedIds } }', undefined, admin.headers);
    expect(badInput.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    const unparsable = await stack.gql('query Broken { me { id }');
    expect(unparsable.errors![0].extensions!.code).toBe('GRAPHQL_PARSE_FAILED');
    const fine = await stack.gql('query WhoAmI { me { id } }', undefined, admin.headers);
    expect(fine.errors).toBeUndefined();

    const after = await scrape(apiUrl);
    const delta = (name: string, labels: Record<string, string>) => sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(delta('tidings_graphql_operations_total', op('WhoAmI', 'query', 'UNAUTHENTICATED'))).toBe(1);
    expect(delta('tidings_graphql_operations_total', op('anonymous', 'query', 'UNAUTHENTICATED'))).toBe(1);
    expect(delta('tidings_graphql_operations_total', op('EmptyImport', 'mutation', 'BAD_USER_INPUT'))).toBe(1);
    // Unparsable: no operation could be read from it, so neither its name nor its type.
    expect(delta('tidings_graphql_operations_total', op('anonymous', 'unknown', 'GRAPHQL_PARSE_FAILED'))).toBe(1);
    expect(delta('tidings_graphql_operations_total', op('WhoAmI', 'query', 'OK'))).toBe(1);
    expect(delta('tidings_graphql_operation_duration_seconds_count', { operation: 'WhoAmI', type: 'query' })).toBe(2);
    expect(delta('tidings_graphql_operation_duration_seconds_sum', { operation: 'WhoAmI', type: 'query' })).toBeGreaterThan(0);
    // Five POSTs to /graphql (the parse failure is a 400) and one scrape of /metrics.
    expect(sampleSum(after, 'tidings_http_responses_total', { route: '/graphql' }) - sampleSum(before, 'tidings_http_responses_total', { route: '/graphql' })).toBe(5);
    expect(delta('tidings_http_responses_total', { route: '/graphql', status: '400' })).toBe(1);
    expect(delta('tidings_http_responses_total', { route: '/metrics', status: '200' })).toBe(1);
  });

  it('requests refused by the rate limit are counted', async () => {
    const before = await scrape(apiUrl);
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await stack.gql('query Mine { me { id } }', undefined, user.headers);
      codes.push(String(r.errors?.[0]?.extensions?.code ?? 'OK'));
    }
    const limited = codes.filter((c) => c === 'RATE_LIMITED').length;
    expect(limited).toBeGreaterThanOrEqual(2);
    const after = await scrape(apiUrl);
    expect(sampleValue(after, 'tidings_rate_limited_total', { transport: 'http' }) - sampleValue(before, 'tidings_rate_limited_total', { transport: 'http' })).toBe(limited);
    const counted = sampleValue(after, 'tidings_graphql_operations_total', { operation: 'Mine', type: 'query', code: 'RATE_LIMITED' });
    expect(counted - sampleValue(before, 'tidings_graphql_operations_total', { operation: 'Mine', type: 'query', code: 'RATE_LIMITED' })).toBe(limited);
  });

  it('importing articles moves the ingestion counters on the API, and scoring and activity counters on the worker', async () => {
    const [apiBefore, workerBefore] = [await scrape(apiUrl), await scrape(workerUrl)];
    const tag = randomUUID();
    const items = [
      { title: `$AAPL beats estimates and raises guidance ${tag}`, url: `https://metrics.example/${tag}/1` },
      { title: `$MSFT shares slump after a weak outlook ${tag}`, url: `https://metrics.example/${tag}/2` },
      { title: `$AAPL beats estimates and raises guidance ${tag}`, url: `https://metrics.example/${tag}/1` },
      { title: `$TSLA recalls nothing ${tag}`, url: `https://metrics.example/${tag}/3`, publishedAt: 'not a date' },
    ];
    const imported = await stack.gql<{ importArticles: { insertedIds: string[]; duplicates: number; errors: Array<{ index: number }> } }>(
      'mutation Import($items: [ImportArticleInput!]!) { importArticles(items: $items) { insertedIds duplicates errors { index } } }',
      { items },
      admin.headers,
    );
    expect(imported.errors).toBeUndefined();
    const report = imported.data!.importArticles;
    expect(report.insertedIds).toHaveLength(2);

    const apiAfter = await scrape(apiUrl);
    const apiDelta = (name: string) => sampleValue(apiAfter, name, { feed: 'import' }) - sampleValue(apiBefore, name, { feed: 'import' });
    expect(apiDelta('tidings_articles_ingested_total')).toBe(2);
    expect(apiDelta('tidings_articles_duplicates_total')).toBe(report.duplicates);
    expect(apiDelta('tidings_feed_items_skipped_total')).toBe(report.errors.length);
    expect(report.duplicates + report.errors.length).toBe(2);

    const scored = (f: MetricFamily[]) => sampleSum(f, 'tidings_articles_scored_total');
    const workerAfter = await scrapeUntil(workerUrl, (f) => scored(f) - scored(workerBefore) >= 2);
    expect(scored(workerAfter) - scored(workerBefore)).toBe(2);
    // Each score carries its model version and tier; live scoring records its lag.
    const scoredSeries = workerAfter.find((f) => f.name === 'tidings_articles_scored_total')!.samples;
    for (const s of scoredSeries) {
      expect(s.labels.model_version).toBeTruthy();
      expect(['fast', 'lexicon', 'accurate']).toContain(s.labels.tier);
    }
    expect(sampleSum(workerAfter, 'tidings_scoring_lag_seconds_count') - sampleSum(workerBefore, 'tidings_scoring_lag_seconds_count')).toBe(2);
    const completed = (f: MetricFamily[]) => sampleValue(f, 'tidings_activity_executions_total', { activity: 'scoreArticles', outcome: 'completed' });
    expect(completed(workerAfter) - completed(workerBefore)).toBeGreaterThanOrEqual(1);
    expect(sampleValue(workerAfter, 'tidings_activity_duration_seconds_count', { activity: 'scoreArticles', outcome: 'completed' })).toBe(completed(workerAfter));
  });

  it('a feed poll counts articles per feed, and a dead feed counts a failure by code', async () => {
    const repo = stack.api.db.getRepository(Feed);
    const base = `http://127.0.0.1:${(feeds.address() as AddressInfo).port}`;
    const live = await repo.save(repo.create({ url: `${base}/press.rss?t=${randomUUID()}`, name: 'metrics-live', pollIntervalSeconds: 300 }));
    const dead = await repo.save(repo.create({ url: `${base}/gone.rss?t=${randomUUID()}`, name: 'metrics-dead', pollIntervalSeconds: 300 }));
    const before = await scrape(workerUrl);
    const poll = (feedId: string) =>
      temporal.client.workflow.execute('pollFeedWorkflow', { taskQueue: workflowQueue(stack.config.taskQueue, 'pollFeedWorkflow'), workflowId: `poll-${feedId}-${randomUUID()}`, args: [{ feedId, score: false }] }) as Promise<PollOutcome>;
    const ok = await poll(live.id);
    expect(ok.status).toBe('ok');
    const failed = await poll(dead.id);
    expect(failed.status).toBe('failed');

    const after = await scrape(workerUrl);
    const delta = (name: string, labels: Record<string, string>) => sampleValue(after, name, labels) - sampleValue(before, name, labels);
    expect(delta('tidings_articles_ingested_total', { feed: live.id })).toBe(ok.newArticleIds.length);
    expect(ok.newArticleIds.length).toBeGreaterThan(5);
    expect(delta('tidings_feed_items_skipped_total', { feed: live.id })).toBe(ok.skippedItems);
    expect(delta('tidings_feed_polls_total', { status: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(delta('tidings_feed_polls_total', { status: 'failed' })).toBeGreaterThanOrEqual(1);
    expect(delta('tidings_feed_failures_total', { code: 'NOT_FOUND' })).toBeGreaterThanOrEqual(1);
    expect(delta('tidings_activity_executions_total', { activity: 'pollFeed', outcome: 'completed' })).toBeGreaterThanOrEqual(2);
  });

  it('graphql-ws sockets, subscriptions by field and delivered events are gauged and counted', async () => {
    const before = await scrape(apiUrl);
    const ws = stack.ws(admin.params);
    const sub = subscribe<{ pipelineProbeCompleted: { id: string } }>(ws, 'subscription Probe { pipelineProbeCompleted { id } }');
    await new Promise<void>((resolve) => ws.on('connected', () => resolve()));
    const during = await scrapeUntil(apiUrl, (f) => sampleValue(f, 'tidings_graphql_subscriptions_active', { field: 'pipelineProbeCompleted' }) >= 1);
    expect(sampleValue(during, 'tidings_graphql_ws_sockets')).toBeGreaterThanOrEqual(1);
    expect(sampleValue(during, 'tidings_graphql_subscriptions_active', { field: 'pipelineProbeCompleted' })).toBe(1);
    expect(sampleValue(during, 'tidings_graphql_operations_total', { operation: 'Probe', type: 'subscription', code: 'OK' }) - sampleValue(before, 'tidings_graphql_operations_total', { operation: 'Probe', type: 'subscription', code: 'OK' })).toBe(1);

    const started = await stack.gql<{ runPipelineProbe: { id: string } }>('mutation { runPipelineProbe(input: { note: "metrics" }) { id } }', undefined, admin.headers);
    const id = started.data!.runPipelineProbe.id;
    await sub.next((e) => e.data?.pipelineProbeCompleted.id === id);
    const delivered = await scrape(apiUrl);
    const topic = { topic: 'pipeline_probe_completed' };
    expect(sampleValue(delivered, 'tidings_events_received_total', topic) - sampleValue(before, 'tidings_events_received_total', topic)).toBeGreaterThanOrEqual(1);
    expect(sampleValue(delivered, 'tidings_events_delivered_total', topic) - sampleValue(before, 'tidings_events_delivered_total', topic)).toBeGreaterThanOrEqual(1);

    sub.dispose();
    await ws.dispose();
    const closed = await scrapeUntil(apiUrl, (f) => sampleValue(f, 'tidings_graphql_subscriptions_active', { field: 'pipelineProbeCompleted' }) === 0);
    expect(sampleValue(closed, 'tidings_graphql_subscriptions_active', { field: 'pipelineProbeCompleted' })).toBe(0);
  });

  it('an activity that fails is counted as failed, with its duration', async () => {
    const before = await scrape(workerUrl);
    const failed = { activity: 'computeSignals', outcome: 'failed' };
    // A malformed article id is a non-retryable SignalInputError: one attempt, one failure.
    const run = temporal.client.workflow.execute('computeSignalsWorkflow', {
      taskQueue: workflowQueue(stack.config.taskQueue, 'computeSignalsWorkflow'),
      workflowId: `signals-bad-${randomUUID()}`,
      args: [{ articleIds: ['not-a-uuid'] }],
    });
    await expect(run).rejects.toThrow();
    const after = await scrape(workerUrl);
    expect(sampleValue(after, 'tidings_activity_executions_total', failed) - sampleValue(before, 'tidings_activity_executions_total', failed)).toBe(1);
    expect(sampleValue(after, 'tidings_activity_duration_seconds_count', failed) - sampleValue(before, 'tidings_activity_duration_seconds_count', failed)).toBe(1);
  });

  // After the tests above, activities and workflows have run, so the SDK has every series.
  it('every temporal_* metric the Grafana dashboard queries is one the Temporal SDK exports here', async () => {
    const families = await scrape(workerUrl);
    const histograms = new Set(families.filter((f) => f.type === 'histogram').map((f) => f.name));
    const exported = new Set(families.map((f) => f.name));
    const wanted = [...new Set(dashboardQueries().flatMap((q) => q.metrics))].filter((m) => m.startsWith('temporal_'));
    expect(wanted.length).toBeGreaterThanOrEqual(1);
    expect(wanted.filter((m) => !exported.has(familyOf(m, histograms)))).toEqual([]);
  });
});
