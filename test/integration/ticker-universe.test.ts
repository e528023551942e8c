import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { Role } from '../../entities';
import { InstrumentService } from '../../services/instrument.service';
import { connectTemporalClient, type TemporalClientHandle } from '../../temporal/client';
import { createIdentity, type TestIdentity } from '../support/access';
import { LOCAL_FEEDS_ENV } from '../support/feed-fixtures';
import { startTestStack, testEnv, type TestStack } from '../support/stack';

/** Symbols and names no other test uses: the instruments table is shared by the test database. */
const tag = randomUUID().slice(0, 8);
const SYMBOL = `Q${tag.replace(/[^a-z]/g, '').toUpperCase().slice(0, 3).padEnd(3, 'X')}`;
const NAME = `Zebulon${tag.replace(/[^a-z]/g, '')} Foods`;

type TickerRow = { ticker: string; relevance: number; matchedBy: string[]; verified: boolean };
type ImportResult = { importArticles: { insertedIds: string[]; errors: Array<{ index: number; reason: string }> } };

describe('ticker universe and article metadata', () => {
  let stack: TestStack;
  let temporal: TemporalClientHandle;
  let admin: TestIdentity;
  let user: TestIdentity;
  const feedBody = `<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>t</title>
    <item><title>${NAME} (NASDAQ:${SYMBOL}) wins contract</title><link>https://example.com/${tag}/1</link><pubDate>Mon, 06 Jan 2025 10:00:00 GMT</pubDate>
      <dc:creator>Jane Analyst</dc:creator><category>Earnings</category><category>Food &amp; Beverage</category><category>earnings</category></item>
    <item><title>Apple unveils a phone</title><link>https://example.com/${tag}/2</link><pubDate>Mon, 06 Jan 2025 11:00:00 GMT</pubDate>
      <author>desk@example.com (Tech Desk)</author><category>Technology</category></item>
  </channel></rss>`;
  const server = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(feedBody));

  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    stack = await startTestStack({ worker: true, env: LOCAL_FEEDS_ENV });
    temporal = await connectTemporalClient(testEnv().temporalAddress, 'default');
    admin = await createIdentity(stack.api.db, Role.ADMIN);
    user = await createIdentity(stack.api.db, Role.USER);
  });
  afterAll(async () => {
    await stack.gql('mutation($s: String!) { removeInstrument(symbol: $s) }', { s: SYMBOL }, admin.headers).catch(() => undefined);
    await temporal.close();
    await stack.stop();
    server.close();
  });

  const tickersOf = async (id: string): Promise<TickerRow[]> => {
    const r = await stack.gql<{ article: { tickers: TickerRow[] } }>('query($id: ID!) { article(id: $id) { tickers { ticker relevance matchedBy verified } } }', { id }, user.headers);
    expect(r.errors).toBeUndefined();
    return r.data!.article.tickers;
  };
  // Dated long ago: other test files compute live signals for real tickers (AAPL) from recent articles in the shared database.
  const importOne = async (title: string) => {
    const r = await stack.gql<ImportResult>(
      'mutation($items: [ImportArticleInput!]!) { importArticles(items: $items) { insertedIds errors { index reason } } }',
      { items: [{ title, url: `https://example.com/${randomUUID()}`, publishedAt: '2001-02-03T04:05:06Z' }] },
      user.headers,
    );
    expect(r.errors).toBeUndefined();
    return r.data!.importArticles.insertedIds[0]!;
  };

  it('keeps an unknown cashtag as unverified until an admin adds the instrument, then matches its name and alias', async () => {
    const firstId = await importOne(`$${SYMBOL} jumps; $AAPL flat`);
    const before = await tickersOf(firstId);
    expect(before.find((t) => t.ticker === 'AAPL')).toMatchObject({ verified: true, matchedBy: ['cashtag'] });
    const unknown = before.find((t) => t.ticker === SYMBOL)!;
    expect(unknown).toMatchObject({ verified: false, matchedBy: ['cashtag'] });
    expect(unknown.relevance).toBeLessThan(before.find((t) => t.ticker === 'AAPL')!.relevance);

    // Only admins manage the universe; bad input is a coded error.
    const denied = await stack.gql('mutation { addInstrument(input: { symbol: "ZZ", name: "Nope" }) { symbol } }', undefined, user.headers);
    expect(denied.errors![0].extensions!.code).toBe('FORBIDDEN');
    const bad = await stack.gql('mutation { addInstrument(input: { symbol: "not a symbol!", name: "Bad" }) { symbol } }', undefined, admin.headers);
    expect(bad.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'symbol' });

    const added = await stack.gql<{ addInstrument: { symbol: string; assetClass: string; aliases: string[] } }>(
      'mutation($input: InstrumentInput!) { addInstrument(input: $input) { symbol assetClass aliases } }',
      { input: { symbol: SYMBOL.toLowerCase(), name: `${NAME}, Inc.`, aliases: [`Zeb${tag}`], exchange: 'nasdaq', sector: 'Consumer Staples' } },
      admin.headers,
    );
    expect(added.errors).toBeUndefined();
    expect(added.data!.addInstrument).toEqual({ symbol: SYMBOL, assetClass: 'EQUITY', aliases: [`Zeb${tag}`] });

    const after = await tickersOf(await importOne(`$${SYMBOL} jumps again`));
    expect(after).toEqual([expect.objectContaining({ ticker: SYMBOL, verified: true, matchedBy: ['cashtag'] })]);
    expect(after[0]!.relevance).toBeGreaterThan(unknown.relevance);
    expect((await tickersOf(await importOne(`${NAME} raises guidance`)))[0]).toMatchObject({ ticker: SYMBOL, matchedBy: ['name'], verified: true });
    expect((await tickersOf(await importOne(`Zeb${tag} is a buy`)))[0]).toMatchObject({ ticker: SYMBOL, matchedBy: ['alias'] });

    const universe = await stack.gql<{ instrument: { source: string; sector: string } | null; btc: { assetClass: string; source: string }; aapl: { source: string; sector: string }; chwy: { source: string; name: string }; none: null }>(
      `query($s: String!) { instrument(symbol: $s) { source sector } btc: instrument(symbol: "BTC") { assetClass source } aapl: instrument(symbol: "AAPL") { source sector } chwy: instrument(symbol: "CHWY") { source name } none: instrument(symbol: "QQQQZ") { source } }`,
      { s: SYMBOL },
      user.headers,
    );
    expect(universe.data).toEqual({
      instrument: { source: 'admin', sector: 'Consumer Staples' },
      btc: { assetClass: 'CRYPTO', source: 'default' },
      aapl: { source: 'sp500', sector: 'Information Technology' },
      chwy: { source: 'listed', name: 'Chewy Inc.' },
      none: null,
    });
    const listed = await stack.gql<{ instruments: Array<{ symbol: string }> }>('{ instruments { symbol } }', undefined, user.headers);
    expect(listed.data!.instruments.map((i) => i.symbol)).toContain(SYMBOL);

    // The universe changed, so the re-tag workflow brought the article stored before up to date: the cashtag is now verified.
    const retag = (await temporal.client.workflow.getHandle(InstrumentService.retagWorkflowId(stack.config.taskQueue)).result()) as { scanned: number; changed: number; done: boolean };
    expect(retag.done).toBe(true);
    expect(retag.scanned).toBeGreaterThan(0);
    expect(retag.changed).toBeGreaterThanOrEqual(1);
    const retagged = await tickersOf(firstId);
    expect(retagged.find((t) => t.ticker === SYMBOL)).toMatchObject({ verified: true, matchedBy: ['cashtag'] });
    expect(retagged.find((t) => t.ticker === SYMBOL)!.relevance).toBeCloseTo(after[0]!.relevance, 3);
    expect(retagged.find((t) => t.ticker === 'AAPL')).toMatchObject({ verified: true, matchedBy: ['cashtag'] });
  });

  it('maps crypto cashtags and pairs to their instrument', async () => {
    const rows = await tickersOf(await importOne('$BTCUSD slides while ETH-USD holds'));
    expect(rows.map((r) => [r.ticker, r.matchedBy, r.verified]).sort()).toEqual([
      ['BTC', ['cashtag'], true],
      ['ETH', ['pair'], true],
    ]);
  });

  it('stores feed categories and authors and filters articles by them', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/${tag}.rss`;
    const feed = await stack.gql<{ addFeed: { id: string } }>('mutation($input: AddFeedInput!) { addFeed(input: $input) { id } }', { input: { url, name: `meta ${tag}`, pollIntervalSeconds: 3600 } }, admin.headers);
    expect(feed.errors).toBeUndefined();
    const feedId = feed.data!.addFeed.id;
    const run = await stack.gql<{ ingestFeedNow: string }>('mutation($id: ID!) { ingestFeedNow(id: $id) }', { id: feedId }, admin.headers);
    await temporal.client.workflow.getHandle(run.data!.ingestFeedNow).result();

    type Page = { articles: { edges: Array<{ node: { title: string; author: string | null; categories: string[]; tickers: TickerRow[] } }> } };
    const query = 'query($f: ArticleFilterInput) { articles(filter: $f, first: 10) { edges { node { title author categories tickers { ticker matchedBy verified } } } } }';
    const all = await stack.gql<Page>(query, { f: { feedId } }, user.headers);
    expect(all.errors).toBeUndefined();
    const byTitle = new Map(all.data!.articles.edges.map((e) => [e.node.title.split(' ')[0], e.node]));
    expect(byTitle.get(NAME.split(' ')[0])).toMatchObject({ author: 'Jane Analyst', categories: ['Earnings', 'Food & Beverage', 'earnings'] });
    expect(byTitle.get('Apple')).toMatchObject({ author: 'desk@example.com (Tech Desk)', categories: ['Technology'] });
    // The instrument added above is known by now: its exchange tag is verified.
    expect(byTitle.get(NAME.split(' ')[0])!.tickers).toEqual([expect.objectContaining({ ticker: SYMBOL, verified: true })]);

    const titles = async (f: Record<string, unknown>) => (await stack.gql<Page>(query, { f: { feedId, ...f } }, user.headers)).data!.articles.edges.map((e) => e.node.title.split(' ')[0]);
    expect(await titles({ categories: ['EARNINGS'] })).toEqual([NAME.split(' ')[0]]);
    expect(await titles({ categories: ['technology', 'nothing'] })).toEqual(['Apple']);
    expect(await titles({ author: 'jane analyst' })).toEqual([NAME.split(' ')[0]]);
    expect(await titles({ author: 'Nobody' })).toEqual([]);
    await stack.gql('mutation($id: ID!) { removeFeed(id: $id) }', { id: feedId }, admin.headers);
  });
});
