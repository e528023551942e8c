/**
 * Services throw one transport-neutral ServiceError; api/errors.ts alone turns it into what
 * clients see (issue 12). Whatever service raised it (the old BacktestError and PriceImportError
 * included) and whichever transport carried the operation, a client gets the same message and
 * exactly `{ field?, code }` in extensions, as before the change.
 */
import { randomUUID } from 'node:crypto';
import type { Client as WsClient } from 'graphql-ws';
import { Role } from '../../entities';
import { createIdentity, type TestIdentity } from '../support/access';
import { startTestStack, type TestStack } from '../support/stack';

type ClientError = { message: string; path?: unknown[]; extensions?: Record<string, unknown> };

describe('service errors reach clients with their code, message and field', () => {
  let stack: TestStack;
  let admin: TestIdentity;
  let socket: WsClient;
  const missingBacktest = randomUUID();
  const flag = `no_such_flag_${randomUUID().slice(0, 8)}`;

  /** Operation, the one error it must produce (path, message, extensions). */
  const cases: Array<[string, { path: string; message: string; extensions: Record<string, unknown> }]> = [
    ['{ articles(first: 0) { edges { cursor } } }', { path: 'articles', message: 'first must be 1 to 200', extensions: { field: 'first', code: 'BAD_USER_INPUT' } }],
    [
      '{ signals(first: 5, after: "not-a-cursor") { edges { cursor } } }',
      { path: 'signals', message: 'after is not a cursor this API issued', extensions: { field: 'after', code: 'BAD_USER_INPUT' } },
    ],
    [`mutation { toggleFeatureFlag(key: "${flag}") { key } }`, { path: 'toggleFeatureFlag', message: `no feature flag "${flag}"`, extensions: { code: 'NOT_FOUND' } }],
    [
      'mutation { importPrices(ticker: "1ABC", csv: "date,close\\n2020-01-02,1") { ticker } }',
      {
        path: 'importPrices',
        message: "ticker '1ABC' is not valid: use 1-10 characters A-Z, 0-9, '.' or '-', starting with a letter (e.g. SPY, BRK.B, BTC-USD)",
        extensions: { field: 'ticker', code: 'BAD_USER_INPUT' },
      },
    ],
    [`{ compareBacktests(ids: ["${missingBacktest}"]) { id } }`, { path: 'compareBacktests', message: `no backtest with id ${missingBacktest}`, extensions: { field: 'ids', code: 'NOT_FOUND' } }],
  ];

  beforeAll(async () => {
    stack = await startTestStack();
    admin = await createIdentity(stack.api.db, Role.ADMIN);
    socket = stack.ws(admin.params);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** One query or mutation over graphql-ws: its single result. */
  const overWs = (query: string) =>
    new Promise<{ errors?: ClientError[] }>((resolve, reject) => {
      let result: { errors?: ClientError[] } | undefined;
      socket.subscribe<unknown>({ query }, { next: (value) => void (result = value as { errors?: ClientError[] }), error: reject, complete: () => resolve(result ?? {}) });
    });

  const seen = (errors: ClientError[] | undefined) => (errors ?? []).map((e) => ({ path: e.path?.join('.'), message: e.message, extensions: e.extensions }));

  it.each(cases)('over HTTP: %s', async (query, expected) => {
    const res = await stack.gql(query, undefined, admin.headers);
    expect(seen(res.errors)).toEqual([expected]);
    expect(res.status).toBe(200); // a field error: the operation executed
  });

  it.each(cases)('over graphql-ws: %s', async (query, expected) => {
    expect(seen((await overWs(query)).errors)).toEqual([expected]);
  });
});
