/**
 * Edge checks over argument values, before anything executes: a NUL character (U+0000) is
 * refused in every string argument, literal or variable, with BAD_USER_INPUT naming the
 * argument. PostgreSQL cannot store U+0000 in text, and a value nobody can store is the
 * caller's mistake, not a server error. Batch imports that report bad items by index check
 * their items themselves (ITEMISED), so one bad item never sinks the good ones.
 */
import { Kind, type DocumentNode, type SelectionSetNode, type ValueNode } from 'graphql';
import { apiError } from './errors';

/** Arguments whose service rejects a bad item by index and keeps the rest. */
const ITEMISED = new Set(['importArticles.items']);

function nulInValue(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (depth > 20 || value === null || typeof value !== 'object') return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const hit = nulInValue(value[i], `${path}[${i}]`, depth + 1);
      if (hit) return hit;
    }
    return null;
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k.includes('\u0000')) return `${path}.${k.replaceAll('\u0000', '\\0')}`;
    const hit = nulInValue(v, `${path}.${k}`, depth + 1);
    if (hit) return hit;
  }
  return null;
}

function nulInNode(node: ValueNode, path: string, variables: Record<string, unknown>): string | null {
  switch (node.kind) {
    case Kind.STRING:
      return node.value.includes('\u0000') ? path : null;
    case Kind.VARIABLE:
      return nulInValue(variables[node.name.value], path);
    case Kind.LIST:
      for (let i = 0; i < node.values.length; i++) {
        const hit = nulInNode(node.values[i], `${path}[${i}]`, variables);
        if (hit) return hit;
      }
      return null;
    case Kind.OBJECT:
      for (const f of node.fields) {
        const hit = nulInNode(f.value, `${path}.${f.name.value}`, variables);
        if (hit) return hit;
      }
      return null;
    default:
      return null;
  }
}

/** The path of the first argument value holding U+0000 (e.g. `createApiKeyWithPassword.email`), or null. */
export function findNulArgument(document: DocumentNode, variables: Record<string, unknown> | null | undefined): string | null {
  const vars = variables ?? {};
  const walk = (set: SelectionSetNode): string | null => {
    for (const sel of set.selections) {
      if (sel.kind === Kind.FIELD) {
        for (const arg of sel.arguments ?? []) {
          const path = `${sel.name.value}.${arg.name.value}`;
          if (ITEMISED.has(path)) continue;
          const hit = nulInNode(arg.value, path, vars);
          if (hit) return hit;
        }
        if (sel.selectionSet) {
          const hit = walk(sel.selectionSet);
          if (hit) return hit;
        }
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        const hit = walk(sel.selectionSet);
        if (hit) return hit;
      }
    }
    return null;
  };
  // Fragments are walked once each, where they are defined; the parser and validation bound their size.
  for (const d of document.definitions) {
    if (d.kind === Kind.OPERATION_DEFINITION || d.kind === Kind.FRAGMENT_DEFINITION) {
      const hit = walk(d.selectionSet);
      if (hit) return hit;
    }
  }
  return null;
}

/** Throws BAD_USER_INPUT when any argument holds U+0000. */
export function assertNoNul(document: DocumentNode, variables: Record<string, unknown> | null | undefined): void {
  const path = findNulArgument(document, variables);
  if (path) throw apiError('BAD_USER_INPUT', `${path} contains a NUL character (U+0000), which cannot be stored; remove it`, { field: path });
}
