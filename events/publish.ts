import { EVENTS_CHANNEL, type EventEnvelope, type Topic, type TopicPayload } from './topics';

/** Anything that runs SQL: a pg Pool/Client, a TypeORM DataSource, EntityManager or QueryRunner. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** NOTIFY payloads are capped at 8000 bytes by PostgreSQL; events carry ids, not documents. */
const MAX_PAYLOAD_BYTES = 7900;

/**
 * Publishes through PostgreSQL NOTIFY. Called inside a transaction, the event is delivered
 * only if and when that transaction commits, so subscribers never hear of unsaved data.
 */
export async function publishEvent<T extends Topic>(db: Queryable, topic: T, key: string, payload: TopicPayload<T>): Promise<void> {
  const envelope = { topic, key, payload } as EventEnvelope<T>;
  const text = JSON.stringify(envelope);
  if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES) {
    throw new Error(`event ${topic}/${key} is ${Buffer.byteLength(text)} bytes; NOTIFY carries at most ${MAX_PAYLOAD_BYTES}`);
  }
  await db.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, text]);
}

/** Many small events in one round trip (same rules as publishEvent). */
export async function publishEvents(db: Queryable, events: EventEnvelope[]): Promise<void> {
  if (events.length === 0) return;
  const texts = events.map((e) => {
    const text = JSON.stringify({ topic: e.topic, key: e.key, payload: e.payload });
    if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES) throw new Error(`event ${e.topic}/${e.key} is too large for NOTIFY`);
    return text;
  });
  await db.query('SELECT count(pg_notify($1, t)) FROM unnest($2::text[]) AS t', [EVENTS_CHANNEL, texts]);
}
