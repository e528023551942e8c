/** Every event topic in one place. Keys route within a topic (a ticker, a backtest id, …). */
export enum Topic {
  PIPELINE_PROBE_COMPLETED = 'pipeline_probe_completed',
  SIGNAL_CREATED = 'signal_created',
  BACKTEST_PROGRESS = 'backtest_progress',
  /** A stored article, once per ticker it mentions (key: the ticker). */
  ARTICLE_ADDED = 'article_added',
  /** A key was revoked or a user deactivated: API processes close the affected sockets. */
  CREDENTIALS_REVOKED = 'credentials_revoked',
}

/** The key every subscriber to "all of a topic" listens on. */
export const ALL_KEY = '*';

/** The PostgreSQL channel all events travel on. */
export const EVENTS_CHANNEL = 'tidings_events';

/** A new signal, keyed by its ticker. Subscribers filter on confidence, then load the row by id. */
export interface SignalCreatedEvent {
  id: string;
  ticker: string;
  type: 'BUY' | 'SELL' | 'HOLD';
  confidence: number;
}

/** Permutation progress of one backtest, keyed by its id; the last event carries the final status. */
export interface BacktestProgressEvent {
  id: string;
  done: number;
  total: number;
  status: 'PENDING' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
}

/** A probe's row was completed; keyed ALL_KEY. */
export interface PipelineProbeCompletedEvent {
  id: string;
}

/** A stored article, keyed by one ticker it mentions (published once per ticker). */
export interface ArticleAddedEvent {
  id: string;
  ticker: string;
}

/** One key revoked, or every key of one user (deactivated); keyed ALL_KEY. */
export interface CredentialsRevokedEvent {
  apiKeyId?: string;
  userId?: string;
}

/**
 * What each topic carries: the one declaration publishers (publishEvent) and subscribers
 * (EventHub#subscribe) both read, so the two cannot drift apart. Payloads carry ids and small
 * facts, never documents: NOTIFY caps an event at 8000 bytes.
 */
export interface TopicPayloads {
  [Topic.PIPELINE_PROBE_COMPLETED]: PipelineProbeCompletedEvent;
  [Topic.SIGNAL_CREATED]: SignalCreatedEvent;
  [Topic.BACKTEST_PROGRESS]: BacktestProgressEvent;
  [Topic.ARTICLE_ADDED]: ArticleAddedEvent;
  [Topic.CREDENTIALS_REVOKED]: CredentialsRevokedEvent;
}

export type TopicPayload<T extends Topic> = TopicPayloads[T];

/**
 * One event as it travels (JSON in a NOTIFY). The payload is typed by the publisher; what
 * arrives from PostgreSQL is trusted to match, since only publishEvent writes the channel.
 */
export type EventEnvelope<T extends Topic = Topic> = { [K in T]: { topic: K; key: string; payload: TopicPayloads[K] } }[T];
