import { parse, type FieldNode, type OperationDefinitionNode } from 'graphql';
import { selectedFields, selectsOnly } from './selection';

/** The root field nodes of a query, as a resolver's `info.fieldNodes` holds them. */
function rootFields(query: string): FieldNode[] {
  return (parse(query).definitions[0] as OperationDefinitionNode).selectionSet.selections as FieldNode[];
}

const COMPUTED = new Map<string, readonly string[]>([
  ['tickers', []],
  ['technical', ['features']],
]);

describe('selectedFields', () => {
  it('follows the path to the nodes and lists their plain fields', () => {
    const [field] = rootFields('{ articles(first: 20) { edges { cursor node { title publishedAt tickers { ticker } } } pageInfo { endCursor } } }');
    expect([...selectedFields({ fieldNodes: [field] }, ['edges', 'node'], COMPUTED)!].sort()).toEqual(['publishedAt', 'title']);
    expect([...selectedFields({ fieldNodes: [field] }, [], COMPUTED)!].sort()).toEqual(['edges', 'pageInfo']);
  });

  it('replaces a computed field by the row fields it reads and drops __typename', () => {
    const [field] = rootFields('{ signals { edges { node { __typename id technical { rsi } } } } }');
    expect([...selectedFields({ fieldNodes: [field] }, ['edges', 'node'], COMPUTED)!].sort()).toEqual(['features', 'id']);
  });

  it('merges aliases and repeated fields across the path', () => {
    const [field] = rootFields('{ articles { a: edges { node { title } } b: edges { node { summary x: author } } } }');
    expect([...selectedFields({ fieldNodes: [field] }, ['edges', 'node'], COMPUTED)!].sort()).toEqual(['author', 'summary', 'title']);
  });

  it('several field nodes (the same response name twice) are merged', () => {
    const [first, second] = rootFields('{ articles { edges { node { title } } } articles { edges { node { url } } } }');
    expect([...selectedFields({ fieldNodes: [first, second] }, ['edges', 'node'], COMPUTED)!].sort()).toEqual(['title', 'url']);
  });

  it('is undefined (whole rows) when a fragment appears on the way or at the nodes', () => {
    for (const query of [
      '{ articles { edges { node { title ... on Article { summary } } } } }',
      '{ articles { edges { node { ...F } } } } fragment F on Article { summary }',
      '{ articles { ... on ArticleConnection { edges { node { title } } } } }',
      '{ articles { edges { ...E } } } fragment E on ArticleEdge { node { title } }',
    ]) {
      const [field] = rootFields(query);
      expect(selectedFields({ fieldNodes: [field] }, ['edges', 'node'], COMPUTED)).toBeUndefined();
    }
  });

  it('gives the same answer from its cache for the same parsed node', () => {
    const [field] = rootFields('{ articles { edges { node { title } } } }');
    const once = selectedFields({ fieldNodes: [field] }, ['edges', 'node'], COMPUTED);
    expect(selectedFields({ fieldNodes: [field] }, ['edges', 'node'], COMPUTED)).toBe(once);
    expect([...selectedFields({ fieldNodes: [field] }, ['edges'], COMPUTED)!]).toEqual(['node']);
  });

  it('caches per computed map: the same node and path with another map answers for that map', () => {
    const [field] = rootFields('{ articles { edges { node { title tickers { ticker } technical { rsi } } } } }');
    expect([...selectedFields({ fieldNodes: [field] }, ['edges', 'node'], COMPUTED)!].sort()).toEqual(['features', 'title']);
    expect([...selectedFields({ fieldNodes: [field] }, ['edges', 'node'], new Map())!].sort()).toEqual(['technical', 'tickers', 'title']);
  });
});

describe('selectsOnly', () => {
  it('is true only for plain fields among those allowed', () => {
    const allowed = new Set(['id', 'title']);
    expect(selectsOnly({ fieldNodes: rootFields('{ articles { id title } }') }, allowed)).toBe(true);
    expect(selectsOnly({ fieldNodes: rootFields('{ articles { id score } }') }, allowed)).toBe(false);
    expect(selectsOnly({ fieldNodes: rootFields('{ articles { id ... on A { title } } }') }, allowed)).toBe(false);
  });
});
