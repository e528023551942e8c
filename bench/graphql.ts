/**
 * `npm run bench -- graphql [seconds]`: the GraphQL read path against its ceiling, side by side
 * in one run. It starts PostgreSQL + Temporal, seeds realistic data (10,000 real headlines with
 * extracted tickers and sentiment, signals over 100+ tickers with provenance, daily bars), then
 * starts, each in its own process:
 *   - Tidings' API (production mode, auth, rate limits, query guards, DataLoaders, logging on);
 *   - the peer in bench/_peer-graphql.ts: Apollo Server 5 + pg with hand-written SQL;
 *   - a bare Apollo hello-world, the ceiling for `{ __typename }`.
 * Each pair is loaded by autocannon at 50 connections in three interleaved rounds per side
 * (T P P T T P or its mirror, so drifting load on a shared machine falls on both alike),
 * every response is checked (a non-2xx status or a body with `errors` fails the run), and the
 * results of both sides are compared before loading. Last line: the ratios, Tidings / peer.
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import autocannon from 'autocannon';
import { parse } from 'csv-parse/sync';
import { Pool } from 'pg';
import { sharedDataPath } from '../config/paths';
import { createDataSource } from '../db/data-source';
import { LEXICON_NAME } from '../domain/sentiment';
import { readSentfinConsistent, seededRandom, shuffleInPlace } from '../ml';
import { Role } from '../entities';
import { freePort } from '../runtime/managed-process';
import { ApiKeyService } from '../services/api-key.service';
import { importPrices } from '../services/price-import.service';
import { sharedTickerExtractor } from '../store/ticker-extraction-store';
import { UserService } from '../services/user.service';
import { startBenchInfra } from './_infra';

const CONNECTIONS = 50;
/** Measurement rounds per side and document (the seconds are split between them). */
const ROUNDS = 3;
const ARTICLES = 10_000;
const DAY = 86_400_000;
const MODEL_VERSION = 'hl-bench-model';
const LEXICON_VERSION = `lexicon-${LEXICON_NAME}`;

export const DOCUMENTS = {
  articles:
    '{ articles(first: 20) { edges { node { title publishedAt tickers { ticker relevance } sentiment { label score modelVersion } } } pageInfo { endCursor hasNextPage } } }',
  signals: '{ signals(first: 20) { edges { cursor node { id ticker asOf type confidence articles { title } } } pageInfo { endCursor hasNextPage } } }',
  tickerSentiment: (from: Date, to: Date) =>
    `{ tickerSentiment(ticker: "AAPL", from: "${from.toISOString()}", to: "${to.toISOString()}", interval: HOUR) { bucketStart count meanScore positiveShare neutralShare negativeShare } }`,
  typename: '{ __typename }',
};

interface Headline {
  text: string;
  label: 'negative' | 'neutral' | 'positive';
}

function loadHeadlines(): Headline[] {
  const labels = ['negative', 'positive', 'neutral'] as const;
  const twitter = ['train.csv', 'valid.csv'].flatMap((f) =>
    (parse(fs.readFileSync(sharedDataPath('sentiment', 'twitter-financial-news', f)), { columns: true }) as Array<{ text: string; label: string }>).map((r) => ({
      text: r.text.replace(/https?:\/\/\S+/g, '').trim(),
      label: labels[Number(r.label)],
    })),
  );
  const sentfin = readSentfinConsistent(sharedDataPath('sentiment', 'sentfin', 'SEntFiN.csv')).map((r) => ({ text: r.text, label: r.label }));
  const seen = new Set<string>();
  return [...twitter, ...sentfin].filter((h) => h.text && !seen.has(h.text) && (seen.add(h.text), true));
}

/** 10,000 articles over the last 90 days, tickers by the product's extractor, sentiment, signals, bars. */
async function seed(databaseUrl: string): Promise<{ tickers: number; signals: number; bars: number }> {
  const random = seededRandom(14);
  const headlines = shuffleInPlace(loadHeadlines(), random).slice(0, ARTICLES);
  if (headlines.length < ARTICLES) throw new Error(`only ${headlines.length} distinct headlines in the shared data`);
  const universe = (parse(fs.readFileSync(sharedDataPath('companies', 'sp500_constituents.csv')), { columns: true }) as Array<{ Symbol: string }>)
    .map((r) => r.Symbol)
    .slice(0, 150);
  const extractor = sharedTickerExtractor();
  const now = Date.now();
  const articles = headlines.map((h, i) => {
    const url = `https://bench.example/articles/${i}`;
    const publishedAt = new Date(now - Math.floor(random() * 90 * DAY));
    const mentions = extractor.extract({ title: h.text, summary: '' }).map((m) => ({ ticker: m.ticker, relevance: m.relevance, matchedBy: m.matchedBy }));
    // Headlines that name no listed company get one, so every ticker has a realistic history;
    // every 8th article is also about AAPL, the ticker the time-series document reads.
    if (mentions.length === 0) mentions.push({ ticker: universe[i % universe.length], relevance: 0.5, matchedBy: ['name'] });
    if (i % 8 === 0 && !mentions.some((m) => m.ticker === 'AAPL')) mentions.push({ ticker: 'AAPL', relevance: 0.6, matchedBy: ['cashtag'] });
    return { id: '', url, urlHash: createHash('sha256').update(url).digest('hex'), title: h.text, label: h.label, publishedAt, mentions };
  });

  const pool = new Pool({ connectionString: databaseUrl, max: 2 });
  try {
    const inserted = await pool.query<{ id: string; url_hash: string }>(
      `INSERT INTO articles (source, url, canonical_url, url_hash, title, summary, published_at)
       SELECT 'import', u, u, h, t, '', p FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) AS x(u, h, t, p)
       RETURNING id, url_hash`,
      [articles.map((a) => a.url), articles.map((a) => a.urlHash), articles.map((a) => a.title), articles.map((a) => a.publishedAt.toISOString())],
    );
    const idByHash = new Map(inserted.rows.map((r) => [r.url_hash, r.id]));
    for (const a of articles) a.id = idByHash.get(a.urlHash)!;

    const links = articles.flatMap((a) => a.mentions.map((m) => ({ a, m })));
    await pool.query(
      `INSERT INTO article_tickers (article_id, ticker, relevance, matched_by, published_at)
       SELECT a, t, r, m::text[], p FROM unnest($1::uuid[], $2::text[], $3::real[], $4::text[], $5::timestamptz[]) AS x(a, t, r, m, p)`,
      [links.map((l) => l.a.id), links.map((l) => l.m.ticker), links.map((l) => l.m.relevance), links.map((l) => `{${l.m.matchedBy.join(',')}}`), links.map((l) => l.a.publishedAt.toISOString())],
    );

    // A model score for 90 % of articles, a lexicon score for 40 % (so the preference rule is
    // exercised both ways), and some articles with neither.
    const scoreOf = { negative: -0.7, neutral: 0, positive: 0.7 };
    const scores: Array<{ id: string; version: string; label: string; score: number }> = [];
    articles.forEach((a, i) => {
      if (i % 10 !== 9) scores.push({ id: a.id, version: MODEL_VERSION, label: a.label, score: scoreOf[a.label] + (random() - 0.5) * 0.3 });
      if (i % 5 < 2) scores.push({ id: a.id, version: LEXICON_VERSION, label: i % 2 ? 'neutral' : a.label, score: (random() - 0.5) * 0.4 });
    });
    await pool.query(
      `INSERT INTO sentiment_scores (article_id, model_version, label, score, prob_negative, prob_neutral, prob_positive)
       SELECT a, v, l, s, 0.2, 0.3, 0.5 FROM unnest($1::uuid[], $2::text[], $3::text[], $4::real[]) AS x(a, v, l, s)`,
      [scores.map((s) => s.id), scores.map((s) => s.version), scores.map((s) => s.label), scores.map((s) => s.score)],
    );

    // Signals: for every ticker with at least three articles, one signal every ~9 days, each
    // with up to five provenance articles published before its as-of.
    const byTicker = new Map<string, typeof articles>();
    for (const l of links) byTicker.set(l.m.ticker, [...(byTicker.get(l.m.ticker) ?? []), l.a]);
    const signals: Array<{ ticker: string; asOf: Date; type: string; confidence: number; articleIds: string[] }> = [];
    for (const [ticker, list] of byTicker) {
      if (list.length < 3) continue;
      const sorted = [...list].sort((x, y) => x.publishedAt.getTime() - y.publishedAt.getTime());
      for (let k = 1; k <= 10; k++) {
        const asOf = new Date(now - 90 * DAY + k * 9 * DAY - Math.floor(random() * DAY));
        const before = sorted.filter((a) => a.publishedAt <= asOf).slice(-5);
        if (before.length === 0) continue;
        signals.push({ ticker, asOf, type: ['BUY', 'SELL', 'HOLD'][Math.floor(random() * 3)], confidence: Math.round(random() * 100) / 100, articleIds: before.map((a) => a.id) });
      }
    }
    const signalIds = await pool.query<{ id: string }>(
      `INSERT INTO signals (ticker, as_of, type, confidence, risk_level, suggested_position_size, model_versions)
       SELECT t, a, y, c, 'MEDIUM', 0.05, ARRAY[$5::text] FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::real[]) WITH ORDINALITY AS x(t, a, y, c, n)
       ORDER BY n RETURNING id`,
      [signals.map((s) => s.ticker), signals.map((s) => s.asOf.toISOString()), signals.map((s) => s.type), signals.map((s) => s.confidence), MODEL_VERSION],
    );
    const provenance = signals.flatMap((s, i) => s.articleIds.map((articleId) => ({ signalId: signalIds.rows[i].id, articleId })));
    await pool.query(`INSERT INTO signal_articles (signal_id, article_id) SELECT * FROM unnest($1::uuid[], $2::uuid[])`, [
      provenance.map((p) => p.signalId),
      provenance.map((p) => p.articleId),
    ]);
    await pool.query('ANALYZE');
    return { tickers: new Set(signals.map((s) => s.ticker)).size, signals: signals.length, bars: 0 };
  } finally {
    await pool.end();
  }
}

/**
 * A server process whose stdout and stderr go straight to its log file (the kernel writes them):
 * not through a pipe into this process, where the API's log line per request would be read on the
 * same event loop that runs the load generator, and would slow the client in Tidings' phases only
 * (the peer logs nothing). Readiness is read from the file.
 */
function startChild(args: string[], env: NodeJS.ProcessEnv, ready: RegExp, logFile: string): Promise<{ child: ChildProcess; match: RegExpMatchArray }> {
  const fd = fs.openSync(logFile, 'w');
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', fd, fd] });
  fs.closeSync(fd);
  const name = path.basename(args.find((a) => a.endsWith('.js')) ?? 'child');
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 60_000;
    const onExit = (code: number | null) => {
      clearInterval(poll);
      reject(new Error(`${name} exited with ${code} (log: ${logFile})`));
    };
    child.once('exit', onExit);
    const poll = setInterval(() => {
      const match = fs.readFileSync(logFile, 'utf8').match(ready);
      if (match) {
        clearInterval(poll);
        child.off('exit', onExit);
        resolve({ child, match });
      } else if (Date.now() > deadline) {
        clearInterval(poll);
        reject(new Error(`${name} did not start in 60 s (log: ${logFile})`));
      }
    }, 100);
  });
}

/**
 * BENCH_CPU_PROF_DIR=<dir>: V8 CPU profiles of the API and of the SQL peer (where the time goes,
 * side by side), named tidings-<time>.cpuprofile and peer-<time>.cpuprofile.
 */
function cpuProfileArgs(name: string): string[] {
  const dir = process.env.BENCH_CPU_PROF_DIR;
  const gc = process.env.BENCH_TRACE_GC === '1' ? ['--trace-gc'] : [];
  return dir ? [...gc, '--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`] : gc;
}

/**
 * BENCH_TRACE_GC=1: both servers run with --trace-gc (lines in their logs); this sums the pauses
 * each process took, so a tail can be matched against GC (evidence for BENCHMARKS.md).
 */
function gcSummary(logFile: string): string {
  let text: string;
  try {
    text = fs.readFileSync(logFile, 'utf8');
  } catch {
    return 'no log';
  }
  const pauses: Record<string, number[]> = {};
  for (const m of text.matchAll(/ms: (Scavenge|Mark-Compact|Mark-sweep|Minor Mark-Sweep)\b[^\n]*?([\d.]+) \/ [\d.]+ ms/g)) (pauses[m[1]] ??= []).push(Number(m[2]));
  return (
    Object.entries(pauses)
      .map(([kind, ms]) => `${kind} ${ms.length}x total ${ms.reduce((a, b) => a + b, 0).toFixed(0)} ms max ${Math.max(...ms).toFixed(1)} ms (>=10 ms: ${ms.filter((x) => x >= 10).length})`)
      .join('; ') || 'no GC lines'
  );
}

async function post(url: string, query: string, headers: Record<string, string>): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  const body = (await res.json()) as { data?: unknown; errors?: unknown };
  if (res.status !== 200 || body.errors) throw new Error(`${url} answered ${res.status}: ${JSON.stringify(body).slice(0, 500)}`);
  return body.data;
}

interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  failures: number;
}

/** One side's measurement, possibly over several rounds: every response's latency is kept. */
interface Tally {
  requests: number;
  seconds: number;
  failures: number;
  cpuSeconds: number;
  latencies: number[];
}

/** The q-quantile (0..1) of latencies in ms, nearest rank. */
function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function summary(t: Tally): LoadResult & { cpuMsPerRequest: number } {
  const sorted = Float64Array.from(t.latencies).sort();
  return {
    rps: t.requests / t.seconds,
    p50: Math.round(quantile(sorted, 0.5)),
    p99: Math.round(quantile(sorted, 0.99)),
    requests: t.requests,
    failures: t.failures,
    cpuMsPerRequest: (t.cpuSeconds * 1000) / Math.max(1, t.requests),
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime in clock ticks (USER_HZ = 100)
  } catch {
    return NaN;
  }
}

function newTally(): Tally {
  return { requests: 0, seconds: 0, failures: 0, cpuSeconds: 0, latencies: [] };
}

async function load(url: string, query: string, headers: Record<string, string>, seconds: number, tally?: Tally): Promise<void> {
  let failures = 0;
  const run = autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query }),
        onResponse: (status: number, body: string) => {
          if (status !== 200 || body.includes('"errors"')) failures++;
        },
      },
    ],
  });
  // The returned promise is also autocannon's tracker, which reports every response's latency.
  if (tally) (run as unknown as NodeJS.EventEmitter).on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => tally.latencies.push(ms));
  const result = await run;
  if (!tally) return;
  tally.requests += result.requests.total;
  tally.seconds += result.duration;
  tally.failures += failures + result.errors + result.timeouts + result.non2xx;
}

export default async function graphqlBench(args: string[]): Promise<void> {
  const seconds = Number(args[0] ?? 10);
  // Optional document names after the seconds (e.g. `-- graphql 5 typename`), for profiling one.
  const only = args.slice(1);
  const cleanup: Array<() => Promise<void>> = [];
  const children: ChildProcess[] = [];
  try {
    const infra = await startBenchInfra('graphql');
    cleanup.push(() => infra.stop());
    const started = Date.now();
    const seeded = await seed(infra.databaseUrl);
    const db = createDataSource(infra.databaseUrl, { poolSize: 2 });
    await db.initialize();
    cleanup.unshift(() => db.destroy());
    for (const ticker of ['AAPL', 'MSFT']) {
      const csv = fs.readFileSync(sharedDataPath('prices', fs.readdirSync(sharedDataPath('prices')).find((f) => f.toUpperCase().startsWith(ticker))!), 'utf8');
      seeded.bars += (await importPrices(db, { ticker, csv })).inserted;
    }
    const user = await new UserService(db).create(`bench-${Date.now()}@example.test`, `bench-password-${Date.now()}`, Role.ADMIN);
    const { key } = await new ApiKeyService(db).create(user.id, 'bench', null);
    const auth = { authorization: `Bearer ${key}` };
    console.log(`seeded ${ARTICLES} articles, ${seeded.signals} signals over ${seeded.tickers} tickers, ${seeded.bars} daily bars in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const dist = path.resolve(__dirname, '..');
    const [tidingsPort, peerPort, helloPort] = [await freePort(), await freePort(), await freePort()];
    const env = { ...process.env, DATABASE_URL: infra.databaseUrl, TEMPORAL_ADDRESS: infra.temporalAddress };
    const [tidings, peer, hello] = await Promise.all([
      startChild(
        [...cpuProfileArgs('tidings'), path.join(dist, 'runtime', 'api-main.js')],
        // Production mode with info-level logs: what a deployment runs. The admin limit is raised
        // so 50 connections are measured, not refused; the limiter itself still runs per request.
        { ...env, NODE_ENV: 'production', LOG_LEVEL: 'info', HOST: '127.0.0.1', PORT: String(tidingsPort), TIDINGS_SKIP_MIGRATIONS: '1', RATE_LIMIT_ADMIN_PER_MIN: '1000000000' },
        /"api listening"/,
        path.join(infra.workDir, 'tidings-api.log'),
      ),
      // The peers in production mode too: graphql-js's development checks (instanceOf) and
      // Apollo's defaults for development are no part of a ceiling.
      startChild([...cpuProfileArgs('peer'), path.join(dist, 'bench', '_peer-graphql.js'), 'sql', String(peerPort)], { ...env, NODE_ENV: 'production' }, /peer listening (\S+)/, path.join(infra.workDir, 'peer.log')),
      startChild([path.join(dist, 'bench', '_peer-graphql.js'), 'hello', String(helloPort)], { ...env, NODE_ENV: 'production' }, /peer listening (\S+)/, path.join(infra.workDir, 'hello.log')),
    ]);
    children.push(tidings.child, peer.child, hello.child);
    const tidingsUrl = `http://127.0.0.1:${tidingsPort}/graphql`;
    const peerUrl = peer.match[1];
    const helloUrl = hello.match[1];

    const now = new Date();
    const docs: Array<{ name: string; query: string; peerUrl: string; peerHeaders: Record<string, string> }> = [
      { name: 'articles', query: DOCUMENTS.articles, peerUrl, peerHeaders: {} },
      { name: 'signals', query: DOCUMENTS.signals, peerUrl, peerHeaders: {} },
      { name: 'ticker_sentiment', query: DOCUMENTS.tickerSentiment(new Date(now.getTime() - 30 * DAY), now), peerUrl, peerHeaders: {} },
      { name: 'typename', query: DOCUMENTS.typename, peerUrl: helloUrl, peerHeaders: {} },
    ];

    // Same results first: a faster peer that answers something else proves nothing.
    for (const d of docs) {
      const [ours, theirs] = await Promise.all([post(tidingsUrl, d.query, auth), post(d.peerUrl, d.query, d.peerHeaders)]);
      if (JSON.stringify(ours) !== JSON.stringify(theirs)) {
        throw new Error(`${d.name}: Tidings and the peer answer differently\n tidings: ${JSON.stringify(ours).slice(0, 400)}\n peer:    ${JSON.stringify(theirs).slice(0, 400)}`);
      }
    }
    console.log('results: identical on all four documents');

    const ratios: Record<string, number> = {};
    let p99RatioMax = 0;
    let failures = 0;
    console.log(`connections=${CONNECTIONS} seconds_each=${seconds} rounds=${ROUNDS}`);
    for (const [i, d] of docs.entries()) {
      if (only.length > 0 && !only.includes(d.name)) continue;
      // Warm both (JIT, pools, key cache), then alternate which side runs first.
      await load(tidingsUrl, d.query, auth, 1);
      await load(d.peerUrl, d.query, d.peerHeaders, 1);
      // The load on this shared machine drifts: each side runs ROUNDS times, in the order
      // T P P T T P (or the mirror image), so a drift over the run falls on both sides alike.
      // Requests/s is over all rounds; p50/p99 over every response of all rounds.
      const peerPid = (d.name === 'typename' ? hello : peer).child.pid;
      const tallies = { tidings: newTally(), peer: newTally() };
      const sides = {
        tidings: { url: tidingsUrl, headers: auth, pid: tidings.child.pid },
        peer: { url: d.peerUrl, headers: d.peerHeaders, pid: peerPid },
      };
      for (let round = 0; round < ROUNDS; round++) {
        const order: Array<'tidings' | 'peer'> = (round + i) % 2 === 0 ? ['tidings', 'peer'] : ['peer', 'tidings'];
        for (const side of order) {
          const { url, headers, pid } = sides[side];
          // CPU time per request of the server process: steadier than requests/s on a busy machine.
          const before = cpuSeconds(pid);
          await load(url, d.query, headers, seconds / ROUNDS, tallies[side]);
          tallies[side].cpuSeconds += cpuSeconds(pid) - before;
        }
      }
      const [ours, theirs] = [summary(tallies.tidings), summary(tallies.peer)];
      failures += ours.failures + theirs.failures;
      ratios[d.name] = ours.rps / theirs.rps;
      const p99Ratio = ours.p99 / Math.max(theirs.p99, 1);
      if (d.name !== 'typename') p99RatioMax = Math.max(p99RatioMax, p99Ratio);
      console.log(
        `${d.name.padEnd(17)} tidings ${ours.rps.toFixed(0).padStart(6)} rps p50 ${ours.p50} ms p99 ${ours.p99} ms | peer ${theirs.rps.toFixed(0).padStart(6)} rps p50 ${theirs.p50} ms p99 ${theirs.p99} ms | ratio ${ratios[d.name].toFixed(3)} p99 ratio ${p99Ratio.toFixed(2)} | server cpu ms/req ${ours.cpuMsPerRequest.toFixed(2)}/${theirs.cpuMsPerRequest.toFixed(2)} | failures ${ours.failures}/${theirs.failures}`,
      );
    }
    if (process.env.BENCH_TRACE_GC === '1') {
      console.log(`gc tidings: ${gcSummary(path.join(infra.workDir, 'tidings-api.log'))}`);
      console.log(`gc peer:    ${gcSummary(path.join(infra.workDir, 'peer.log'))}`);
    }
    console.log(`load average ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
    if (failures > 0) throw new Error(`${failures} requests failed: the run does not count`);
    if (only.length > 0) return;
    console.log(
      `articles_ratio=${ratios.articles.toFixed(3)} signals_ratio=${ratios.signals.toFixed(3)} ticker_sentiment_ratio=${ratios.ticker_sentiment.toFixed(3)} typename_ratio=${ratios.typename.toFixed(3)} p99_ratio_max=${p99RatioMax.toFixed(2)}`,
    );
  } finally {
    await Promise.all(children.map((child) => new Promise((r) => (child.exitCode !== null ? r(null) : (child.once('exit', r), child.kill('SIGTERM'))))));
    for (const c of cleanup) await c().catch(() => undefined);
  }
}
