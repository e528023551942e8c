/**
 * PEER, NOT THE PRODUCT. The ceiling that `npm run bench -- graphql` compares Tidings against:
 * a minimal Apollo Server 5 (standalone HTTP) over a `pg` pool with hand-written SQL, serving
 * the same three read documents with the same results, and no auth, rate limits, guards or
 * logging. With `hello` it is a bare Apollo hello-world (`{ __typename }`, no database).
 *
 * Run as its own process: `node dist/bench/_peer-graphql.js sql|hello <port>` with DATABASE_URL.
 * It prints `peer listening <url>` once ready. The sentiment preference rule mirrors the
 * product's (a model score over a lexicon score, then the newest), so the results are equal.
 */
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { Pool } from 'pg';
import { encodeCursor } from '../services/cursor';

const sdl = /* GraphQL */ `
  type PageInfo { hasNextPage: Boolean! endCursor: String }
  type ArticleTicker { ticker: String! relevance: Float! }
  type SentimentScore { label: String score: Float modelVersion: String! }
  type Article { id: ID! title: String! publishedAt: String! tickers: [ArticleTicker!]! sentiment: SentimentScore }
  type ArticleEdge { cursor: String! node: Article! }
  type ArticleConnection { edges: [ArticleEdge!]! pageInfo: PageInfo! }
  type SignalSourceArticle { id: ID! title: String! }
  type Signal { id: ID! ticker: String! asOf: String! type: String! confidence: Float! articles: [SignalSourceArticle!]! }
  type SignalEdge { cursor: String! node: Signal! }
  type SignalConnection { edges: [SignalEdge!]! pageInfo: PageInfo! }
  enum BucketInterval { HOUR DAY WEEK }
  type SentimentBucket { bucketStart: String! count: Int! meanScore: Float positiveShare: Float! neutralShare: Float! negativeShare: Float! }
  type Query {
    articles(first: Int = 20): ArticleConnection!
    signals(first: Int = 20): SignalConnection!
    tickerSentiment(ticker: String!, from: String!, to: String!, interval: BucketInterval = DAY): [SentimentBucket!]!
  }
`;

const helloSdl = 'type Query { hello: String }';

/** The product's score preference, written out: accurate tier, then fast, then the lexicon. */
const TIER_RANK = "(CASE WHEN model_version LIKE 'lexicon-%' OR tier = 'lexicon' THEN 2 WHEN tier = 'accurate' THEN 0 ELSE 1 END)";

function sqlResolvers(pool: Pool) {
  return {
    Query: {
      async articles(_: unknown, { first }: { first: number }) {
        const page = await pool.query<{ id: string; title: string; published_at: Date }>(
          'SELECT id, title, published_at FROM articles ORDER BY published_at DESC, id DESC LIMIT $1',
          [first + 1],
        );
        const rows = page.rows.slice(0, first);
        const ids = rows.map((r) => r.id);
        const [tickers, scores] = await Promise.all([
          pool.query<{ article_id: string; ticker: string; relevance: number }>(
            'SELECT article_id, ticker, relevance FROM article_tickers WHERE article_id = ANY($1) ORDER BY relevance DESC',
            [ids],
          ),
          pool.query<{ article_id: string; label: string | null; score: number | null; model_version: string }>(
            `SELECT DISTINCT ON (article_id) article_id, label, score, model_version FROM sentiment_scores
             WHERE article_id = ANY($1) ORDER BY article_id, ${TIER_RANK}, scored_at DESC`,
            [ids],
          ),
        ]);
        const cursors = rows.map((r) => encodeCursor(r.published_at, r.id));
        return {
          edges: rows.map((r, i) => ({
            cursor: cursors[i],
            node: {
              id: r.id,
              title: r.title,
              publishedAt: r.published_at.toISOString(),
              tickers: tickers.rows.filter((t) => t.article_id === r.id),
              sentiment: (() => {
                const s = scores.rows.find((x) => x.article_id === r.id);
                return s ? { label: s.label, score: s.score, modelVersion: s.model_version } : null;
              })(),
            },
          })),
          pageInfo: { hasNextPage: page.rows.length > first, endCursor: cursors.at(-1) ?? null },
        };
      },
      async signals(_: unknown, { first }: { first: number }) {
        const page = await pool.query<{ id: string; ticker: string; as_of: Date; type: string; confidence: number }>(
          'SELECT id, ticker, as_of, type, confidence FROM signals ORDER BY as_of DESC, id DESC LIMIT $1',
          [first + 1],
        );
        const rows = page.rows.slice(0, first);
        const provenance = await pool.query<{ signal_id: string; id: string; title: string }>(
          `SELECT sa.signal_id, a.id, a.title FROM signal_articles sa JOIN articles a ON a.id = sa.article_id
           WHERE sa.signal_id = ANY($1) ORDER BY a.published_at DESC, a.id`,
          [rows.map((r) => r.id)],
        );
        const cursors = rows.map((r) => encodeCursor(r.as_of, r.id));
        return {
          edges: rows.map((r, i) => ({
            cursor: cursors[i],
            node: {
              id: r.id,
              ticker: r.ticker,
              asOf: r.as_of.toISOString(),
              type: r.type,
              confidence: r.confidence,
              articles: provenance.rows.filter((p) => p.signal_id === r.id).map((p) => ({ id: p.id, title: p.title })),
            },
          })),
          pageInfo: { hasNextPage: page.rows.length > first, endCursor: cursors.at(-1) ?? null },
        };
      },
      async tickerSentiment(_: unknown, a: { ticker: string; from: string; to: string; interval: 'HOUR' | 'DAY' | 'WEEK' }) {
        const unit = { HOUR: 'hour', DAY: 'day', WEEK: 'week' }[a.interval];
        const res = await pool.query<{ bucket: Date; n: number; mean: number | null; pos: number; neu: number; neg: number }>(
          `WITH preferred AS (
             SELECT DISTINCT ON (t.article_id) t.article_id, t.published_at, s.score, s.label
             FROM article_tickers t JOIN sentiment_scores s ON s.article_id = t.article_id
             WHERE t.ticker = $1 AND t.published_at >= $2 AND t.published_at < $3
             ORDER BY t.article_id, ${TIER_RANK.replace(/\b(model_version|tier)\b/g, 's.$1')}, s.scored_at DESC),
           scored AS (
             SELECT p.published_at, COALESCE(ts.score, p.score) AS score, COALESCE(ts.label, p.label) AS label
             FROM preferred p LEFT JOIN LATERAL (
               SELECT score, label FROM ticker_sentiment_scores WHERE article_id = p.article_id AND ticker = $1
               ORDER BY scored_at DESC, id DESC LIMIT 1) ts ON true)
           SELECT date_trunc('${unit}', published_at, 'UTC') AS bucket, count(*)::int AS n, avg(score)::float8 AS mean,
                  avg((label = 'positive')::int)::float8 AS pos, avg((label = 'neutral')::int)::float8 AS neu, avg((label = 'negative')::int)::float8 AS neg
           FROM scored GROUP BY 1 ORDER BY 1`,
          [a.ticker.toUpperCase(), new Date(a.from), new Date(a.to)],
        );
        return res.rows.map((r) => ({
          bucketStart: r.bucket.toISOString(),
          count: r.n,
          meanScore: r.mean,
          positiveShare: r.pos ?? 0,
          neutralShare: r.neu ?? 0,
          negativeShare: r.neg ?? 0,
        }));
      },
    },
  };
}

async function main(): Promise<void> {
  const [mode, portArg] = process.argv.slice(2);
  const port = Number(portArg);
  let server: ApolloServer;
  if (mode === 'hello') {
    server = new ApolloServer({ typeDefs: helloSdl, resolvers: { Query: { hello: () => 'world' } } });
  } else if (mode === 'sql') {
    // The same pool size as the product's API, so neither side gets more database connections.
    const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.PEER_POOL_SIZE ?? 10) });
    server = new ApolloServer({ typeDefs: sdl, resolvers: sqlResolvers(pool) });
  } else {
    throw new Error('usage: _peer-graphql.js sql|hello <port>');
  }
  const { url } = await startStandaloneServer(server, { listen: { port, host: '127.0.0.1' } });
  process.stdout.write(`peer listening ${url}\n`);
  // A normal exit on SIGTERM, so `--cpu-prof` (BENCH_CPU_PROF_DIR) gets to write its profile.
  process.once('SIGTERM', () => process.exit(0));
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
