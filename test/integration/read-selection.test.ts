/**
 * Article and signal pages read only the columns their selection needs (issue 14): the article
 * page, its tickers and its sentiment, and the signal page. Whatever is selected - a narrow
 * field list, aliases, fragments, computed fields such as `tickers` or the typed feature views
 * that read the features JSON - the answer must equal the same fields of the whole-row answer,
 * and a write committed before a request must show in it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Role } from '../../entities';
import { SettledLoader } from '../../services/settled-loader';
import { createIdentity, type TestIdentity } from '../support/access';
import { startTestStack, type TestStack } from '../support/stack';

type Node = Record<string, unknown>;
type Connection = { edges: Array<{ cursor: string; node: Node }>; pageInfo: { endCursor: string | null; hasNextPage: boolean } };

const ARTICLE_ALL = `id feedId source guid url title summary publishedAt publishedAtEstimated createdAt author categories
  tickers { ticker relevance matchedBy verified }
  sentiment { id modelVersion tier label score probNegative probNeutral probPositive unscoredReason scoredAt }`;
const SIGNAL_ALL = `id ticker asOf type confidence riskLevel suggestedPositionSize features modelVersions params createdAt
  technical { rsi lastClose } newsIntensity { events currentIntensity } articles { id title url publishedAt relevance }`;

/** The fields of `from` named in `shape` (nested objects and lists by their own shape). */
function project(from: unknown, shape: Record<string, unknown>): unknown {
  if (Array.isArray(from)) return from.map((x) => project(x, shape));
  if (from === null || typeof from !== 'object') return from;
  return Object.fromEntries(Object.entries(shape).map(([k, sub]) => [k, sub === true ? (from as Node)[k] : project((from as Node)[k], sub as Record<string, unknown>)]));
}

describe('pages read only the selected columns, and answer as whole rows would', () => {
  let stack: TestStack;
  let user: TestIdentity;
  const ticker = `Q${randomUUID().slice(0, 5).toUpperCase()}`;
  const day = 86_400_000;
  // In the future, so these are the newest articles and signals whatever other files stored.
  const base = Date.now() + 3650 * day;
  const articleIds: string[] = [];

  const insertArticle = async (i: number) => {
    const db = stack.api.db;
    const url = `https://selection.example/${ticker}/${i}`;
    const [row] = (await db.query(
      `INSERT INTO articles (source, url, canonical_url, url_hash, title, summary, published_at, author, categories, guid)
       VALUES ('import', $1, $1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
      [url, createHash('sha256').update(url).digest('hex'), `${ticker} read-selection story ${i}`, `summary ${i}`, new Date(base - i * day), i % 2 ? `Author ${i}` : null, i % 3 ? ['markets', `c${i}`] : [], `guid-${i}`],
    )) as Array<{ id: string }>;
    await db.query(`INSERT INTO article_tickers (article_id, ticker, relevance, matched_by, published_at, verified) VALUES ($1, $2, $3, $4, $5, $6)`, [
      row.id,
      ticker,
      0.4 + i / 20,
      ['cashtag', 'name'].slice(0, 1 + (i % 2)),
      new Date(base - i * day),
      i % 2 === 0,
    ]);
    await db.query(`INSERT INTO article_tickers (article_id, ticker, relevance, matched_by, published_at) VALUES ($1, 'AAPL', 0.3, '{name}', $2)`, [row.id, new Date(base - i * day)]);
    // Several scores per article, so the preferred one is chosen: accurate beats fast beats the lexicon.
    if (i % 4 !== 3) {
      await db.query(`INSERT INTO sentiment_scores (article_id, model_version, tier, label, score, prob_negative, prob_neutral, prob_positive) VALUES ($1, 'sel-fast', 'fast', 'neutral', 0.01, 0.2, 0.6, 0.2)`, [row.id]);
      await db.query(`INSERT INTO sentiment_scores (article_id, model_version, label, score) VALUES ($1, 'lexicon-sel', 'negative', -0.5)`, [row.id]);
    }
    if (i % 4 === 0) {
      await db.query(`INSERT INTO sentiment_scores (article_id, model_version, tier, label, score, prob_negative, prob_neutral, prob_positive) VALUES ($1, 'sel-accurate', 'accurate', 'positive', 0.8, 0.05, 0.15, 0.8)`, [row.id]);
    }
    return row.id;
  };

  beforeAll(async () => {
    stack = await startTestStack();
    user = await createIdentity(stack.api.db, Role.USER);
    for (let i = 0; i < 8; i++) articleIds.push(await insertArticle(i));
    for (let k = 0; k < 4; k++) {
      const features =
        k % 2
          ? {
              technical: { barsUsed: 60, lastBarTime: '2026-01-02', lastClose: 100 + k, rsi: 40 + k, smaFast: 99 + k },
              newsIntensity: { windowHours: 336, events: 5 + k, baseline: 0.1, branchingRatio: 0.3, decayPerHour: 0.2, currentIntensity: k / 10, intensityRatio: 1.5, logLikelihood: -3 },
            }
          : {};
      const [signal] = (await stack.api.db.query(
        `INSERT INTO signals (ticker, as_of, type, confidence, risk_level, suggested_position_size, model_versions, features, params)
         VALUES ($1, $2, 'BUY', 0.7, 'MEDIUM', 0.05, ARRAY['sel-fast'], $3, $4) RETURNING id`,
        [ticker, new Date(base - k * 3_600_000), features, { k }],
      )) as Array<{ id: string }>;
      await stack.api.db.query(`INSERT INTO signal_articles (signal_id, article_id) SELECT $1, unnest($2::uuid[])`, [signal.id, articleIds.slice(k, k + 3)]);
    }
  });
  afterAll(async () => {
    await stack.stop();
  });

  const query = async (root: 'articles' | 'signals', selection: string, first = 6): Promise<Connection> => {
    const r = await stack.gql<Record<string, Connection>>(
      `query($t: [String!]) { ${root}(first: ${first}, filter: { tickers: $t }) { edges { cursor node { ${selection} } } pageInfo { endCursor hasNextPage } } }`,
      { t: [ticker] },
      user.headers,
    );
    expect(r.errors).toBeUndefined();
    return r.data![root];
  };

  it('article pages: each narrow selection equals those fields of the whole rows', async () => {
    const full = await query('articles', ARTICLE_ALL);
    expect(full.edges).toHaveLength(6);
    expect(full.pageInfo.hasNextPage).toBe(true);
    // The seeded variety is there: authors and none, categories, preferred tiers, unverified tickers.
    const nodes = full.edges.map((e) => e.node);
    expect(new Set(nodes.map((n) => (n.sentiment as Node | null)?.tier ?? null))).toEqual(new Set(['accurate', 'fast', null]));
    expect(nodes.some((n) => n.author === null) && nodes.some((n) => typeof n.author === 'string')).toBe(true);

    const shapes: Array<[string, Record<string, unknown>]> = [
      // issue 14's document
      ['title publishedAt tickers { ticker relevance } sentiment { label score modelVersion }', { title: true, publishedAt: true, tickers: { ticker: true, relevance: true }, sentiment: { label: true, score: true, modelVersion: true } }],
      ['title', { title: true }],
      ['summary author categories createdAt guid', { summary: true, author: true, categories: true, createdAt: true, guid: true }],
      ['id tickers { matchedBy verified }', { id: true, tickers: { matchedBy: true, verified: true } }],
      ['sentiment { scoredAt probPositive tier }', { sentiment: { scoredAt: true, probPositive: true, tier: true } }],
      ['__typename feedId source url publishedAtEstimated', { __typename: true, feedId: true, source: true, url: true, publishedAtEstimated: true }],
    ];
    for (const [selection, shape] of shapes) {
      const narrow = await query('articles', selection);
      const expected = full.edges.map((e) => ({ cursor: e.cursor, node: project({ ...e.node, __typename: 'Article' }, shape) }));
      expect(narrow.edges).toEqual(expected);
      expect(narrow.pageInfo).toEqual(full.pageInfo);
    }
  });

  it("the article page loads its tickers and scores up front: each article's fields answer without another load", async () => {
    const value = jest.spyOn(SettledLoader.prototype, 'value');
    const load = jest.spyOn(SettledLoader.prototype, 'load');
    try {
      const page = await query('articles', 'title tickers { ticker relevance } sentiment { label score modelVersion }');
      expect(page.edges).toHaveLength(6);
      expect(value).toHaveBeenCalledTimes(12);
      expect(value.mock.results.some((r) => r.value instanceof Promise)).toBe(false);
      expect(load).toHaveBeenCalledTimes(12); // the two batches of six, nothing per article after them
    } finally {
      value.mockRestore();
      load.mockRestore();
    }
  });

  it("the signal page loads its provenance up front: each signal's articles answer without another load", async () => {
    const value = jest.spyOn(SettledLoader.prototype, 'value');
    const load = jest.spyOn(SettledLoader.prototype, 'load');
    try {
      for (const selection of ['title', 'title score']) {
        value.mockClear();
        load.mockClear();
        const page = await query('signals', `id articles { ${selection} }`, 4);
        expect(page.edges.map((e) => (e.node.articles as Node[]).length)).toEqual([3, 3, 3, 3]);
        expect(value).toHaveBeenCalledTimes(4);
        expect(value.mock.results.some((r) => r.value instanceof Promise)).toBe(false);
        expect(load).toHaveBeenCalledTimes(4);
      }
    } finally {
      value.mockRestore();
      load.mockRestore();
    }
  });

  it('article pages: aliases, fragments and a second page answer as whole rows', async () => {
    const full = await query('articles', ARTICLE_ALL);
    const aliased = await query('articles', 'headline: title t: tickers { ticker } tickers { relevance } s: sentiment { label }');
    expect(aliased.edges.map((e) => e.node)).toEqual(
      full.edges.map(({ node: n }) => ({
        headline: n.title,
        t: (n.tickers as Node[]).map((t) => ({ ticker: t.ticker })),
        tickers: (n.tickers as Node[]).map((t) => ({ relevance: t.relevance })),
        s: n.sentiment === null ? null : { label: (n.sentiment as Node).label },
      })),
    );
    const r = await stack.gql<{ articles: Connection }>(
      `query($t: [String!]) { articles(first: 6, filter: { tickers: $t }) { edges { node { ...A tickers { ... on ArticleTicker { matchedBy } } } } } }
       fragment A on Article { title summary sentiment { ...S } }
       fragment S on SentimentScore { label scoredAt }`,
      { t: [ticker] },
      user.headers,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.articles.edges.map((e) => e.node)).toEqual(
      full.edges.map((e) => project(e.node, { title: true, summary: true, sentiment: { label: true, scoredAt: true }, tickers: { matchedBy: true } })),
    );
    const second = await stack.gql<{ articles: Connection }>(
      `query($t: [String!], $after: String) { articles(first: 3, after: $after, filter: { tickers: $t }) { edges { node { title } } } }`,
      { t: [ticker], after: full.edges[1].cursor },
      user.headers,
    );
    expect(second.data!.articles.edges.map((e) => e.node.title)).toEqual(full.edges.slice(2, 5).map((e) => e.node.title));
  });

  it('a narrow article page shows a score and a ticker committed just before the request', async () => {
    const before = await query('articles', 'id tickers { ticker } sentiment { modelVersion }');
    const target = before.edges.find((e) => (e.node.sentiment as Node | null) === null)!.node;
    await stack.api.db.query(`INSERT INTO sentiment_scores (article_id, model_version, tier, label, score) VALUES ($1, 'sel-late', 'accurate', 'positive', 0.9)`, [target.id]);
    await stack.api.db.query(`INSERT INTO article_tickers (article_id, ticker, relevance, matched_by, published_at) VALUES ($1, 'MSFT', 0.99, '{cashtag}', now())`, [target.id]);
    const after = await query('articles', 'id tickers { ticker } sentiment { modelVersion }');
    const node = after.edges.find((e) => e.node.id === target.id)!.node;
    expect(node.sentiment).toEqual({ modelVersion: 'sel-late' });
    expect((node.tickers as Node[])[0]).toEqual({ ticker: 'MSFT' });
  });

  it('signal pages: each narrow selection equals those fields of the whole rows, feature views included', async () => {
    const full = await query('signals', SIGNAL_ALL, 4);
    expect(full.edges).toHaveLength(4);
    expect(full.edges.some((e) => e.node.technical !== null) && full.edges.some((e) => e.node.technical === null)).toBe(true);
    const shapes: Array<[string, Record<string, unknown>]> = [
      // issue 14's document
      ['id ticker asOf type confidence articles { title }', { id: true, ticker: true, asOf: true, type: true, confidence: true, articles: { title: true } }],
      ['technical { rsi lastClose }', { technical: { rsi: true, lastClose: true } }],
      ['articles { publishedAt url }', { articles: { publishedAt: true, url: true } }],
      ['articles { __typename id }', { articles: { __typename: true, id: true } }],
      ['newsIntensity { events currentIntensity } params', { newsIntensity: { events: true, currentIntensity: true }, params: true }],
      ['riskLevel suggestedPositionSize modelVersions createdAt features', { riskLevel: true, suggestedPositionSize: true, modelVersions: true, createdAt: true, features: true }],
    ];
    for (const [selection, shape] of shapes) {
      const narrow = await query('signals', selection, 4);
      const withTypename = (n: Node) => ({ ...n, articles: (n.articles as Node[]).map((a) => ({ ...a, __typename: 'SignalSourceArticle' })) });
      expect(narrow.edges).toEqual(full.edges.map((e) => ({ cursor: e.cursor, node: project(withTypename(e.node), shape) })));
    }
    const r = await stack.gql<{ signals: Connection }>(
      `query($t: [String!]) { signals(first: 4, filter: { tickers: $t }) { edges { node { ...F } } } } fragment F on Signal { id technical { rsi } }`,
      { t: [ticker] },
      user.headers,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.signals.edges.map((e) => e.node)).toEqual(full.edges.map((e) => project(e.node, { id: true, technical: { rsi: true } })));
  });
});
