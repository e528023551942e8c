/**
 * The one error type services (and the activities and CLI commands that call them) throw for
 * a refusal the caller should see: a code clients switch on, a message meant for people, and
 * details such as the offending `field` or `retryAfterSeconds`. It knows nothing of GraphQL or
 * HTTP; api/errors.ts turns it into a GraphQL error in one place (toGraphQLError), so a
 * service can be called from the API, the CLI, a bench or a test alike.
 */

/** The refusals a service can make. The API adds its own (UNAUTHENTICATED, QUERY_TOO_DEEP, ...). */
export type ServiceErrorCode = 'BAD_USER_INPUT' | 'NOT_FOUND' | 'CONFLICT' | 'FORBIDDEN' | 'RATE_LIMITED' | 'FEATURE_DISABLED';

/** What travels with the code: `field` names the input at fault; anything else is passed on as is. */
export interface ServiceErrorDetails {
  field?: string;
  retryAfterSeconds?: number;
  [detail: string]: unknown;
}

export class ServiceError extends Error {
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
    readonly details: ServiceErrorDetails = {},
  ) {
    super(message);
    this.name = 'ServiceError';
  }

  /** The input at fault, when one is. */
  get field(): string | undefined {
    return this.details.field;
  }
}

/** BAD_USER_INPUT naming the field at fault: the commonest refusal. */
export function badInput(field: string, message: string): ServiceError {
  return new ServiceError('BAD_USER_INPUT', message, { field });
}
