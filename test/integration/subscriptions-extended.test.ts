import { randomUUID } from 'node:crypto';
import { Role } from '../../entities';
import { publishEvent } from '../../events/publish';
import { Topic } from '../../events/topics';
import { createIdentity, type TestIdentity } from '../support/access';
import { scoredNews, uniqueTicker } from '../support/signal-fixtures';
import { startTestStack, subscribe, type TestStack } from '../support/stack';

type SignalEvent = { signalCreated: { id: string; ticker: string; type: string } };
type ArticleEvent = { articleAdded: { id: string; title: string; tickers: Array<{ ticker: string }> } };

describe('subscriptions: signalCreated for every ticker, and articleAdded(tickers)', () => {
  let stack: TestStack;
  let admin: TestIdentity;
  let user: TestIdentity;

  beforeAll(async () => {
    stack = await startTestStack({ worker: true });
    [admin, user] = await Promise.all([createIdentity(stack.api.db, Role.ADMIN), createIdentity(stack.api.db)]);
  });
  afterAll(() => stack.stop());

  const connected = (c: ReturnType<TestStack['ws']>) => new Promise<void>((r) => c.on('connected', () => r()));

  it('signalCreated without tickers gets every ticker, and types filters by signal type', async () => {
    const ws = stack.ws(user.params);
    const q = 'subscription($t: [String!], $types: [SignalType!]) { signalCreated(tickers: $t, types: $types) { id ticker type } }';
    const everything = subscribe<SignalEvent>(ws, q, {});
    const sellsOnly = subscribe<SignalEvent>(ws, q, { types: ['SELL'] });
    const buysOnly = subscribe<SignalEvent>(ws, q, { types: ['BUY'] });
    const empty = subscribe<SignalEvent>(ws, q, { t: [] });
    await connected(ws);
    await new Promise((r) => setTimeout(r, 300));
    const [up, down] = [uniqueTicker(), uniqueTicker()];
    await scoredNews(stack.api.db, up, 0.8);
    await scoredNews(stack.api.db, down, -0.8);
    const r = await stack.gql<{ computeSignals: { signals: Array<{ id: string; ticker: string; type: string }> } }>(
      'mutation($t: [String!]!) { computeSignals(tickers: $t) { signals { id ticker type } } }',
      { t: [up, down] },
      admin.headers,
    );
    const byTicker = Object.fromEntries(r.data!.computeSignals.signals.map((s) => [s.ticker, s]));
    expect(byTicker[up].type).toBe('BUY');
    expect(byTicker[down].type).toBe('SELL');
    const seen = (e: { data?: SignalEvent }, t: string) => e.data?.signalCreated.ticker === t;
    await everything.next((e) => seen(e, up));
    await everything.next((e) => seen(e, down));
    await sellsOnly.next((e) => seen(e, down));
    await buysOnly.next((e) => seen(e, up));
    await new Promise((r) => setTimeout(r, 300));
    expect(sellsOnly.received.some((e) => seen(e, up))).toBe(false);
    expect(buysOnly.received.some((e) => seen(e, down))).toBe(false);
    await empty.done;
    expect(JSON.stringify(empty.received)).toContain('BAD_USER_INPUT');
  });

  it("signalCreated answers the event's own fields from the event; other fields read the row", async () => {
    const ws = stack.ws(user.params);
    const ticker = uniqueTicker();
    const fromEvent = subscribe<{ signalCreated: { id: string; ticker: string; type: string; confidence: number } }>(
      ws,
      'subscription($t: [String!]) { signalCreated(tickers: $t) { __typename id ticker type confidence } }',
      { t: [ticker] },
    );
    const fromRow = subscribe<{ signalCreated: { id: string; createdAt: string } }>(ws, 'subscription($t: [String!]) { signalCreated(tickers: $t) { id createdAt } }', { t: [ticker] });
    await connected(ws);
    await new Promise((r) => setTimeout(r, 300));
    // An event whose row is gone (deleted after it was published): the creation is still news.
    const id = randomUUID();
    await publishEvent(stack.api.db, Topic.SIGNAL_CREATED, ticker, { id, ticker, type: 'SELL', confidence: 0.75 });
    const got = await fromEvent.next((e) => e.data?.signalCreated.id === id);
    expect(got.data!.signalCreated).toEqual({ __typename: 'Signal', id, ticker, type: 'SELL', confidence: 0.75 });
    const missing = await fromRow.next((e) => JSON.stringify(e).includes(id));
    expect((missing.errors as unknown[])[0]).toMatchObject({ message: `signal ${id} no longer exists`, extensions: { code: 'NOT_FOUND' } });
  });

  it('articleAdded(tickers) hears of each new article about those tickers once, and of no other', async () => {
    const ws = stack.ws(user.params);
    const q = 'subscription($t: [String!]!) { articleAdded(tickers: $t) { id title tickers { ticker } } }';
    const both = subscribe<ArticleEvent>(ws, q, { t: ['nvda', 'AMD'] });
    const other = subscribe<ArticleEvent>(ws, q, { t: ['KO'] });
    await connected(ws);
    await new Promise((r) => setTimeout(r, 300));
    const tag = randomUUID();
    const items = [
      { title: `$NVDA and $AMD both rally on chip demand ${tag}`, url: `https://subs.example/${tag}/1` },
      { title: `$NVDA unveils a new GPU ${tag}`, url: `https://subs.example/${tag}/2` },
    ];
    const imported = await stack.gql<{ importArticles: { insertedIds: string[] } }>('mutation($items: [ImportArticleInput!]!) { importArticles(items: $items) { insertedIds } }', { items }, user.headers);
    expect(imported.data!.importArticles.insertedIds).toHaveLength(2);
    const mine = (e: { data?: ArticleEvent }) => e.data?.articleAdded.title.includes(tag) === true;
    await both.next((e) => mine(e) && e.data!.articleAdded.title.startsWith('$NVDA and'));
    await both.next((e) => mine(e) && e.data!.articleAdded.title.startsWith('$NVDA unveils'));
    await new Promise((r) => setTimeout(r, 500));
    const got = both.received.filter(mine);
    expect(got).toHaveLength(2); // the two-ticker article once, not once per ticker
    expect(got.map((e) => e.data!.articleAdded.id).sort()).toEqual([...imported.data!.importArticles.insertedIds].sort());
    // events of one import need not arrive in insertion order: find the two-ticker article by its title
    const twoTickers = got.find((e) => e.data!.articleAdded.title.startsWith('$NVDA and'))!;
    expect(twoTickers.data!.articleAdded.tickers.map((t) => t.ticker).sort()).toEqual(['AMD', 'NVDA']);
    expect(other.received.filter(mine)).toEqual([]);

    const bad = subscribe<ArticleEvent>(ws, q, { t: [] });
    await bad.done;
    expect(JSON.stringify(bad.received)).toContain('BAD_USER_INPUT');
  });
});
