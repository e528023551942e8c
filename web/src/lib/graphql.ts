/**
 * The app's GraphQL transport: queries and mutations over fetch (same origin, key in the
 * Authorization header), subscriptions over one graphql-ws socket per signed-in session.
 * Documents are TypedDocumentStrings generated from the server's schema (web/src/gql), so
 * results and variables are typed and a breaking schema change fails `npm run build:web`.
 */
import { createClient, type Client } from 'graphql-ws/client';
import type { TypedDocumentString } from '../gql/graphql';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Called when the server says the key no longer works (HTTP UNAUTHENTICATED or socket 4401/4403). */
type AuthLost = (reason: string) => void;
let onAuthLost: AuthLost = () => undefined;
export function setAuthLostHandler(handler: AuthLost): void {
  onAuthLost = handler;
}

const GRAPHQL_URL = '/graphql';

export async function request<R, V>(key: string, doc: TypedDocumentString<R, V>, variables?: V): Promise<R> {
  let res: Response;
  try {
    res = await fetch(GRAPHQL_URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: doc.toString(), variables: variables ?? {} }),
    });
  } catch {
    throw new ApiError('The API cannot be reached. Is it running?', 'NETWORK', 0);
  }
  let body: { data?: R; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  try {
    body = await res.json();
  } catch {
    throw new ApiError(`The API answered ${res.status} without JSON`, 'HTTP', res.status);
  }
  const first = body.errors?.[0];
  if (first) {
    const code = first.extensions?.code;
    if (code === 'UNAUTHENTICATED') onAuthLost(first.message);
    throw new ApiError(first.message, code, res.status);
  }
  if (!body.data) throw new ApiError('The API answered without data', 'HTTP', res.status);
  return body.data;
}

export interface LiveSocket {
  client: Client;
  /** Why the socket was closed for good (revoked key), or null while it may still connect. */
  closedReason(): string | null;
  onStatus(listener: (status: SocketStatus) => void): () => void;
  dispose(): void;
}

export type SocketStatus = { state: 'connecting' | 'connected' | 'reconnecting' } | { state: 'refused'; code: number; reason: string };

/** Refused or withdrawn credentials (4401/4403) and bad requests: retrying cannot help. */
const FATAL = [4400, 4401, 4403];

export function openLiveSocket(key: string): LiveSocket {
  const listeners = new Set<(s: SocketStatus) => void>();
  let status: SocketStatus = { state: 'connecting' };
  let fatal: string | null = null;
  const emit = (s: SocketStatus) => {
    status = s;
    for (const l of listeners) l(s);
  };
  const url = new URL(GRAPHQL_URL, location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const client = createClient({
    url: url.toString(),
    lazy: true,
    keepAlive: 15_000,
    connectionParams: { authorization: `Bearer ${key}` },
    retryAttempts: Infinity,
    shouldRetry: (event) => !(isClose(event) && FATAL.includes(event.code)) && fatal === null,
    on: {
      connecting: (reconnecting) => emit({ state: reconnecting ? 'reconnecting' : 'connecting' }),
      connected: () => emit({ state: 'connected' }),
      closed: (event) => {
        if (isClose(event) && FATAL.includes(event.code)) {
          fatal = `${event.reason || 'Unauthorized'} (socket closed with ${event.code})`;
          emit({ state: 'refused', code: event.code, reason: event.reason || 'Unauthorized' });
          onAuthLost(fatal);
        }
      },
    },
  });
  return {
    client,
    closedReason: () => fatal,
    onStatus(listener) {
      listeners.add(listener);
      listener(status);
      return () => listeners.delete(listener);
    },
    dispose() {
      listeners.clear();
      void client.dispose();
    },
  };
}

function isClose(event: unknown): event is { code: number; reason: string } {
  return typeof event === 'object' && event !== null && 'code' in event && typeof (event as { code: unknown }).code === 'number';
}

/** Subscribes with a typed document; returns the unsubscribe function. */
export function subscribe<R, V>(
  socket: LiveSocket,
  doc: TypedDocumentString<R, V>,
  variables: V,
  handlers: { next: (data: R) => void; error?: (message: string) => void; complete?: () => void },
): () => void {
  return socket.client.subscribe<R>(
    { query: doc.toString(), variables: variables as Record<string, unknown> },
    {
      next: (value) => {
        if (value.errors?.length) handlers.error?.(value.errors[0].message);
        else if (value.data) handlers.next(value.data as R);
      },
      error: (err) => {
        const message = Array.isArray(err)
          ? String((err[0] as { message?: string })?.message ?? 'subscription refused')
          : isClose(err)
            ? `${err.reason || 'connection closed'} (${err.code})`
            : err instanceof Error
              ? err.message
              : 'the live connection failed';
        handlers.error?.(message);
      },
      complete: () => handlers.complete?.(),
    },
  );
}
