/**
 * One dedicated PostgreSQL connection per API process LISTENs on the events channel and hands
 * each notification to the local EventHub. If the connection drops it reconnects with
 * backoff; events sent while it was down are lost (NOTIFY is not a queue), which is why
 * events only announce what is already stored and can be re-read.
 */
import { Client } from 'pg';
import type { Logger } from '../config/logger';
import type { EventHub } from './event-hub';
import { EVENTS_CHANNEL, Topic, type EventEnvelope } from './topics';

/** What the bridge reports (the API's metrics). */
export interface EventBridgeObserver {
  received(topic: string): void;
  dropped(reason: 'malformed'): void;
}

const TOPICS = new Set<string>(Object.values(Topic));

export class PgEventBridge {
  private client: Client | null = null;
  private stopped = false;
  private reconnectTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly databaseUrl: string,
    private readonly hub: EventHub,
    private readonly log: Logger,
    private readonly observer?: EventBridgeObserver,
  ) {}

  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.databaseUrl, application_name: 'tidings-events' });
    client.on('notification', (msg) => {
      if (msg.channel !== EVENTS_CHANNEL || !msg.payload) return;
      let event: EventEnvelope;
      try {
        event = JSON.parse(msg.payload) as EventEnvelope;
      } catch (err) {
        this.observer?.dropped('malformed');
        this.log.warn({ err }, 'dropped a malformed event notification');
        return;
      }
      this.observer?.received(TOPICS.has(event?.topic) ? event.topic : 'other');
      try {
        this.hub.dispatch(event);
      } catch (err) {
        this.log.warn({ err }, 'event dispatch failed');
      }
    });
    client.on('error', (err) => {
      this.log.warn({ err: err.message }, 'event listener connection failed; reconnecting');
      this.scheduleReconnect(client);
    });
    client.on('end', () => this.scheduleReconnect(client));
    await client.connect();
    await client.query(`LISTEN ${EVENTS_CHANNEL}`);
    this.client = client;
  }

  private scheduleReconnect(failed: Client, delayMs = 500): void {
    if (this.stopped || this.client !== failed || this.reconnectTimer) return;
    this.client = null;
    failed.removeAllListeners('end');
    failed.end().catch(() => undefined);
    this.reconnectTimer = setTimeout(async () => {
      this.reconnectTimer = null;
      if (this.stopped) return;
      try {
        await this.connect();
        this.log.info('event listener reconnected');
      } catch {
        this.client = failed; // lets scheduleReconnect run again
        this.scheduleReconnect(failed, Math.min(delayMs * 2, 10_000));
      }
    }, delayMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = null;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
    }
  }
}
