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

export interface EventEnvelope {
  topic: Topic;
  key: string;
  payload: unknown;
}
