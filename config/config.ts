/**
 * All configuration in one typed object, read from the environment once and validated at
 * start-up so a typo fails fast with a message instead of misbehaving later.
 */
import path from 'node:path';
import { DestinationPolicyError, parseDestinationPolicy, type DestinationPolicy } from '../domain/net/destination-guard';
import { checkQueueBase, parseQueueKinds, QUEUE_KINDS, TaskQueueError, type QueueKind } from '../domain/task-queues';
import { loadMlConfig, MlConfigError, type MlConfig } from './ml';
import { niceValueFromEnv } from './nice-value';
import { repoRoot } from './paths';

export type Environment = 'development' | 'test' | 'production';

export interface AppConfig {
  env: Environment;
  /** Unset: `npm start` runs an embedded PostgreSQL under dataDir. */
  databaseUrl: string | undefined;
  /** Unset: `npm start` runs a Temporal dev server. */
  temporalAddress: string | undefined;
  temporalNamespace: string;
  temporalCliPath: string | undefined;
  /**
   * Base of the task queue names (TEMPORAL_TASK_QUEUE, default `tidings`): the work is split
   * over `<base>-ingest`, `-scoring`, `-alerts` and `-batch` (domain/task-queues.ts).
   */
  taskQueue: string;
  /** The queues this worker process serves (TIDINGS_WORKER_QUEUES, comma list; default all four). */
  workerQueues: QueueKind[];
  /**
   * Slots per queue (TIDINGS_<QUEUE>_MAX_CONCURRENT_ACTIVITIES / _MAX_CONCURRENT_WORKFLOW_TASKS):
   * each queue has its own Worker, so a full batch queue leaves the alerts queue its slots.
   */
  queueConcurrency: Record<QueueKind, QueueConcurrency>;
  /**
   * PostgreSQL connections of a worker process (TIDINGS_WORKER_DB_POOL_SIZE, default 30). Its
   * queues' activities share them: with the default slots (50 alerts activities among them), a
   * pool of 10 left the fast tier's activities waiting for a connection behind signal and webhook
   * writes (BENCHMARKS.md, "latency").
   */
  workerDbPoolSize: number;
  /**
   * CPU priority of a worker process as a nice value, 0-19 (TIDINGS_WORKER_NICE, default 0). On a
   * shared machine a worker that serves only the batch queue runs at 10 or more, so sweeps take
   * the CPU the live queues, PostgreSQL and Temporal leave idle, not theirs (lowerCpuPriority, ml/runtime/thread-priority.ts).
   */
  workerNice: number;
  dataDir: string;
  host: string;
  port: number;
  embeddedPostgresPort: number;
  temporalDevPort: number;
  temporalUiPort: number;
  /** Base URL of a Temporal UI run elsewhere (e.g. docker-compose); printed and linked. */
  temporalUiUrl: string | undefined;
  logLevel: string;
  graphiql: boolean;
  introspection: boolean;
  /** Token bucket per API key: capacity and refill per minute, by role. */
  rateLimitUserPerMin: number;
  rateLimitAdminPerMin: number;
  maxQueryDepth: number;
  maxQueryComplexity: number;
  /**
   * Where outgoing fetches (feeds) may go: public addresses on ports 80/443, plus the hosts and
   * CIDRs of TIDINGS_FETCH_ALLOW_HOSTS on any port and the ports of TIDINGS_FETCH_ALLOW_PORTS.
   */
  fetchPolicy: DestinationPolicy;
  /** Items read from one feed body at most (TIDINGS_FEED_MAX_ITEMS); the rest are skipped with a reason. */
  feedMaxItems: number;
  /** createApiKeyWithPassword: failures per email / per client address in the window before RATE_LIMITED. */
  loginMaxFailuresPerEmail: number;
  loginMaxFailuresPerAddress: number;
  loginWindowSeconds: number;
  /**
   * Express "trust proxy" (TRUST_PROXY): unset/false uses the socket's address as the client
   * address; behind a load balancer name its hops (a number) or addresses/CIDRs, or the
   * per-address login throttle sees every client as the balancer.
   */
  trustProxy: boolean | number | string;
  /** Webhook deliveries: attempt cap, response bytes read, retry schedule, auto-disable threshold (TIDINGS_WEBHOOK_*). */
  webhooks: {
    attemptTimeoutMs: number;
    maxResponseBytes: number;
    initialIntervalMs: number;
    maxIntervalMs: number;
    maxAgeMs: number;
    /** Deliveries failing in a row before an endpoint is disabled automatically. */
    disableAfter: number;
  };
  /** Model folders, encoder threads and TensorFlow backend choice (config/ml.ts), handed to ml/ via configureMl. */
  ml: MlConfig;
  /** Polls failing in a row before operators are alerted (TIDINGS_FEED_ALERT_AFTER). */
  feedAlertAfter: number;
  /** /ready?deep: a worker counts as polling when Temporal saw it poll within this many ms (longer than Temporal's ~60 s long poll). */
  readyPollerMaxAgeMs: number;
  /**
   * Re-tag every stored article when an admin changes the ticker universe (TIDINGS_RETAG_ON_UNIVERSE_CHANGE,
   * default on). The integration tests turn it off except where they test it: they hand-write
   * article_tickers rows that no text would yield, and a re-tag started by another test file would rewrite them.
   */
  retagOnUniverseChange: boolean;
  /** Cron (UTC) of the daily recompute of every followed ticker's signals (TIDINGS_SIGNALS_RECOMPUTE_CRON). */
  signalsRecomputeCron: string;
  /**
   * /metrics (API port and worker metrics port) is open to loopback callers; others need
   * `Authorization: Bearer <metricsToken>`, and are refused when it is unset.
   */
  metricsToken: string | undefined;
  /** Where the worker serves /metrics (the API serves it on its own port). */
  metricsHost: string;
  metricsPort: number;
  /** Loopback port of the Temporal SDK's own Prometheus exporter; the worker's /metrics appends it. 0 = any free port. */
  temporalSdkMetricsPort: number;
  /**
   * Skips API-key checks. Exists only so bench/auth.ts can measure what auth costs; refused in
   * production and never read from the environment.
   */
  authDisabled: boolean;
  /** GraphQL document bounds checked before validation (api/document-limits.ts). */
  maxDocumentBytes: number;
  maxDocumentTokens: number;
  maxDocumentSelections: number;
  /** Largest graphql-ws message accepted, before authentication too (ws `maxPayload`). */
  wsMaxPayloadBytes: number;
  /** Browser origins allowed by CORS and on the graphql-ws upgrade; empty: no CORS, any Origin on upgrade. */
  corsOrigins: string[];
  /** Stack traces in GraphQL error responses: only when asked for, and honoured only in development. */
  graphqlStackTraces: boolean;
}

export interface QueueConcurrency {
  maxConcurrentActivities: number;
  maxConcurrentWorkflowTasks: number;
  /**
   * Scoring only: slots of its encoder lane (TIDINGS_SCORING_ENCODER_MAX_CONCURRENT_ACTIVITIES),
   * the accurate tier's activities (domain/task-queues.ts encoderLaneQueue).
   */
  maxConcurrentEncoderActivities?: number;
}

/**
 * Defaults for a 2-core machine running every queue in one process: alerts are I/O (HTTP POSTs,
 * small transactions) and get many slots; batch work is CPU-bound and gets few, so it progresses
 * without crowding the event loop that scoring and alerts share with it. The live queues get many
 * workflow-task slots: a slot is held while the task crosses the busy main thread to its workflow
 * thread and back, and with 10 the scoring queue's tasks waited in Temporal for seconds (7-9 s
 * mean, matching service metrics) under a 20 articles/s stream; the fast tier's activity (short,
 * and the first thing a user sees) gets 16 slots so it never queues behind a few slow ones
 * (BENCHMARKS.md, "latency").
 */
export const DEFAULT_QUEUE_CONCURRENCY: Record<QueueKind, QueueConcurrency> = {
  ingest: { maxConcurrentActivities: 10, maxConcurrentWorkflowTasks: 20 },
  scoring: { maxConcurrentActivities: 16, maxConcurrentWorkflowTasks: 50, maxConcurrentEncoderActivities: 2 },
  alerts: { maxConcurrentActivities: 50, maxConcurrentWorkflowTasks: 50 },
  batch: { maxConcurrentActivities: 2, maxConcurrentWorkflowTasks: 4 },
};

export class ConfigError extends Error {}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new ConfigError(`${name} must be an integer port/number, got "${raw}"`);
  }
  return value;
}

function positive(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new ConfigError(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

function queueConcurrency(env: NodeJS.ProcessEnv): Record<QueueKind, QueueConcurrency> {
  return Object.fromEntries(
    QUEUE_KINDS.map((kind) => {
      const prefix = `TIDINGS_${kind.toUpperCase()}`;
      const fallback = DEFAULT_QUEUE_CONCURRENCY[kind];
      const workflowTasks = positive(env, `${prefix}_MAX_CONCURRENT_WORKFLOW_TASKS`, fallback.maxConcurrentWorkflowTasks);
      // The SDK needs two workflow-task slots (one for the sticky queue, one for the normal one).
      if (workflowTasks < 2) throw new ConfigError(`${prefix}_MAX_CONCURRENT_WORKFLOW_TASKS must be at least 2, got "${env[`${prefix}_MAX_CONCURRENT_WORKFLOW_TASKS`]}"`);
      const slots: QueueConcurrency = { maxConcurrentActivities: positive(env, `${prefix}_MAX_CONCURRENT_ACTIVITIES`, fallback.maxConcurrentActivities), maxConcurrentWorkflowTasks: workflowTasks };
      if (fallback.maxConcurrentEncoderActivities !== undefined) slots.maxConcurrentEncoderActivities = positive(env, `${prefix}_ENCODER_MAX_CONCURRENT_ACTIVITIES`, fallback.maxConcurrentEncoderActivities);
      return [kind, slots];
    }),
  ) as Record<QueueKind, QueueConcurrency>;
}

function taskQueues(env: NodeJS.ProcessEnv): { taskQueue: string; workerQueues: QueueKind[] } {
  try {
    return { taskQueue: checkQueueBase(optional(env, 'TEMPORAL_TASK_QUEUE') ?? 'tidings'), workerQueues: parseQueueKinds(env.TIDINGS_WORKER_QUEUES) };
  } catch (err) {
    if (err instanceof TaskQueueError) throw new ConfigError(`TEMPORAL_TASK_QUEUE / TIDINGS_WORKER_QUEUES: ${err.message}`);
    throw err;
  }
}

function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function optional(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

/** A comma-separated allow-list of origins such as `https://app.example.com,http://localhost:5173`. */
function origins(env: NodeJS.ProcessEnv, name: string): string[] {
  const raw = optional(env, name);
  if (!raw) return [];
  return raw.split(',').map((o) => {
    const origin = o.trim();
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      throw new ConfigError(`${name} must list origins such as https://app.example.com, got "${origin}"`);
    }
    if (!/^https?:$/.test(parsed.protocol) || parsed.origin !== origin.replace(/\/$/, '')) {
      throw new ConfigError(`${name} must list bare origins (scheme://host[:port]), got "${origin}"`);
    }
    return parsed.origin;
  });
}

function trustProxy(raw: string | undefined): boolean | number | string {
  if (raw === undefined || /^(0|false|no|off)$/i.test(raw)) return false;
  if (/^(true|yes|on)$/i.test(raw)) return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  return raw; // addresses, CIDRs or names such as "loopback, uniquelocal" (Express checks them)
}

function mlConfig(env: NodeJS.ProcessEnv): MlConfig {
  try {
    return loadMlConfig(env);
  } catch (err) {
    if (err instanceof MlConfigError) throw new ConfigError(err.message);
    throw err;
  }
}

function fetchPolicy(env: NodeJS.ProcessEnv): DestinationPolicy {
  try {
    return parseDestinationPolicy(env.TIDINGS_FETCH_ALLOW_HOSTS, env.TIDINGS_FETCH_ALLOW_PORTS);
  } catch (err) {
    if (err instanceof DestinationPolicyError) throw new ConfigError(`TIDINGS_FETCH_ALLOW_HOSTS / TIDINGS_FETCH_ALLOW_PORTS: ${err.message}`);
    throw err;
  }
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const nodeEnv = (env.NODE_ENV ?? 'development') as Environment;
  if (!['development', 'test', 'production'].includes(nodeEnv)) {
    throw new ConfigError(`NODE_ENV must be development, test or production, got "${env.NODE_ENV}"`);
  }
  const databaseUrl = optional(env, 'DATABASE_URL');
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL must look like postgres://user:password@host:5432/database');
  }
  const isProd = nodeEnv === 'production';
  return {
    env: nodeEnv,
    databaseUrl,
    temporalAddress: optional(env, 'TEMPORAL_ADDRESS'),
    temporalNamespace: optional(env, 'TEMPORAL_NAMESPACE') ?? 'default',
    temporalCliPath: optional(env, 'TEMPORAL_CLI_PATH'),
    ...taskQueues(env),
    queueConcurrency: queueConcurrency(env),
    workerDbPoolSize: positive(env, 'TIDINGS_WORKER_DB_POOL_SIZE', 30),
    workerNice: niceValueFromEnv(env, 'TIDINGS_WORKER_NICE', 0, ConfigError),
    dataDir: path.resolve(optional(env, 'TIDINGS_DATA_DIR') ?? path.join(repoRoot(), '.data')),
    host: optional(env, 'HOST') ?? '127.0.0.1',
    port: int(env, 'PORT', 4000),
    embeddedPostgresPort: int(env, 'EMBEDDED_PG_PORT', 54329),
    temporalDevPort: int(env, 'TEMPORAL_DEV_PORT', 7233),
    temporalUiPort: int(env, 'TEMPORAL_UI_PORT', 8233),
    temporalUiUrl: optional(env, 'TEMPORAL_UI_URL'),
    logLevel: optional(env, 'LOG_LEVEL') ?? (nodeEnv === 'test' ? 'warn' : 'info'),
    graphiql: bool(env, 'GRAPHIQL', !isProd),
    introspection: bool(env, 'GRAPHQL_INTROSPECTION', !isProd),
    rateLimitUserPerMin: positive(env, 'RATE_LIMIT_USER_PER_MIN', 600),
    rateLimitAdminPerMin: positive(env, 'RATE_LIMIT_ADMIN_PER_MIN', 3000),
    maxQueryDepth: positive(env, 'GRAPHQL_MAX_DEPTH', 10),
    maxQueryComplexity: positive(env, 'GRAPHQL_MAX_COMPLEXITY', 1000),
    fetchPolicy: fetchPolicy(env),
    feedMaxItems: positive(env, 'TIDINGS_FEED_MAX_ITEMS', 5000),
    loginMaxFailuresPerEmail: positive(env, 'LOGIN_MAX_FAILURES_PER_EMAIL', 10),
    loginMaxFailuresPerAddress: positive(env, 'LOGIN_MAX_FAILURES_PER_ADDRESS', 30),
    loginWindowSeconds: positive(env, 'LOGIN_FAILURE_WINDOW_SECONDS', 900),
    trustProxy: trustProxy(optional(env, 'TRUST_PROXY')),
    metricsToken: optional(env, 'METRICS_TOKEN'),
    metricsHost: optional(env, 'METRICS_HOST') ?? '127.0.0.1',
    // Tests run many workers side by side: any free port unless one is asked for.
    metricsPort: int(env, 'METRICS_PORT', nodeEnv === 'test' ? 0 : 9464),
    temporalSdkMetricsPort: int(env, 'TEMPORAL_SDK_METRICS_PORT', nodeEnv === 'test' ? 0 : 9465),
    webhooks: {
      attemptTimeoutMs: positive(env, 'TIDINGS_WEBHOOK_TIMEOUT_MS', 10_000),
      maxResponseBytes: positive(env, 'TIDINGS_WEBHOOK_MAX_RESPONSE_BYTES', 64 * 1024),
      initialIntervalMs: positive(env, 'TIDINGS_WEBHOOK_RETRY_INITIAL_MS', 10_000),
      maxIntervalMs: positive(env, 'TIDINGS_WEBHOOK_RETRY_MAX_INTERVAL_MS', 3_600_000),
      maxAgeMs: positive(env, 'TIDINGS_WEBHOOK_MAX_AGE_MS', 24 * 3_600_000),
      disableAfter: positive(env, 'TIDINGS_WEBHOOK_DISABLE_AFTER', 10),
    },
    ml: mlConfig(env),
    feedAlertAfter: positive(env, 'TIDINGS_FEED_ALERT_AFTER', 5),
    readyPollerMaxAgeMs: positive(env, 'TIDINGS_READY_POLLER_MAX_AGE_SECONDS', 75) * 1000,
    retagOnUniverseChange: (optional(env, 'TIDINGS_RETAG_ON_UNIVERSE_CHANGE') ?? 'on') !== 'off',
    signalsRecomputeCron: optional(env, 'TIDINGS_SIGNALS_RECOMPUTE_CRON') ?? '15 22 * * 1-5',
    authDisabled: false,
    maxDocumentBytes: positive(env, 'GRAPHQL_MAX_DOCUMENT_BYTES', 64 * 1024),
    maxDocumentTokens: positive(env, 'GRAPHQL_MAX_TOKENS', 5000),
    maxDocumentSelections: positive(env, 'GRAPHQL_MAX_SELECTIONS', 200),
    wsMaxPayloadBytes: positive(env, 'WS_MAX_PAYLOAD_BYTES', 1024 * 1024),
    corsOrigins: origins(env, 'CORS_ORIGINS'),
    graphqlStackTraces: nodeEnv === 'development' && bool(env, 'GRAPHQL_STACKTRACES', false),
  };
}

/** `--queues=a,b` or `--queues a,b` on the worker's command line; it overrides TIDINGS_WORKER_QUEUES. */
export function workerQueuesFlag(argv: string[]): { workerQueues?: QueueKind[] } {
  const i = argv.findIndex((a) => a === '--queues' || a.startsWith('--queues='));
  if (i < 0) return {};
  const value = argv[i].includes('=') ? argv[i].slice('--queues='.length) : argv[i + 1];
  if (value === undefined || value.startsWith('--')) throw new ConfigError(`--queues needs a comma list of ${QUEUE_KINDS.join(', ')} (or all)`);
  try {
    return { workerQueues: parseQueueKinds(value) };
  } catch (err) {
    if (err instanceof TaskQueueError) throw new ConfigError(`--queues: ${err.message}`);
    throw err;
  }
}
