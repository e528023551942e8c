/**
 * A signals page that selects only its provenance articles (`articles { title }`, issue 14's
 * document) reads them without the relevance and sentiment lookup. It must list the same
 * articles in the same order as the full selection, and the full selection must still carry
 * relevance and the score the signal used.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Role } from '../../entities';
import { createIdentity, type TestIdentity } from '../support/access';
import { startTestStack, type TestStack } from '../support/stack';

type Page = { signals: { edges: Array<{ node: { id: string; articles: Array<Record<string, unknown>> } }> } };

describe('signal provenance: a selection without sentiment lists the same articles', () => {
  let stack: TestStack;
  let user: TestIdentity;
  const ticker = `P${randomUUID().slice(0, 5).toUpperCase()}`;
  beforeAll(async () => {
    stack = await startTestStack();
    user = await createIdentity(stack.api.db, Role.USER);
    const db = stack.api.db;
    const day = 86_400_000;
    const now = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const url = `https://provenance.example/${ticker}/${i}`;
      const [row] = (await db.query(
        `INSERT INTO articles (source, url, canonical_url, url_hash, title, summary, published_at) VALUES ('import', $1, $1, $2, $3, '', $4) RETURNING id`,
        [url, createHash('sha256').update(url).digest('hex'), `${ticker} provenance story ${i}`, new Date(now - (i + 1) * day)],
      )) as Array<{ id: string }>;
      ids.push(row.id);
      await db.query(`INSERT INTO article_tickers (article_id, ticker, relevance, matched_by, published_at) VALUES ($1, $2, $3, '{cashtag}', $4)`, [row.id, ticker, 0.5 + i / 20, new Date(now - (i + 1) * day)]);
      if (i % 3 !== 2) {
        await db.query(`INSERT INTO sentiment_scores (article_id, model_version, label, score, prob_negative, prob_neutral, prob_positive) VALUES ($1, 'prov-model', 'positive', $2, 0.1, 0.2, 0.7)`, [row.id, i / 10]);
      }
    }
    for (const [k, provenance] of [ids.slice(0, 4), ids.slice(2, 6)].entries()) {
      const [signal] = (await db.query(
        `INSERT INTO signals (ticker, as_of, type, confidence, risk_level, suggested_position_size, model_versions) VALUES ($1, $2, 'BUY', 0.7, 'MEDIUM', 0.05, ARRAY['prov-model']) RETURNING id`,
        [ticker, new Date(now - k * 3_600_000)],
      )) as Array<{ id: string }>;
      await db.query(`INSERT INTO signal_articles (signal_id, article_id) SELECT $1, unnest($2::uuid[])`, [signal.id, provenance]);
    }
  });
  afterAll(async () => {
    await stack.stop();
  });

  const page = async (selection: string) => {
    const r = await stack.gql<Page>(`query($t: [String!]) { signals(first: 5, filter: { tickers: $t }) { edges { node { id articles { ${selection} } } } } }`, { t: [ticker] }, user.headers);
    expect(r.errors).toBeUndefined();
    return r.data!.signals.edges.map((e) => e.node);
  };

  it('articles { title } and the full selection list the same articles in the same order', async () => {
    const titlesOnly = await page('title');
    const basic = await page('id title url publishedAt');
    const full = await page('id title url publishedAt relevance score modelVersion');
    expect(titlesOnly).toHaveLength(2);
    expect(titlesOnly.map((s) => s.articles.map((a) => a.title))).toEqual(full.map((s) => s.articles.map((a) => a.title)));
    expect(basic).toEqual(full.map((s) => ({ id: s.id, articles: s.articles.map(({ id, title, url, publishedAt }) => ({ id, title, url, publishedAt })) })));
    // Newest first, four per signal; the full selection still carries relevance and the signal's scores.
    for (const s of full) {
      expect(s.articles).toHaveLength(4);
      const times = s.articles.map((a) => Date.parse(a.publishedAt as string));
      expect([...times].sort((x, y) => y - x)).toEqual(times);
      expect(s.articles.every((a) => typeof a.relevance === 'number')).toBe(true);
      expect(s.articles.filter((a) => a.score !== null).every((a) => a.modelVersion === 'prov-model')).toBe(true);
      expect(s.articles.some((a) => a.score === null)).toBe(true);
    }
  });

  it('a fragment or a sentiment field among the selection gets the full rows', async () => {
    const viaFragment = await stack.gql<Page>(
      `query($t: [String!]) { signals(first: 5, filter: { tickers: $t }) { edges { node { id articles { title ... on SignalSourceArticle { score } } } } } }`,
      { t: [ticker] },
      user.headers,
    );
    expect(viaFragment.errors).toBeUndefined();
    const mixed = await page('title relevance');
    for (const s of viaFragment.data!.signals.edges) expect(s.node.articles.some((a) => typeof a.score === 'number')).toBe(true);
    for (const s of mixed) expect(s.articles.every((a) => typeof a.relevance === 'number')).toBe(true);
  });
});
