/**
 * Bounds on a GraphQL document, checked before validation (whose overlapping-fields rule grows
 * with the square of repeated fields): the source's size in bytes, its token count (graphql-js
 * stops parsing at `maxTokens`), and the number of selections (fields, aliases included, and
 * fragment spreads). All three are linear, so a refused document costs next to nothing.
 * Used by HTTP (middleware in front of Apollo) and by graphql-ws (onSubscribe).
 */
import type { NextFunction, Request, Response } from 'express';
import { GraphQLError, parse, visit, type DocumentNode } from 'graphql';
import { apiError } from './errors';

export interface DocumentLimits {
  /** UTF-8 bytes of the query text. */
  maxBytes: number;
  /** Lexical tokens (a string literal is one token). */
  maxTokens: number;
  /** Field selections (each alias counts) plus fragment spreads, over all definitions. */
  maxSelections: number;
}

/**
 * Generous for real clients (GraphiQL's introspection query: ~3 KB, ~330 tokens, ~150
 * selections) and small enough that validating the worst document within them stays far below
 * 100 ms of event loop (bench/hostile.ts, BENCHMARKS.md). Large inputs belong in variables.
 */
export const DEFAULT_DOCUMENT_LIMITS: DocumentLimits = { maxBytes: 64 * 1024, maxTokens: 5000, maxSelections: 500 };

function tooLarge(message: string, extensions: Record<string, unknown>): GraphQLError {
  return apiError('QUERY_TOO_LARGE', message, extensions);
}

/** Counts selections without recursion limits of its own: the parser already bounded the tree. */
export function countSelections(document: DocumentNode): number {
  let n = 0;
  visit(document, {
    Field() {
      n++;
    },
    FragmentSpread() {
      n++;
    },
  });
  return n;
}

/**
 * Parses `source` within the limits. Throws QUERY_TOO_LARGE for a document over a limit and the
 * parser's own GraphQLError (a syntax error) for one that does not parse.
 */
export function parseBounded(source: string, limits: DocumentLimits): DocumentNode {
  // A UTF-8 byte is at most one UTF-16 unit, so length > maxBytes settles most cases without encoding.
  if (source.length > limits.maxBytes || Buffer.byteLength(source, 'utf8') > limits.maxBytes) {
    throw tooLarge(`the query text is larger than ${limits.maxBytes} bytes; send large values as variables`, { maxBytes: limits.maxBytes });
  }
  let document: DocumentNode;
  try {
    document = parse(source, { maxTokens: limits.maxTokens });
  } catch (err) {
    if (err instanceof GraphQLError && /contains more th(?:an|at) \d+ tokens/.test(err.message)) {
      throw tooLarge(`the query has more than ${limits.maxTokens} tokens; send large values as variables`, { maxTokens: limits.maxTokens });
    }
    throw err;
  }
  const selections = countSelections(document);
  if (selections > limits.maxSelections) {
    throw tooLarge(`the query selects ${selections} fields and fragments, more than the maximum of ${limits.maxSelections}`, {
      selections,
      maxSelections: limits.maxSelections,
    });
  }
  return document;
}

/**
 * Express middleware in front of Apollo: refuses an oversized document before Apollo parses and
 * validates it, with a GraphQL-style JSON error (400, QUERY_TOO_LARGE). Syntax errors are left
 * to Apollo (GRAPHQL_PARSE_FAILED), whose own parse uses the same maxTokens (`parseOptions`).
 */
export function documentLimitsMiddleware(limits: DocumentLimits) {
  return (req: Request, res: Response, next: NextFunction) => {
    const body = req.body as { query?: unknown } | undefined;
    const query = req.method === 'GET' ? (req.query as Record<string, unknown>).query : body && !Array.isArray(body) ? body.query : undefined;
    if (typeof query !== 'string') return next();
    try {
      parseBounded(query, limits);
    } catch (err) {
      if (err instanceof GraphQLError && err.extensions.code === 'QUERY_TOO_LARGE') {
        const graphqlResponse = /application\/graphql-response\+json/.test(req.header('accept') ?? '');
        res.status(400).type(graphqlResponse ? 'application/graphql-response+json' : 'application/json');
        res.send(JSON.stringify({ errors: [{ message: err.message, extensions: err.extensions }] }));
        return;
      }
    }
    next();
  };
}
