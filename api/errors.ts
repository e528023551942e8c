import { GraphQLError } from 'graphql';
import { ServiceError, type ServiceErrorCode } from '../services/errors';

/** The codes clients switch on: the services' refusals plus the API's own. One vocabulary. */
export type ErrorCode = ServiceErrorCode | 'UNAUTHENTICATED' | 'QUERY_TOO_COMPLEX' | 'QUERY_TOO_DEEP' | 'QUERY_TOO_LARGE' | 'UNAVAILABLE';

/** An error the API layer itself raises (authentication, query guards, subscription checks). */
export function apiError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { ...extensions, code } });
}

/**
 * The one place a ServiceError becomes what clients see: the same message, and `extensions`
 * holding its details (`field`, `retryAfterSeconds`, ...) and its code. `located` is the error
 * graphql-js wrapped it in, whose path and locations are kept.
 */
export function toGraphQLError(err: ServiceError, located?: GraphQLError): GraphQLError {
  return new GraphQLError(err.message, {
    nodes: located?.nodes,
    source: located?.source,
    positions: located?.positions,
    path: located?.path,
    originalError: err,
    extensions: { ...err.details, code: err.code },
  });
}

/** A GraphQL error caused by a ServiceError, re-expressed by toGraphQLError; any other error unchanged. */
export function clientError(error: GraphQLError): GraphQLError {
  return error.originalError instanceof ServiceError ? toGraphQLError(error.originalError, error) : error;
}

/**
 * An execution result with every service error re-expressed (graphql-ws paths, which have no
 * Apollo formatError); the same object when there is nothing to change.
 */
export function withClientErrors<R extends { errors?: readonly GraphQLError[] }>(result: R): R {
  if (!result.errors?.some((e) => e.originalError instanceof ServiceError)) return result;
  return { ...result, errors: result.errors.map(clientError) };
}
