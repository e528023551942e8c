/**
 * Admission: the one pipeline every GraphQL operation passes before anything executes, whichever
 * way it came in (Apollo behind Express, the Express-free POST path in api/http-graphql.ts, or a
 * graphql-ws `subscribe` message). In order:
 *
 *   1. bounds       the document's size, tokens, selections and repeated names (linear, before parsing
 *                   for validation, whose overlapping-fields rule is quadratic)        QUERY_TOO_LARGE
 *   2. validation   graphql-js's rules plus the depth limit        GRAPHQL_VALIDATION_FAILED, QUERY_TOO_DEEP
 *   3. complexity   the cost with the variables (list sizes)          QUERY_TOO_COMPLEX, BAD_USER_INPUT
 *   4. NUL          no U+0000 in any string argument                                    BAD_USER_INPUT
 *   5. auth         a valid key, unless the operation is public                          UNAUTHENTICATED
 *   6. rate limit   the key's token bucket                                                 RATE_LIMITED
 *
 * Over HTTP, Apollo parses and validates (with `validationRules` and `parseOptions` from here) and
 * the plugin below runs steps 3-6; the bounds run in front of Apollo on both HTTP paths. Over
 * graphql-ws, `admitSubscription` runs all six (the key itself was checked once, at connection_init).
 * The limits are read from the configuration once, into `AdmissionLimits`.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { NextFunction, Request, Response } from 'express';
import { getOperationAST, GraphQLError, Kind, specifiedRules, validate, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode, type ValidationRule } from 'graphql';
import { LRUCache } from 'lru-cache';
import type { AppConfig } from '../config/config';
import type { Logger } from '../config/logger';
import type { ApiMetrics } from '../observability/metrics';
import type { Services } from '../services';
import type { AuthFailure } from '../services/api-key.service';
import { PUBLIC_ROOT_FIELDS, rateLimit, resolveAuthorization, unauthenticated } from './auth/auth';
import type { GraphQLContext, Principal } from './context';
import { documentLimitError, parseBounded, MAX_SAME_RESPONSE_NAME, type DocumentLimits } from './document-limits';
import { errorSummary, isServiceUnavailable, unavailableError, withHttpStatus } from './http-errors';
import { assertNoNul } from './input-guards';
import { assertComplexity, depthLimitRule } from './query-guards';

export { MAX_SAME_RESPONSE_NAME };

/** express.json({ limit: '2mb' }) and the fast path's body limit: body-parser's "2mb" is 2 * 1024 * 1024 bytes. */
export const GRAPHQL_BODY_LIMIT_BYTES = 2 * 1024 * 1024;

/** Every limit admission applies, in one place (the numbers come from config/config.ts, env-overridable). */
export interface AdmissionLimits {
  /**
   * Bounds on the query text (step 1). The defaults (64 KiB, 5,000 tokens, 200 selections) are
   * generous for real clients (GraphiQL's introspection query: ~3 KB, ~330 tokens, 80 selections)
   * and small enough that validating the worst document within them stays far below 100 ms of
   * event loop (bench/hostile.ts, BENCHMARKS.md). Large inputs belong in variables.
   */
  document: DocumentLimits;
  /** Nesting of fields, introspection excepted (step 2). */
  maxDepth: number;
  /** The cost estimate (step 3). */
  maxComplexity: number;
  /** Operations per minute per key, by role (step 6). */
  ratePerMinute: { USER: number; ADMIN: number };
  /** Bytes in one graphql-ws message, connection_init included; checked by the ws server before admission. */
  wsMaxPayloadBytes: number;
  /** Bytes in one HTTP request body. */
  httpBodyBytes: number;
}

export function admissionLimits(config: AppConfig): AdmissionLimits {
  return {
    document: { maxBytes: config.maxDocumentBytes, maxTokens: config.maxDocumentTokens, maxSelections: config.maxDocumentSelections },
    maxDepth: config.maxQueryDepth,
    maxComplexity: config.maxQueryComplexity,
    ratePerMinute: { USER: config.rateLimitUserPerMin, ADMIN: config.rateLimitAdminPerMin },
    wsMaxPayloadBytes: config.wsMaxPayloadBytes,
    httpBodyBytes: GRAPHQL_BODY_LIMIT_BYTES,
  };
}

const INTROSPECTION_ROOT_FIELDS = new Set(['__schema', '__type', '__typename']);

/**
 * True when the operation may run without a key: a single password exchange for a first key,
 * and, where introspection is enabled at all (not in production by default), schema
 * introspection, so GraphiQL can show the docs before a key is entered.
 */
export function isPublicOperation(op: OperationDefinitionNode, introspection: boolean): boolean {
  const fields = op.selectionSet.selections.map((s) => (s.kind === Kind.FIELD ? s.name.value : ''));
  // One password exchange per keyless request: aliases must not multiply the bcrypt work.
  if (fields.length === 1 && PUBLIC_ROOT_FIELDS.has(fields[0])) return true;
  return introspection && op.operation === 'query' && fields.some((f) => f === '__schema' || f === '__type') && fields.every((f) => INTROSPECTION_ROOT_FIELDS.has(f));
}

/** A refused document as the HTTP paths answer it: 400 with a GraphQL-style JSON body. */
export interface BoundsRefusal {
  status: 400;
  contentType: string;
  body: string;
}

/** An operation graphql-ws may run, or the errors it is refused with (and their code, for the metrics). */
export type SubscriptionAdmission =
  | { ok: true; document: DocumentNode; operation: OperationDefinitionNode | undefined }
  | { ok: false; errors: readonly GraphQLError[]; code: string; operation: OperationDefinitionNode | undefined };

export interface AdmissionDeps {
  schema: GraphQLSchema;
  services: Services;
  limits: AdmissionLimits;
  /** Whether introspection is enabled (it makes schema introspection public). */
  introspection: boolean;
  /** bench/auth.ts only: no key needed, no rate limit. */
  authDisabled: boolean;
  metrics: Pick<ApiMetrics, 'rateLimited'>;
}

/**
 * The HTTP GraphQL context. `log` (the request's child logger) is a getter on the prototype, made
 * on first use: Apollo copies the context's own properties into a fresh object per operation
 * (Object.assign), which would call an own getter at once; a prototype getter survives the copy.
 */
class HttpContext implements GraphQLContext {
  principal: Principal | null = null;
  authFailure?: GraphQLContext['authFailure'];
  authDisabled?: boolean;
  constructor(
    readonly requestId: string,
    readonly services: Services,
    readonly clientAddress: string | undefined,
    private readonly requestLog: () => Logger,
  ) {}
  get log(): Logger {
    return this.requestLog();
  }
}

export type Admission = ReturnType<typeof createAdmission>;

export function createAdmission(deps: AdmissionDeps) {
  const { schema, limits } = deps;
  /** Added to graphql-js's specified rules (Apollo adds them itself: `validationRules`). */
  const validationRules: ValidationRule[] = [depthLimitRule(limits.maxDepth)];
  /**
   * Valid subscription documents by their text. Subscribers send the same few texts thousands
   * of times (one dashboard query per user, 10,000 users): each text is parsed and validated
   * once and its subscriptions share one DocumentNode, which saves the memory of a syntax tree
   * per subscriber and lets the per-node selection caches (api/selection.ts) serve them all.
   * Validity depends on the text alone (one schema, fixed rules); refused texts are not kept.
   */
  const validDocuments = new LRUCache<string, DocumentNode>({ maxSize: 4 * 1024 * 1024, sizeCalculation: (_doc, text) => Math.max(1, text.length) });

  /** Step 1 for the HTTP paths: the refusal to send, or null to let Apollo parse (syntax errors are Apollo's). */
  function boundsRefusal(query: unknown, accept: string | undefined): BoundsRefusal | null {
    if (typeof query !== 'string') return null;
    const err = documentLimitError(query, limits.document);
    if (!err) return null;
    const graphqlResponse = /application\/graphql-response\+json/.test(accept ?? '');
    return {
      status: 400,
      contentType: `${graphqlResponse ? 'application/graphql-response+json' : 'application/json'}; charset=utf-8`,
      body: JSON.stringify({ errors: [{ message: err.message, extensions: err.extensions }] }),
    };
  }

  /** Step 1 as Express middleware in front of Apollo (GET query strings and JSON bodies). */
  function boundsMiddleware() {
    return (req: Request, res: Response, next: NextFunction) => {
      const body = req.body as { query?: unknown } | undefined;
      const query = req.method === 'GET' ? (req.query as Record<string, unknown>).query : body && !Array.isArray(body) ? body.query : undefined;
      const refusal = boundsRefusal(query, req.header('accept'));
      if (!refusal) return next();
      res.status(refusal.status).type(refusal.contentType.split(';')[0]);
      res.send(refusal.body);
    };
  }

  /** The key behind an Authorization value (header or connectionParams); throws when the key store is unreachable. */
  async function authenticate(authorization: unknown): Promise<{ principal: Principal | null; authFailure?: AuthFailure }> {
    return resolveAuthorization(deps.services, authorization);
  }

  /**
   * Step 5's first half over HTTP: the request's context with its key resolved (a missing or bad
   * key is reported only if the operation needs one); the request's child logger made only when used.
   */
  async function httpContext(requestId: string, requestLog: () => Logger, clientAddress: string | undefined, authorization: string | undefined): Promise<GraphQLContext> {
    const ctx: GraphQLContext = new HttpContext(requestId, deps.services, clientAddress, requestLog);
    if (deps.authDisabled) {
      ctx.authDisabled = true;
      return ctx;
    }
    let resolved: Awaited<ReturnType<typeof authenticate>>;
    try {
      resolved = await authenticate(authorization);
    } catch (err) {
      if (!isServiceUnavailable(err)) throw err;
      ctx.log.warn({ error: errorSummary(err) }, 'cannot check the API key: a dependency is unavailable');
      throw withHttpStatus(unavailableError());
    }
    ctx.principal = resolved.principal;
    if (resolved.authFailure !== undefined) ctx.authFailure = resolved.authFailure;
    return ctx;
  }

  /**
   * Steps 3-6 for a parsed, valid operation. Throws the refusal (a GraphQLError with its code);
   * a key store that does not answer during the rate limit throws as it is (the caller maps it).
   */
  async function admitOperation(ctx: GraphQLContext, document: DocumentNode, operation: OperationDefinitionNode | null | undefined, operationName: string | undefined, variables: Record<string, unknown> | undefined, transport: 'http' | 'ws'): Promise<void> {
    assertComplexity(schema, document, operationName, variables, limits.maxComplexity);
    assertNoNul(document, variables);
    if (ctx.authDisabled) return;
    if (!ctx.principal && !(operation && isPublicOperation(operation, deps.introspection))) throw unauthenticated(ctx.authFailure);
    const limited = await rateLimit(ctx, limits.ratePerMinute);
    if (limited) {
      deps.metrics.rateLimited(transport);
      throw limited;
    }
  }

  /** Steps 3-6 inside Apollo, once it has parsed, validated and resolved the operation. */
  function apolloPlugin(): ApolloServerPlugin<GraphQLContext> {
    return {
      async requestDidStart() {
        return {
          async didResolveOperation({ operation, document, request, contextValue }) {
            await admitOperation(contextValue, document, operation, request.operationName ?? undefined, request.variables, 'http');
          },
        };
      },
    };
  }

  /** All six steps for one graphql-ws `subscribe` message (the socket's key was admitted at connection_init). */
  async function admitSubscription(ctx: GraphQLContext, payload: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null }): Promise<SubscriptionAdmission> {
    const refuse = (errors: readonly GraphQLError[], operation: OperationDefinitionNode | undefined, fallbackCode = 'GRAPHQL_VALIDATION_FAILED'): SubscriptionAdmission => {
      const first = errors[0];
      const original = first?.originalError;
      const code = (original instanceof GraphQLError ? original.extensions.code : undefined) ?? first?.extensions.code ?? fallbackCode;
      return { ok: false, errors, code: String(code), operation };
    };
    let document = validDocuments.get(payload.query);
    if (!document) {
      let parsed: DocumentNode;
      try {
        parsed = parseBounded(payload.query, limits.document);
      } catch (err) {
        return refuse([err instanceof GraphQLError ? err : new GraphQLError(String(err))], undefined, 'GRAPHQL_PARSE_FAILED');
      }
      const errors = validate(schema, parsed, [...specifiedRules, ...validationRules]);
      if (errors.length > 0) return refuse(errors, getOperationAST(parsed, payload.operationName) ?? undefined);
      validDocuments.set(payload.query, parsed);
      document = parsed;
    }
    const operation = getOperationAST(document, payload.operationName) ?? undefined;
    try {
      await admitOperation(ctx, document, operation, payload.operationName ?? undefined, payload.variables ?? undefined, 'ws');
    } catch (err) {
      if (err instanceof GraphQLError) return refuse([err], operation);
      if (isServiceUnavailable(err)) return refuse([unavailableError()], operation);
      throw err;
    }
    return { ok: true, document, operation };
  }

  return { limits, validationRules, boundsRefusal, boundsMiddleware, authenticate, httpContext, apolloPlugin, admitSubscription };
}
