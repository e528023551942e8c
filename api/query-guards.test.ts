import { GraphQLInt, GraphQLList, GraphQLObjectType, GraphQLSchema, parse } from 'graphql';
import { assertComplexity, queryDepth } from './query-guards';

const Item = new GraphQLObjectType({ name: 'Item', fields: { a: { type: GraphQLInt }, b: { type: GraphQLInt } } });
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      items: {
        type: new GraphQLList(Item),
        args: { first: { type: GraphQLInt } },
        // The cost of a list is its length times the cost of one element.
        extensions: { complexity: ({ args, childComplexity }: { args: { first?: number }; childComplexity: number }) => (args.first ?? 1) * childComplexity },
      },
    },
  }),
});

const cost = (document: ReturnType<typeof parse>, variables?: Record<string, unknown>, max = 1000) => {
  try {
    assertComplexity(schema, document, undefined, variables, max);
    return 'ok';
  } catch (err) {
    return (err as { extensions?: { code?: string; complexity?: number } }).extensions;
  }
};

describe('assertComplexity', () => {
  it('costs each variable set on its own, also when the same document is asked again (the per-document cache)', () => {
    const document = parse('query($n: Int) { items(first: $n) { a b } }');
    // 2 fields per item: first 2 -> 4, first 20 -> 40.
    expect(cost(document, { n: 2 }, 10)).toBe('ok');
    expect(cost(document, { n: 20 }, 10)).toEqual(expect.objectContaining({ code: 'QUERY_TOO_COMPLEX', complexity: 40 }));
    expect(cost(document, { n: 2 }, 10)).toBe('ok');
    expect(cost(document, { n: 20 }, 10)).toEqual(expect.objectContaining({ code: 'QUERY_TOO_COMPLEX', complexity: 40 }));
    // A different limit for the same document and variables is applied, not remembered.
    expect(cost(document, { n: 20 }, 100)).toBe('ok');
  });

  it('costs a document with large variables without keeping them', () => {
    const document = parse('query($n: Int, $blob: Int) { items(first: $n) { a } }');
    const big = { n: 30, blob: 1, pad: 'x'.repeat(5000) };
    expect(cost(document, big, 10)).toEqual(expect.objectContaining({ code: 'QUERY_TOO_COMPLEX', complexity: 30 }));
    expect(cost(document, { ...big, n: 3 }, 10)).toBe('ok');
  });

  it('measures depth through fragments', () => {
    expect(queryDepth(parse('{ items { a } }'))).toBe(2);
    expect(queryDepth(parse('{ items { ...F } } fragment F on Item { a }'))).toBe(2);
  });
});
