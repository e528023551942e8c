import {
  GraphQLError,
  Kind,
  getOperationAST,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { apiError } from './errors';

function depthOf(set: SelectionSetNode | undefined, fragments: Map<string, FragmentDefinitionNode>, seen: Set<string>): number {
  if (!set) return 0;
  let max = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      // Introspection (GraphiQL's schema query nests ~13 deep) is governed by its own switch.
      if (sel.name.value === '__schema' || sel.name.value === '__type') continue;
      max = Math.max(max, sel.selectionSet ? 1 + depthOf(sel.selectionSet, fragments, seen) : 1);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      max = Math.max(max, depthOf(sel.selectionSet, fragments, seen));
    } else {
      const name = sel.name.value;
      const frag = fragments.get(name);
      if (!frag || seen.has(name)) continue; // unknown or cyclic spreads are reported by the standard rules
      seen.add(name);
      max = Math.max(max, depthOf(frag.selectionSet, fragments, seen));
      seen.delete(name);
    }
  }
  return max;
}

export function queryDepth(document: DocumentNode): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  let max = 0;
  for (const d of document.definitions) {
    if (d.kind === Kind.OPERATION_DEFINITION) max = Math.max(max, depthOf(d.selectionSet, fragments, new Set()));
  }
  return max;
}

/** Validation rule: static, so it needs no variables and runs before anything executes. */
export function depthLimitRule(maxDepth: number): ValidationRule {
  return (context: ValidationContext) => ({
    Document(node) {
      const depth = queryDepth(node);
      if (depth > maxDepth) {
        context.reportError(new GraphQLError(`query depth ${depth} exceeds the maximum of ${maxDepth}`, { extensions: { code: 'QUERY_TOO_DEEP', depth, maxDepth } }));
      }
    },
  });
}

/**
 * Cost per parsed document (Apollo reuses one DocumentNode per query text), operation and
 * variables: the cost is a pure function of those three, so a repeated request skips the walk.
 * Bounded per document, and the documents themselves are held weakly.
 */
const costCache = new WeakMap<DocumentNode, Map<string, number>>();
const COST_CACHE_PER_DOCUMENT = 64;

/** Cost needs the variables (list sizes), so it runs once the operation is resolved. */
export function assertComplexity(schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined, variables: Record<string, unknown> | undefined, max: number): void {
  let costs = costCache.get(document);
  if (!costs) costCache.set(document, (costs = new Map()));
  const key = `${operationName ?? ''}\u0000${variables ? JSON.stringify(variables) : ''}`;
  // Large variable sets (bulk imports) are costed afresh rather than kept as cache keys.
  if (key.length > 1024) costs = new Map();
  let complexity = costs.get(key);
  if (complexity === undefined) {
    // Variables of the wrong type are the caller's mistake: say so before the cost estimator trips on them.
    const operation = getOperationAST(document, operationName);
    if (operation) {
      const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 1 });
      if (coerced.errors?.length) {
        const name = operation.variableDefinitions?.find((d) => coerced.errors![0].message.includes(`"$${d.variable.name.value}"`))?.variable.name.value;
        throw apiError('BAD_USER_INPUT', coerced.errors[0].message, name ? { field: name } : {});
      }
    }
    try {
      complexity = getComplexity({
        schema,
        query: document,
        operationName,
        variables,
        estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
      });
    } catch (err) {
      // e.g. "Query exceeds the maximum allowed number of nodes": too complex, not a server fault.
      throw apiError('QUERY_TOO_COMPLEX', `query cost cannot be accepted: ${(err as Error).message}`, { maxComplexity: max });
    }
    if (costs.size >= COST_CACHE_PER_DOCUMENT) costs.delete(costs.keys().next().value!);
    costs.set(key, complexity);
  }
  if (complexity > max) throw apiError('QUERY_TOO_COMPLEX', `query cost ${complexity} exceeds the maximum of ${max}`, { complexity, maxComplexity: max });
}
