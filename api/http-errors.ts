/**
 * How errors leave the API: one place that decides the HTTP status of a GraphQL response
 * (GraphQL-over-HTTP), turns a lost database or Temporal connection into UNAVAILABLE with a
 * retry hint, masks unexpected errors (no stack traces, file paths or internal addresses unless
 * stack traces were asked for in development), and answers body-parser failures (malformed
 * JSON, oversized bodies) with a GraphQL-style JSON error instead of Express's HTML page.
 */
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import type { NextFunction, Request, Response } from 'express';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from '../config/logger';
import type { GraphQLContext } from './context';
import { ServiceError } from '../services/errors';
import { apiError, toGraphQLError } from './errors';

/** What a client waits before retrying when PostgreSQL or Temporal does not answer. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** Statuses for errors that refuse a whole operation. */
const REFUSAL_STATUS: Record<string, number> = {
  UNAVAILABLE: 503,
  RATE_LIMITED: 429,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
};

/** Statuses for request errors (nothing was executed). */
const REQUEST_ERROR_STATUS: Record<string, number> = {
  ...REFUSAL_STATUS,
  BAD_USER_INPUT: 400,
  BAD_REQUEST: 400,
  GRAPHQL_PARSE_FAILED: 400,
  GRAPHQL_VALIDATION_FAILED: 400,
  QUERY_TOO_DEEP: 400,
  QUERY_TOO_COMPLEX: 400,
  QUERY_TOO_LARGE: 400,
  PERSISTED_QUERY_NOT_SUPPORTED: 400,
  OPERATION_RESOLUTION_FAILURE: 400,
};

/** What GraphQL-over-HTTP asks 200 for when the client accepts only legacy application/json. */
const LEGACY_200_CODES = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']);

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EAI_AGAIN',
  // PostgreSQL: admin/crash shutdown, cannot connect now, too many connections, connection exceptions.
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);
const CONNECTION_MESSAGE =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down|in recovery mode)|Connection is not established|Client was closed and is not queryable/i;

function causes(err: unknown): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  let e: unknown = err;
  for (let i = 0; i < 6 && e && typeof e === 'object' && !out.includes(e as Record<string, unknown>); i++) {
    const o = e as Record<string, unknown>;
    out.push(o);
    e = o.originalError ?? o.driverError ?? o.cause;
  }
  return out;
}

/** True when the error says PostgreSQL (or Temporal) could not be reached, not that a query was wrong. */
export function isServiceUnavailable(err: unknown): boolean {
  return causes(err).some((e) => {
    if (typeof e.code === 'string' && CONNECTION_CODES.has(e.code)) return true;
    // Temporal's gRPC UNAVAILABLE (14) / DEADLINE_EXCEEDED (4).
    if (e.name === 'ServiceError' && causes(e.cause).some((c) => c.code === 14 || c.code === 4)) return true;
    return typeof e.message === 'string' && CONNECTION_MESSAGE.test(e.message);
  });
}

/** PostgreSQL class 22 (data exception): a value the database cannot take, e.g. U+0000 in text. */
function isDataException(err: unknown): boolean {
  return causes(err).some((e) => typeof e.code === 'string' && /^22[0-9A-Z]{3}$/.test(e.code) && typeof e.severity === 'string');
}

/**
 * What is logged of an unexpected error: name, code, message and stack, never the whole object
 * (a TypeORM QueryFailedError carries the query's parameters, which may hold secrets).
 */
export function errorSummary(err: unknown): Record<string, unknown> {
  const chain = causes(err);
  const root = chain[chain.length - 1] ?? {};
  const top = chain[0] ?? {};
  const text = (v: unknown) => (typeof v === 'string' ? v.slice(0, 500) : undefined);
  return {
    name: text(root.name) ?? text(top.name),
    code: typeof root.code === 'string' || typeof root.code === 'number' ? root.code : undefined,
    message: text(root.message) ?? text(top.message) ?? String(err).slice(0, 500),
    stack: text(typeof root.stack === 'string' ? root.stack.slice(0, 2000) : undefined),
  };
}

export function unavailableError(): GraphQLError {
  return apiError('UNAVAILABLE', `a service this API needs is not answering; retry in ${UNAVAILABLE_RETRY_AFTER_SECONDS} s`, {
    retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS,
  });
}

/** The same error carrying its own HTTP status, for paths where Apollo answers without plugins (context creation). */
export function withHttpStatus(err: GraphQLError): GraphQLError {
  const code = String(err.extensions.code ?? '');
  const status = REQUEST_ERROR_STATUS[code];
  if (!status) return err;
  const headers = new Map<string, string>();
  const retry = err.extensions.retryAfterSeconds;
  if (typeof retry === 'number') headers.set('retry-after', String(retry));
  return new GraphQLError(err.message, { extensions: { ...err.extensions, http: { status, headers } } });
}

export interface ErrorPolicy {
  log: Logger;
  /** Stack traces in responses: only when asked for, and only in development. */
  stackTraces: boolean;
}

/**
 * Apollo's formatError: gives service errors their code and details (toGraphQLError, the one
 * mapping), keeps the API's own codes, turns connection failures into UNAVAILABLE, database data
 * exceptions into BAD_USER_INPUT, and masks everything unexpected (logged in full).
 */
export function formatError(policy: ErrorPolicy) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = (error as GraphQLError)?.originalError;
    if (original instanceof ServiceError) {
      const { stacktrace } = formatted.extensions ?? {};
      return { ...formatted, extensions: { ...toGraphQLError(original).extensions, ...(stacktrace === undefined ? {} : { stacktrace }) } };
    }
    // Apollo relabels every validation error GRAPHQL_VALIDATION_FAILED; keep the guard's own code.
    const guardCode = original instanceof GraphQLError ? original.extensions.code : undefined;
    if (guardCode === 'QUERY_TOO_DEEP') return { ...formatted, extensions: { ...formatted.extensions, code: guardCode } };
    const code = formatted.extensions?.code;
    if (code !== 'INTERNAL_SERVER_ERROR' && code !== undefined) return formatted;
    if (isServiceUnavailable(error)) {
      policy.log.warn({ error: errorSummary(error), path: formatted.path }, 'a dependency is unavailable');
      const u = unavailableError();
      return { message: u.message, path: formatted.path, locations: formatted.locations, extensions: { ...u.extensions } };
    }
    if (isDataException(error)) {
      policy.log.warn({ error: errorSummary(error), path: formatted.path }, 'the database refused a value');
      return {
        message: 'an argument holds a value the database cannot store (for example a NUL character or an out-of-range date)',
        path: formatted.path,
        locations: formatted.locations,
        extensions: { code: 'BAD_USER_INPUT' },
      };
    }
    policy.log.error({ error: errorSummary(error), path: formatted.path }, 'unexpected error');
    if (policy.stackTraces) return formatted;
    return { message: 'internal error (logged on the server)', path: formatted.path, locations: formatted.locations, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

function acceptsOnlyLegacyJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const types = accept.split(',').map((t) => t.split(';')[0].trim().toLowerCase());
  return types.includes('application/json') && !types.includes('application/graphql-response+json');
}

/**
 * HTTP statuses per GraphQL-over-HTTP: a request error (nothing executed) gets 4xx/5xx by its
 * code; an operation refused as a whole (no data, every error the same refusal) gets 401, 403,
 * 429 or 503 with Retry-After; anything that produced data stays 200. A client that accepts
 * only legacy `application/json` gets 200 for parse, validation and variable errors, as the
 * spec recommends for that media type.
 */
export function httpStatusPlugin(): ApolloServerPlugin<GraphQLContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse(ctx: GraphQLRequestContext<GraphQLContext>) {
          const body = ctx.response.body;
          if (!body || body.kind !== 'single') return;
          const { data, errors } = body.singleResult;
          if (!errors?.length || (data !== undefined && data !== null)) return;
          const codes = [...new Set(errors.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR')))];
          const http = ctx.response.http;
          if (codes.length === 1 && REFUSAL_STATUS[codes[0]]) {
            http.status = REFUSAL_STATUS[codes[0]];
            const retry = errors[0].extensions?.retryAfterSeconds;
            if (typeof retry === 'number') http.headers.set('retry-after', String(retry));
            return;
          }
          if (data !== undefined) return; // executed: field errors stay 200
          if (codes.every((c) => LEGACY_200_CODES.has(c)) && acceptsOnlyLegacyJson(ctx.request.http?.headers.get('accept'))) {
            http.status = 200;
            return;
          }
          const statuses = codes.map((c) => REQUEST_ERROR_STATUS[c] ?? http.status ?? 500);
          http.status = Math.max(...statuses);
        },
      };
    },
  };
}

/**
 * `Cache-Control: no-store` on every GraphQL response, as Apollo's cache-control plugin sent for
 * responses without cache hints (none are used): answers depend on the caller's key and on the
 * latest writes, so no shared cache may keep them. That plugin's per-field hook is disabled.
 */
export function noStorePlugin(): ApolloServerPlugin<GraphQLContext> {
  const hooks = {
    async willSendResponse(ctx: GraphQLRequestContext<GraphQLContext>) {
      ctx.response.http.headers.set('cache-control', 'no-store');
    },
  };
  return {
    async requestDidStart() {
      return hooks;
    },
  };
}

/**
 * Express error handler for the GraphQL route: body-parser failures and anything thrown before
 * Apollo answer as a GraphQL-style JSON error, never as an HTML page with a stack trace.
 */
export function jsonErrorHandler(log: Logger) {
  return (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const e = (err ?? {}) as { status?: number; statusCode?: number; type?: string; message?: string };
    const status = e.status ?? e.statusCode ?? 500;
    let message = 'internal error (logged on the server)';
    let code = 'INTERNAL_SERVER_ERROR';
    if (e.type === 'entity.parse.failed') {
      message = 'the request body is not valid JSON';
      code = 'BAD_REQUEST';
    } else if (e.type === 'entity.too.large') {
      message = 'the request body is too large';
      code = 'BAD_REQUEST';
    } else if (status >= 400 && status < 500) {
      message = 'the request could not be read';
      code = 'BAD_REQUEST';
    } else {
      ((res.locals.log as Logger | undefined) ?? log).error({ error: errorSummary(err) }, 'unexpected error before GraphQL');
    }
    res.status(status >= 400 && status < 600 ? status : 500).json({ errors: [{ message, extensions: { code } }] });
  };
}
