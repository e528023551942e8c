/**
 * Every Prometheus metric Tidings exports, defined here and nowhere else. Names start with
 * `tidings_`. The API and the worker each get their own registry (createApiMetrics /
 * createWorkerMetrics), so a test process that runs both keeps them apart; process metrics
 * (CPU, memory, event loop) live in one registry per process and are served by both.
 *
 * Cardinality is kept low on purpose: label values that come from outside (operation names,
 * feed ids, model versions) go through a LabelCap, which maps everything past its first N
 * distinct values to "other".
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DataSource } from 'typeorm';

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** At most `max` distinct values per label (then "other"), each at most `maxLength` characters. */
export class LabelCap {
  private readonly seen = new Set<string>();
  constructor(
    private readonly max: number,
    private readonly maxLength = 64,
  ) {}

  value(raw: string | null | undefined, fallback = 'unknown'): string {
    const v = raw ? raw.slice(0, this.maxLength) : fallback;
    if (this.seen.has(v)) return v;
    if (this.seen.size >= this.max) return 'other';
    this.seen.add(v);
    return v;
  }
}

let processRegistry: Registry | undefined;

/** CPU, memory, heap, event-loop lag and GC of this process, as tidings_process_* / tidings_nodejs_*. */
export function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry, prefix: 'tidings_' });
  }
  return processRegistry;
}

/** The pg Pool behind a TypeORM DataSource (postgres driver), if it is open. */
function pgPool(db: DataSource): { totalCount: number; idleCount: number; waitingCount: number } | undefined {
  const pool = (db.driver as unknown as { master?: { totalCount: number; idleCount: number; waitingCount: number } }).master;
  return pool && typeof pool.totalCount === 'number' ? pool : undefined;
}

/** Metrics both processes have: the PostgreSQL pool (read at scrape time) and ingestion counts. */
function sharedMetrics(registry: Registry) {
  const pools: DataSource[] = [];
  const poolGauge = (name: string, help: string, read: (p: NonNullable<ReturnType<typeof pgPool>>) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        let total = 0;
        for (const db of pools) {
          const pool = pgPool(db);
          if (pool) total += read(pool);
        }
        this.set(total);
      },
    });
  poolGauge('tidings_db_pool_in_use', 'PostgreSQL pool connections checked out right now', (p) => p.totalCount - p.idleCount);
  poolGauge('tidings_db_pool_idle', 'PostgreSQL pool connections open and idle', (p) => p.idleCount);
  poolGauge('tidings_db_pool_waiting', 'Queries waiting for a PostgreSQL pool connection', (p) => p.waitingCount);
  const feedLabel = new LabelCap(1000);
  const articlesIngested = new Counter({
    name: 'tidings_articles_ingested_total',
    help: 'New articles stored, by feed id ("import" for importArticles)',
    labelNames: ['feed'] as const,
    registers: [registry],
  });
  const articleDuplicates = new Counter({
    name: 'tidings_articles_duplicates_total',
    help: 'Articles not stored because they were already known, by feed id ("import" for importArticles)',
    labelNames: ['feed'] as const,
    registers: [registry],
  });
  const itemsSkipped = new Counter({
    name: 'tidings_feed_items_skipped_total',
    help: 'Feed items that could not be made into an article (no title, bad date, ...), by feed id ("import" for importArticles)',
    labelNames: ['feed'] as const,
    registers: [registry],
  });
  return {
    /** Adds a DataSource whose pool the tidings_db_pool_* gauges report (summed). */
    watchDbPool(db: DataSource): void {
      if (!pools.includes(db)) pools.push(db);
    },
    /** Counts one ingestion: a feed poll (feed id) or an import ("import"). */
    ingested(feed: string, counts: { stored: number; duplicates: number; skipped: number }): void {
      const labels = { feed: feedLabel.value(feed) };
      if (counts.stored > 0) articlesIngested.inc(labels, counts.stored);
      if (counts.duplicates > 0) articleDuplicates.inc(labels, counts.duplicates);
      if (counts.skipped > 0) itemsSkipped.inc(labels, counts.skipped);
    },
  };
}

/** GraphQL error codes clients see; anything else is counted as OTHER. */
const KNOWN_CODES = new Set([
  'OK',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'RATE_LIMITED',
  'NOT_FOUND',
  'CONFLICT',
  'FEATURE_DISABLED',
  'QUERY_TOO_COMPLEX',
  'QUERY_TOO_DEEP',
  'UNAVAILABLE',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'INTERNAL_SERVER_ERROR',
]);

export function outcomeCode(code: unknown): string {
  return typeof code === 'string' && KNOWN_CODES.has(code) ? code : code === undefined ? 'INTERNAL_SERVER_ERROR' : 'OTHER';
}

const OPERATION_TYPES = new Set(['query', 'mutation', 'subscription']);
const HTTP_ROUTES = new Set(['/graphql', '/health', '/ready', '/metrics', '/graphiql']);

export function createApiMetrics() {
  const registry = new Registry();
  const operationName = new LabelCap(200);
  const subscriptionField = new LabelCap(50);
  const operations = new Counter({
    name: 'tidings_graphql_operations_total',
    help: 'GraphQL operations by operation name ("anonymous" when unnamed), type and outcome code (OK or the first error code)',
    labelNames: ['operation', 'type', 'code'] as const,
    registers: [registry],
  });
  const operationDuration = new Histogram({
    name: 'tidings_graphql_operation_duration_seconds',
    help: 'Time from receiving a GraphQL HTTP request to sending its response, by operation name and type',
    labelNames: ['operation', 'type'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const httpResponses = new Counter({
    name: 'tidings_http_responses_total',
    help: 'HTTP responses by route (known routes, else "other") and status code',
    labelNames: ['route', 'status'] as const,
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: 'tidings_rate_limited_total',
    help: 'Requests refused with RATE_LIMITED, by transport (http or ws)',
    labelNames: ['transport'] as const,
    registers: [registry],
  });
  let openSockets: () => number = () => 0;
  new Gauge({
    name: 'tidings_graphql_ws_sockets',
    help: 'Open graphql-ws sockets',
    registers: [registry],
    collect() {
      this.set(openSockets());
    },
  });
  const subscriptionsActive = new Gauge({
    name: 'tidings_graphql_subscriptions_active',
    help: 'Running graphql-ws subscriptions by root field',
    labelNames: ['field'] as const,
    registers: [registry],
  });
  const subscriptionsStarted = new Counter({
    name: 'tidings_graphql_subscriptions_started_total',
    help: 'graphql-ws subscriptions started, by root field',
    labelNames: ['field'] as const,
    registers: [registry],
  });
  const eventsReceived = new Counter({
    name: 'tidings_events_received_total',
    help: 'Events received from PostgreSQL NOTIFY, by topic',
    labelNames: ['topic'] as const,
    registers: [registry],
  });
  const eventsDelivered = new Counter({
    name: 'tidings_events_delivered_total',
    help: 'Events handed to subscribers (one per subscriber), by topic',
    labelNames: ['topic'] as const,
    registers: [registry],
  });
  const eventsDropped = new Counter({
    name: 'tidings_events_dropped_total',
    help: 'Events not delivered: slow_consumer (queue full, oldest dropped), socket_closed, malformed (unparsable NOTIFY)',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const shared = sharedMetrics(registry);
  // The per-request path: label sets resolved once per distinct combination (all bounded), so a
  // request costs two map lookups instead of prom-client hashing its labels each time.
  const operationSeries = new Map<string, { count: { inc(): void }; duration: { observe(v: number): void } }>();
  const httpSeries = new Map<string, { inc(): void }>();

  return {
    registry,
    ...shared,
    /** One finished GraphQL operation; `seconds` only for HTTP (a subscription has no latency). */
    operation(name: string | null | undefined, type: string | null | undefined, code: string, seconds?: number): void {
      const key = `${name ?? ''}\u0000${type ?? ''}\u0000${code}`;
      let series = operationSeries.get(key);
      if (!series) {
        const labels = { operation: operationName.value(name, 'anonymous'), type: type && OPERATION_TYPES.has(type) ? type : 'unknown' };
        series = { count: operations.labels({ ...labels, code: outcomeCode(code) }), duration: operationDuration.labels(labels) };
        // Names past the cap all map to "other": remember only the first ones.
        if (operationSeries.size < 10_000) operationSeries.set(key, series);
      }
      series.count.inc();
      if (seconds !== undefined) series.duration.observe(seconds);
    },
    httpResponse(path: string, status: number): void {
      const route = HTTP_ROUTES.has(path) ? path : 'other';
      const key = `${route} ${status}`;
      let series = httpSeries.get(key);
      if (!series) httpSeries.set(key, (series = httpResponses.labels({ route, status: String(status) })));
      series.inc();
    },
    rateLimited(transport: 'http' | 'ws'): void {
      rateLimited.inc({ transport });
    },
    watchSockets(count: () => number): void {
      openSockets = count;
    },
    subscriptionStarted(field: string): string {
      const label = subscriptionField.value(field);
      subscriptionsStarted.inc({ field: label });
      subscriptionsActive.inc({ field: label });
      return label;
    },
    subscriptionEnded(label: string): void {
      subscriptionsActive.dec({ field: label });
    },
    /** For events/: what EventHub and PgEventBridge report. */
    events: {
      received(topic: string): void {
        eventsReceived.inc({ topic });
      },
      delivered(topic: string, subscribers: number): void {
        if (subscribers > 0) eventsDelivered.inc({ topic }, subscribers);
      },
      dropped(reason: 'slow_consumer' | 'socket_closed' | 'malformed'): void {
        eventsDropped.inc({ reason });
      },
    },
  };
}

export type ApiMetrics = ReturnType<typeof createApiMetrics>;

/** The scoring tier of a model version: the lexicon fallback, or a trained model ("fast" unless told). */
export function scoringTier(modelVersion: string, tier?: string): string {
  if (tier) return tier;
  return modelVersion.startsWith('lexicon-') ? 'lexicon' : 'fast';
}

/** The stages of tidings_pipeline_stage_seconds, article in to alert out. */
export const PIPELINE_STAGES = ['published_to_stored', 'stored_to_fast_score', 'fast_to_accurate_score', 'score_to_signal', 'signal_to_webhook'] as const;
export type PipelineStage = (typeof PIPELINE_STAGES)[number];

export function createWorkerMetrics() {
  const registry = new Registry();
  const activityType = new LabelCap(100);
  const modelVersion = new LabelCap(50);
  const tierLabel = new LabelCap(10);
  const failureCode = new LabelCap(50);
  const signalType = new LabelCap(10);
  const activities = new Counter({
    name: 'tidings_activity_executions_total',
    help: 'Temporal activity executions (attempts) on this worker, by activity type and outcome (completed, failed, cancelled)',
    labelNames: ['activity', 'outcome'] as const,
    registers: [registry],
  });
  const activityDuration = new Histogram({
    name: 'tidings_activity_duration_seconds',
    help: 'Temporal activity execution time on this worker, by activity type and outcome',
    labelNames: ['activity', 'outcome'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [registry],
  });
  const feedPolls = new Counter({
    name: 'tidings_feed_polls_total',
    help: 'Feed polls by status (ok, not-modified, skipped, failed)',
    labelNames: ['status'] as const,
    registers: [registry],
  });
  const feedFailures = new Counter({
    name: 'tidings_feed_failures_total',
    help: 'Failed feed fetches and parses (each attempt), by error code',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const articlesScored = new Counter({
    name: 'tidings_articles_scored_total',
    help: 'Articles scored, by model version and tier (lexicon, fast, ...)',
    labelNames: ['model_version', 'tier'] as const,
    registers: [registry],
  });
  const scoringLag = new Histogram({
    name: 'tidings_scoring_lag_seconds',
    help: 'Time from an article being stored to its sentiment score being stored, by tier',
    labelNames: ['tier'] as const,
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 21600, 86400],
    registers: [registry],
  });
  const signalsEmitted = new Counter({
    name: 'tidings_signals_emitted_total',
    help: 'New trading signals stored and announced, by type (BUY, SELL, HOLD)',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  const stageLatency = new Histogram({
    name: 'tidings_pipeline_stage_seconds',
    help: 'Latency of each pipeline stage: published_to_stored, stored_to_fast_score, fast_to_accurate_score, score_to_signal, signal_to_webhook (signal commit to the first POST answered)',
    labelNames: ['stage'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400],
    registers: [registry],
  });
  const shared = sharedMetrics(registry);

  return {
    registry,
    ...shared,
    /** One observation of a pipeline stage's latency (seconds; negative clock skew counts as 0). */
    stageLatency(stage: PipelineStage, seconds: number): void {
      if (Number.isFinite(seconds)) stageLatency.observe({ stage }, Math.max(0, seconds));
    },
    activity(type: string, outcome: 'completed' | 'failed' | 'cancelled', seconds: number): void {
      const labels = { activity: activityType.value(type), outcome };
      activities.inc(labels);
      activityDuration.observe(labels, seconds);
    },
    feedPoll(status: string): void {
      feedPolls.inc({ status });
    },
    feedFailure(code: string): void {
      feedFailures.inc({ code: failureCode.value(code) });
    },
    /** `lagSeconds`: for each article scored live, seconds since it was stored (none for backfills). */
    scored(version: string, tier: string, count: number, lagSeconds: number[] = []): void {
      const t = tierLabel.value(tier);
      if (count > 0) articlesScored.inc({ model_version: modelVersion.value(version), tier: t }, count);
      for (const lag of lagSeconds) {
        scoringLag.observe({ tier: t }, Math.max(0, lag));
        if (t === 'fast' || t === 'lexicon') stageLatency.observe({ stage: 'stored_to_fast_score' }, Math.max(0, lag));
      }
    },
    signalEmitted(type: string): void {
      signalsEmitted.inc({ type: signalType.value(type) });
    },
  };
}

export type WorkerMetrics = ReturnType<typeof createWorkerMetrics>;

/** The exposition text of this process's metrics plus `registry`'s (and any extra text, e.g. the Temporal SDK's). */
export async function renderMetrics(registry: Registry, extra?: () => Promise<string>): Promise<string> {
  const [own, proc, more] = await Promise.all([registry.metrics(), processMetrics().metrics(), extra ? extra() : Promise.resolve('')]);
  return [proc, own, more].filter((t) => t.trim() !== '').map((t) => (t.endsWith('\n') ? t : `${t}\n`)).join('');
}
