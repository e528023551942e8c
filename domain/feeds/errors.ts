/**
 * Errors carry a transient/permanent kind so the activity layer can decide between a Temporal
 * retry (transient) and marking the feed source as broken (permanent) without parsing messages.
 */
export type FeedErrorKind = 'transient' | 'permanent';

export type FeedFetchErrorCode =
  | 'TIMEOUT'
  | 'NETWORK'
  | 'HTTP_5XX'
  | 'RATE_LIMITED'
  | 'NOT_FOUND'
  | 'HTTP_4XX'
  | 'TOO_LARGE'
  | 'BAD_CONTENT_TYPE'
  | 'TOO_MANY_REDIRECTS'
  | 'BAD_REDIRECT'
  | 'BAD_URL'
  /** The destination is not fetched (SSRF guard): loopback, private, metadata, a port not allowed. */
  | 'REFUSED';

export class FeedFetchError extends Error {
  override readonly name = 'FeedFetchError';
  readonly kind: FeedErrorKind;
  readonly code: FeedFetchErrorCode;
  readonly url: string;
  readonly httpStatus?: number;
  /** From Retry-After on 429/503: how long the server asked us to wait. */
  readonly retryAfterSeconds?: number;

  constructor(
    code: FeedFetchErrorCode,
    message: string,
    opts: { url: string; kind?: FeedErrorKind; httpStatus?: number; retryAfterSeconds?: number; cause?: unknown },
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.kind = opts.kind ?? defaultFetchKind(code);
    this.url = opts.url;
    if (opts.httpStatus !== undefined) this.httpStatus = opts.httpStatus;
    if (opts.retryAfterSeconds !== undefined) this.retryAfterSeconds = opts.retryAfterSeconds;
  }
}

function defaultFetchKind(code: FeedFetchErrorCode): FeedErrorKind {
  switch (code) {
    case 'TIMEOUT':
    case 'NETWORK':
    case 'HTTP_5XX':
    case 'RATE_LIMITED':
      return 'transient';
    default:
      return 'permanent';
  }
}

export type FeedParseErrorCode =
  | 'INVALID_ENCODING'
  | 'UNSUPPORTED_ENCODING'
  | 'NOT_A_FEED'
  | 'MALFORMED_XML'
  | 'FORBIDDEN_DTD'
  | 'TOO_LARGE';

/** Parsing the same bytes again gives the same answer, so every parse error is permanent. */
export class FeedParseError extends Error {
  override readonly name = 'FeedParseError';
  readonly kind: FeedErrorKind = 'permanent';
  readonly code: FeedParseErrorCode;

  constructor(code: FeedParseErrorCode, message: string, opts: { cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
  }
}
