/**
 * One story, counted once: the same story carried by two feeds (a wire original and a syndicated
 * rewrite) is stored as one story at ingest, counts once in ticker sentiment and in the signal
 * rules, and both sources are listed by `article.story`, signal provenance and `stories`.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { loadObservations } from '../../store/signal-input-store';
import { computeSignal } from '../../domain/signals';
import { Role } from '../../entities';
import { insertArticles } from '../../store/article-store';
import { assignStories } from '../../store/story-store';
import { createIdentity, type TestIdentity } from '../support/access';
import { startTestStack, type TestStack } from '../support/stack';

const unique = () => `S${randomUUID().replace(/[^a-f]/g, '').slice(0, 5).toUpperCase()}`;

describe('stories: near-duplicates across feeds count once', () => {
  let stack: TestStack;
  let db: DataSource;
  let user: TestIdentity;
  const T = unique();
  const base = Date.UTC(2026, 9, 30, 13);
  const at = (minutes: number) => new Date(base + minutes * 60_000);
  const ids: Record<string, string> = {};

  async function feed(name: string): Promise<string> {
    const [{ id }] = await db.query(`INSERT INTO feeds (url, name, poll_interval_seconds) VALUES ($1, $2, 300) RETURNING id`, [`https://${randomUUID()}.example/rss`, name]);
    return id as string;
  }
  async function ingest(feedId: string, key: string, title: string, summary: string, publishedAt: Date, score: number): Promise<void> {
    const url = `https://news.example/${randomUUID()}`;
    const article = { guid: null, url, canonicalUrl: url, urlHash: createHash('sha256').update(url).digest('hex'), title, summary, publishedAt, publishedAtEstimated: false };
    const stored = await db.transaction((tx) => insertArticles(tx, 'feed', feedId, [{ article, tickers: [{ ticker: T, relevance: 1, matchedBy: ['cashtag'] }] }]));
    ids[key] = stored[0].id;
    await db.query(`INSERT INTO sentiment_scores (article_id, model_version, label, score) VALUES ($1, 'story-test', $2, $3)`, [ids[key], score > 0 ? 'positive' : 'negative', score]);
  }

  beforeAll(async () => {
    stack = await startTestStack();
    db = stack.api.db;
    user = await createIdentity(db, Role.USER);
    const wire = await feed(`Wire ${T}`);
    const syndicate = await feed(`Syndicate ${T}`);
    await ingest(wire, 'wire', `${T} quarterly revenue rises 6% on iPhone demand, beats estimates`, `${T} reported fiscal fourth-quarter revenue of $94.9 billion on Thursday, up 6% from a year earlier and ahead of analysts' average estimate of $94.4 billion.`, at(0), 0.8);
    await ingest(syndicate, 'copy', `iPhone 17 lifts ${T} past Wall Street revenue forecasts`, `${T} posted $94.9 billion in revenue for its September quarter, a 6% increase year over year that topped the $94.4 billion analysts had expected.`, at(20), 0.6);
    await ingest(syndicate, 'other', `EU regulators open new probe into ${T} App Store fees`, `The European Commission said on Thursday it has opened a formal investigation into whether ${T}'s revised fee structure complies with the Digital Markets Act.`, at(40), -0.5);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('assigns the rewrite to the wire story at ingest and the other story to its own, idempotently', async () => {
    const rows = (await db.query(`SELECT id, story_id FROM articles WHERE id = ANY($1::uuid[])`, [Object.values(ids)])) as Array<{ id: string; story_id: string }>;
    const story = new Map(rows.map((r) => [r.id, r.story_id]));
    expect(story.get(ids.wire)).toBe(ids.wire);
    expect(story.get(ids.copy)).toBe(ids.wire);
    expect(story.get(ids.other)).toBe(ids.other);
    // Running the assignment again changes nothing.
    const again = await db.transaction((tx) => assignStories(tx, Object.values(ids)));
    expect(again.size).toBe(0);
  });

  it('ticker sentiment counts the story once (its earliest article)', async () => {
    const r = await stack.gql<{ tickerSentiment: Array<{ count: number; meanScore: number }> }>(
      'query($t: String!, $f: DateTimeISO!, $to: DateTimeISO!) { tickerSentiment(ticker: $t, from: $f, to: $to, interval: DAY) { count meanScore } }',
      { t: T, f: at(-60).toISOString(), to: at(120).toISOString() },
      user.headers,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data!.tickerSentiment).toHaveLength(1);
    // Two stories (the wire story, 0.8, and the probe, -0.5), not three articles.
    expect(r.data!.tickerSentiment[0].count).toBe(2);
    expect(r.data!.tickerSentiment[0].meanScore).toBeCloseTo(0.15, 6);
  });

  it('the signal rules see two stories among three articles', async () => {
    const observations = await loadObservations(db, T, null, at(120));
    expect(observations).toHaveLength(3);
    const s = computeSignal({ ticker: T, asOf: at(120), observations });
    const day = s.features.windows['1d'];
    expect(day.articles).toBe(3);
    expect(day.count).toBe(2);
  });

  it('article.story and the stories query list every source of the story', async () => {
    const r = await stack.gql<{ article: { story: { id: string; firstSeenAt: string; articles: Array<{ title: string; feed: string }> } } }>(
      'query($id: ID!) { article(id: $id) { story { id firstSeenAt articles { title feed } } } }',
      { id: ids.copy },
      user.headers,
    );
    expect(r.errors).toBeUndefined();
    const story = r.data!.article.story;
    expect(story.id).toBe(ids.wire);
    expect(new Date(story.firstSeenAt).getTime()).toBe(at(0).getTime());
    expect(story.articles.map((a) => a.feed)).toEqual([`Wire ${T}`, `Syndicate ${T}`]);

    const list = await stack.gql<{ stories: Array<{ id: string; articles: Array<{ id: string }> }> }>(
      'query($t: String, $f: DateTimeISO!, $to: DateTimeISO!) { stories(ticker: $t, from: $f, to: $to) { id articles { id } } }',
      { t: T, f: at(-60).toISOString(), to: at(120).toISOString() },
      user.headers,
    );
    expect(list.errors).toBeUndefined();
    expect(list.data!.stories.map((s) => s.id)).toEqual([ids.other, ids.wire]);
    expect(list.data!.stories[1].articles.map((a) => a.id)).toEqual([ids.wire, ids.copy]);
    const syndicatedOnly = await stack.gql<{ stories: Array<{ id: string }> }>(
      'query($t: String, $f: DateTimeISO!, $to: DateTimeISO!) { stories(ticker: $t, from: $f, to: $to, minArticles: 2) { id } }',
      { t: T, f: at(-60).toISOString(), to: at(120).toISOString() },
      user.headers,
    );
    expect(syndicatedOnly.data!.stories.map((s) => s.id)).toEqual([ids.wire]);
    const bad = await stack.gql('query { stories(from: "2026-01-02T00:00:00Z", to: "2026-01-01T00:00:00Z") { id } }', {}, user.headers);
    expect(bad.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'from' });
  });

  it('an article that names tickers only in a list gives them low relevance: they do not reach the signal rules', async () => {
    const admin = await createIdentity(db, Role.ADMIN);
    const url = `https://news.example/${randomUUID()}`;
    const r = await stack.gql<{ importArticles: { insertedIds: string[] } }>(
      'mutation($items: [ImportArticleInput!]!) { importArticles(items: $items) { insertedIds } }',
      { items: [{ title: 'Apple beats quarterly revenue estimates on iPhone demand', summary: 'Apple reported revenue ahead of estimates. Shares of Microsoft, Alphabet, Amazon and Meta also rose after hours.', url, publishedAt: at(-30).toISOString() }] },
      admin.headers,
    );
    expect(r.errors).toBeUndefined();
    const [id] = r.data!.importArticles.insertedIds;
    const rows = (await db.query(`SELECT ticker, relevance FROM article_tickers WHERE article_id = $1`, [id])) as Array<{ ticker: string; relevance: number }>;
    const rel = new Map(rows.map((x) => [x.ticker, Number(x.relevance)]));
    expect(rel.get('AAPL')).toBeGreaterThan(0.5);
    for (const t of ['MSFT', 'GOOGL', 'AMZN', 'META']) {
      expect(rel.has(t)).toBe(true);
      expect(rel.get(t)).toBeLessThan(0.2); // the signal rules' minRelevance
    }
  });
});
