/**
 * What a query selects below a field, so resolvers can ask the services for only the columns the
 * response needs (the services take plain field names and know nothing of GraphQL).
 */
import { Kind, type FieldNode, type GraphQLResolveInfo } from 'graphql';

/** True when every sub-selection of this field is a plain field among `allowed` (no fragments). */
export function selectsOnly(info: Pick<GraphQLResolveInfo, 'fieldNodes'>, allowed: ReadonlySet<string>): boolean {
  return info.fieldNodes.every((node) => node.selectionSet?.selections.every((sel) => sel.kind === Kind.FIELD && allowed.has(sel.name.value)) ?? false);
}

function collect(nodes: readonly FieldNode[], path: readonly string[]): Set<string> | undefined {
  let level: readonly FieldNode[] = nodes;
  for (const step of path) {
    const next: FieldNode[] = [];
    for (const node of level) {
      for (const sel of node.selectionSet?.selections ?? []) {
        if (sel.kind !== Kind.FIELD) return undefined;
        if (sel.name.value === step) next.push(sel);
      }
    }
    level = next;
  }
  const names = new Set<string>();
  for (const node of level) {
    for (const sel of node.selectionSet?.selections ?? []) {
      if (sel.kind !== Kind.FIELD) return undefined;
      names.add(sel.name.value);
    }
  }
  return names;
}

/**
 * Per parsed field node (Apollo reuses one document per query text), `computed` map and path:
 * the answer is a function of the three.
 */
const cache = new WeakMap<FieldNode, Map<ReadonlyMap<string, readonly string[]>, Map<string, ReadonlySet<string> | undefined>>>();

/**
 * The row fields a selection below this field reads, following `path` (e.g. `['edges', 'node']`
 * from a connection to its nodes): the selected field names, with each field a resolver computes
 * replaced by the row fields it reads (`computed`), and `__typename` dropped. Undefined when a
 * fragment appears on the way, since its fields depend on the type: then the caller reads whole
 * rows.
 */
export function selectedFields(info: Pick<GraphQLResolveInfo, 'fieldNodes'>, path: readonly string[], computed: ReadonlyMap<string, readonly string[]>): ReadonlySet<string> | undefined {
  const compute = () => {
    const names = collect(info.fieldNodes, path);
    if (!names) return undefined;
    names.delete('__typename');
    for (const [name, reads] of computed) {
      if (!names.delete(name)) continue;
      for (const field of reads) names.add(field);
    }
    return names;
  };
  // Merged fields (the same response name selected twice) span several nodes: not cached.
  if (info.fieldNodes.length !== 1) return compute();
  const node = info.fieldNodes[0];
  let byComputed = cache.get(node);
  if (!byComputed) cache.set(node, (byComputed = new Map()));
  let byPath = byComputed.get(computed);
  if (!byPath) byComputed.set(computed, (byPath = new Map()));
  const key = path.join('.');
  if (byPath.has(key)) return byPath.get(key);
  const names = compute();
  byPath.set(key, names);
  return names;
}
