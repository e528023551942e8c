import type WebSocket from 'ws';
import type { Logger } from '../../config/logger';
import type { EventHub } from '../../events/event-hub';
import { ALL_KEY, Topic } from '../../events/topics';

/** graphql-ws close code for a refused or withdrawn credential (4401 "Unauthorized" by convention). */
export const CLOSE_UNAUTHORIZED = 4401;
const MAX_TIMER_MS = 2 ** 31 - 1;

interface Entry {
  apiKeyId: string;
  userId: string;
}

/**
 * Which live sockets authenticated with which key. CREDENTIALS_REVOKED arrives through
 * PostgreSQL NOTIFY on every API process, so each process closes its own matching sockets.
 */
export class SocketRegistry {
  private readonly sockets = new Map<WebSocket, Entry>();
  private stopped = false;
  private readonly subscription: ReturnType<EventHub['subscribe']>;

  constructor(hub: EventHub, log: Logger, onRevoked: () => void) {
    const subscription = hub.subscribe([{ topic: Topic.CREDENTIALS_REVOKED, key: ALL_KEY }]);
    this.subscription = subscription;
    void (async () => {
      for await (const event of subscription) {
        onRevoked();
        const closed = this.closeMatching(event);
        if (closed > 0) log.info({ closed, apiKeyId: event.apiKeyId, userId: event.userId }, 'closed sockets for revoked credentials');
      }
    })().catch((err: unknown) => {
      if (!this.stopped) log.error({ err }, 'credential revocation listener failed');
    });
  }

  /** A socket whose key has an expiry is closed when the key expires, like a revoked one. */
  add(socket: WebSocket, entry: Entry, expiresAt: number | null = null): void {
    this.sockets.set(socket, entry);
    let expiry: NodeJS.Timeout | undefined;
    const delay = expiresAt === null ? null : expiresAt - Date.now();
    // setTimeout cannot wait longer than ~24.8 days; a socket open that long is re-checked then.
    if (delay !== null) {
      const schedule = (ms: number) => {
        expiry = setTimeout(() => {
          const left = expiresAt! - Date.now();
          if (left > 0) return schedule(Math.min(left, MAX_TIMER_MS));
          if (this.sockets.delete(socket)) socket.close(CLOSE_UNAUTHORIZED, 'API key expired');
        }, Math.max(0, ms));
        expiry.unref();
      };
      schedule(Math.min(delay, MAX_TIMER_MS));
    }
    socket.once('close', () => {
      clearTimeout(expiry);
      this.sockets.delete(socket);
    });
  }

  closeMatching(event: { apiKeyId?: string; userId?: string }): number {
    let n = 0;
    for (const [socket, entry] of this.sockets) {
      if ((event.apiKeyId && entry.apiKeyId === event.apiKeyId) || (event.userId && entry.userId === event.userId)) {
        socket.close(CLOSE_UNAUTHORIZED, event.apiKeyId === entry.apiKeyId ? 'API key revoked' : 'user deactivated');
        this.sockets.delete(socket);
        n++;
      }
    }
    return n;
  }

  stop(): void {
    this.stopped = true;
    this.subscription.close();
  }
}
