import type { AuthChecker } from 'type-graphql';
import { AUTH_FAILURE_MESSAGES, type AuthFailure, type Authenticated } from '../../services/api-key.service';
import type { Services } from '../../services';
import type { GraphQLContext, Principal } from '../context';
import { apiError } from '../errors';
import { keyFromAuthorization } from '../../domain/access/key-format';

/** Root fields callable without a key: the password exchange that issues the first key. */
export const PUBLIC_ROOT_FIELDS = new Set(['createApiKeyWithPassword']);

export function unauthenticated(failure: AuthFailure | undefined) {
  return apiError('UNAUTHENTICATED', AUTH_FAILURE_MESSAGES[failure ?? 'missing']);
}

export function toPrincipal(auth: Authenticated): Principal {
  return { userId: auth.user.id, role: auth.user.role, apiKeyId: auth.apiKeyId, keyExpiresAt: auth.expiresAt, user: auth.user };
}

/** Resolves an Authorization value (header or connectionParams) into principal or failure. */
export async function resolveAuthorization(services: Services, authorization: unknown): Promise<{ principal: Principal | null; authFailure?: AuthFailure }> {
  const result = await services.apiKeys.authenticate(keyFromAuthorization(authorization));
  return typeof result === 'string' ? { principal: null, authFailure: result === 'missing' ? undefined : result } : { principal: toPrincipal(result) };
}

/** `@Authorized()` needs any valid key, `@Authorized('ADMIN')` an admin's. */
export const authChecker: AuthChecker<GraphQLContext> = ({ context }, roles) => {
  if (context.authDisabled) return true;
  if (!context.principal) throw unauthenticated(context.authFailure);
  if (roles.length > 0 && !roles.includes(context.principal.role)) {
    throw apiError('FORBIDDEN', `this needs the ${roles.join(' or ')} role`);
  }
  return true;
};

/** The token bucket for this principal; null when allowed, the error to return otherwise. */
export async function rateLimit(ctx: GraphQLContext, limits: { USER: number; ADMIN: number }) {
  if (!ctx.principal || ctx.authDisabled) return null;
  const decision = await ctx.services.rateLimits.consume(`key:${ctx.principal.apiKeyId}`, limits[ctx.principal.role]);
  if (decision.ok) return null;
  return apiError('RATE_LIMITED', `rate limit exceeded for this API key; retry in ${decision.retryAfterSeconds} s`, {
    retryAfterSeconds: decision.retryAfterSeconds,
  });
}
