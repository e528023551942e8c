import type { Logger } from '../config/logger';
import type { User } from '../entities';
import type { Services } from '../services';
import type { AuthFailure } from '../services/api-key.service';

/** Who is calling, once the API key has been resolved. */
export interface Principal {
  userId: string;
  role: 'ADMIN' | 'USER';
  apiKeyId: string;
  keyExpiresAt: number | null;
  /** As of the key lookup (cached for at most a couple of seconds). */
  user: User;
}

/** On graphql-ws connections: where this subscription's `next` messages go. */
export interface WsDelivery {
  subscriptionId: string;
  send(message: string): void;
}

export interface GraphQLContext {
  requestId: string;
  log: Logger;
  services: Services;
  principal: Principal | null;
  /** Why there is no principal, when a key was sent but refused; reported only if one was needed. */
  authFailure?: AuthFailure;
  /** The caller's IP address (HTTP), for per-address throttles such as the password exchange. */
  clientAddress?: string;
  /** bench/auth.ts only: every check is skipped. */
  authDisabled?: boolean;
  wsDelivery?: WsDelivery;
}
