/**
 * Bounds on a GraphQL document, checked before validation (whose overlapping-fields rule grows
 * with the square of repeated fields): the source's size in bytes, its token count (graphql-js
 * stops parsing at `maxTokens`), the number of selections (fields, aliases included, and
 * fragment spreads) and how often one response name repeats in a selection set. All are
 * linear, so a refused document costs next to nothing.
 * Step 1 of admission (api/admission.ts), for HTTP and graphql-ws alike.
 */
import { GraphQLError, Kind, parse, visit, type DocumentNode } from 'graphql';
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
 * Fields sharing one response name in one selection set. Validation compares every such pair
 * (and merges their sub-selections), so this keeps the quadratic part small; real queries
 * repeat a name once or twice.
 */
export const MAX_SAME_RESPONSE_NAME = 10;

function tooLarge(message: string, extensions: Record<string, unknown>): GraphQLError {
  return apiError('QUERY_TOO_LARGE', message, extensions);
}

/** Selections in the document, and the most fields sharing one response name in any one selection set. */
export function measureSelections(document: DocumentNode): { selections: number; sameName: number } {
  let selections = 0;
  let sameName = 0;
  visit(document, {
    SelectionSet(node) {
      const names = new Map<string, number>();
      for (const sel of node.selections) {
        if (sel.kind !== Kind.FIELD) continue;
        const name = (sel.alias ?? sel.name).value;
        const n = (names.get(name) ?? 0) + 1;
        names.set(name, n);
        if (n > sameName) sameName = n;
      }
    },
    Field() {
      selections++;
    },
    FragmentSpread() {
      selections++;
    },
  });
  return { selections, sameName };
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
  const { selections, sameName } = measureSelections(document);
  if (selections > limits.maxSelections) {
    throw tooLarge(`the query selects ${selections} fields and fragments, more than the maximum of ${limits.maxSelections}`, {
      selections,
      maxSelections: limits.maxSelections,
    });
  }
  if (sameName > MAX_SAME_RESPONSE_NAME) {
    throw tooLarge(`the query selects one response name ${sameName} times in one selection set, more than the maximum of ${MAX_SAME_RESPONSE_NAME}`, {
      sameName,
      maxSameName: MAX_SAME_RESPONSE_NAME,
    });
  }
  return document;
}

/** Per set of limits, documents that passed, by text: the verdict is a pure function of the text. */
const passed = new WeakMap<DocumentLimits, Set<string>>();
const WITHIN_LIMITS_MAX = 1000;

/**
 * The QUERY_TOO_LARGE error for a document over a limit, null otherwise (a syntax error is left
 * to Apollo). A document that passed is remembered (up to 1,000 texts, the oldest forgotten
 * first) so a client's repeated document is not parsed twice per request.
 */
export function documentLimitError(query: string, limits: DocumentLimits): GraphQLError | null {
  let withinLimits = passed.get(limits);
  if (!withinLimits) passed.set(limits, (withinLimits = new Set()));
  if (withinLimits.has(query)) return null;
  try {
    parseBounded(query, limits);
  } catch (err) {
    if (err instanceof GraphQLError && err.extensions.code === 'QUERY_TOO_LARGE') return err;
    return null;
  }
  if (withinLimits.size >= WITHIN_LIMITS_MAX) withinLimits.delete(withinLimits.values().next().value!);
  withinLimits.add(query);
  return null;
}
