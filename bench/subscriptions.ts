/**
 * `npm run bench -- subscriptions [subscribers=10000] [events=5]`: the replica case of issue 21.
 * Two API processes (replicas) against one PostgreSQL and one Temporal hold `subscribers`
 * graphql-ws subscriptions of `signalCreated(tickers: ["AAPL"])` split evenly between them. Each
 * signal is published once, the way workers publish it (insert + NOTIFY in one transaction), and
 * reaches both replicas through PostgreSQL NOTIFY. In the same run the same number of raw
 * sockets is split over two minimal `ws` servers that LISTEN on their own channel and send each
 * notification's text to every socket (bench/_raw-broadcast.ts); they get the same event text
 * through the same kind of NOTIFY. Rounds alternate (graphql event, then raw event) so both see
 * the same machine; one warm-up round of each is not counted. Latency = commit of the NOTIFY ->
 * the client's receipt of the message.
 * Clients live in two child processes (bench/_subs-clients.ts), one per replica pair, each from
 * its own 127.0.0.x source address, so no process needs more than ~10,000 descriptors.
 * BENCH_PROFILE_DIR=<dir> writes CPU profiles of the API replicas there.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createDataSource } from '../db/data-source';
import { Role } from '../entities';
import { publishEvent } from '../events/publish';
import { Topic } from '../events/topics';
import { freePort, waitUntil } from '../runtime/managed-process';
import { ApiKeyService } from '../services/api-key.service';
import { UserService } from '../services/user.service';
import { startBenchInfra } from './_infra';
import type { ClientGroup } from './_subs-clients';

const REPLICAS = 2;
const RAW_CHANNEL = 'tidings_bench_raw';

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const now = () => performance.timeOrigin + performance.now();

/** Resolves with the first IPC message of `type` from `child` (rejects on an `error` message, exit, or timeout). */
function nextMessage<T>(child: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`no '${type}' from child ${child.pid} within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (msg: { type: string; message?: string }) => {
      if (msg.type === type) finish(null, msg as T);
      else if (msg.type === 'error') finish(new Error(msg.message));
    };
    const onExit = (code: number | null) => finish(new Error(`child ${child.pid} exited (${code}) before '${type}'`));
    function finish(err: Error | null, value?: T) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(value as T);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

function summarise(latencies: number[]) {
  latencies.sort((a, b) => a - b);
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies[latencies.length - 1] };
}

export default async function subscriptionsBench(args: string[]): Promise<void> {
  const subscribers = Number(args[0] ?? 10_000);
  const events = Number(args[1] ?? 5);
  if (!(subscribers >= REPLICAS && subscribers % REPLICAS === 0)) throw new Error(`subscribers must be a positive multiple of ${REPLICAS}`);
  const perReplica = subscribers / REPLICAS;
  const infra = await startBenchInfra('subs');
  const children: ChildProcess[] = [];
  const db = createDataSource(infra.databaseUrl, { poolSize: 2 });
  try {
    await db.initialize();
    const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
    const apiPorts: number[] = [];
    const apis: ChildProcess[] = [];
    for (let r = 0; r < REPLICAS; r++) {
      const port = await freePort();
      const api = spawn(process.execPath, [...profile, path.join(__dirname, '..', 'runtime', 'api-main.js')], {
        env: {
          ...process.env,
          NODE_ENV: 'production',
          DATABASE_URL: infra.databaseUrl,
          TEMPORAL_ADDRESS: infra.temporalAddress,
          PORT: String(port),
          LOG_LEVEL: 'warn',
          TIDINGS_SKIP_MIGRATIONS: '1',
          RATE_LIMIT_ADMIN_PER_MIN: '1000000000',
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      children.push(api);
      apis.push(api);
      apiPorts.push(port);
    }
    const rawPorts: number[] = [];
    const raws: ChildProcess[] = [];
    for (let r = 0; r < REPLICAS; r++) {
      const port = await freePort();
      const raw = fork(path.join(__dirname, '_raw-broadcast.js'), [], {
        env: { ...process.env, DATABASE_URL: infra.databaseUrl, PORT: String(port), RAW_CHANNEL },
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.push(raw);
      raws.push(raw);
      rawPorts.push(port);
    }
    await Promise.all(raws.map((raw) => nextMessage(raw, 'ready', 30_000)));
    for (const port of apiPorts) {
      await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/ready`).catch(() => null))?.ok === true, { timeoutMs: 90_000, describe: () => `API on ${port} not ready` });
    }
    const user = await new UserService(db).create(`subs-${Date.now()}@example.test`, 'bench-password-123', Role.ADMIN);
    const { key } = await new ApiKeyService(db).create(user.id, 'bench', null);
    const idleRss = apis.map((api) => rssMb(api.pid!));
    const rawIdleRss = raws.map((raw) => rssMb(raw.pid!));

    // One client process per replica: its share of graphql subscribers on that replica and as
    // many raw sockets on that replica's raw peer, from its own loopback source address.
    const subscribe = JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { signalCreated(tickers: ["AAPL"]) { id ticker type confidence } }' } });
    const clients: ChildProcess[] = [];
    const connectStarted = performance.now();
    for (let r = 0; r < REPLICAS; r++) {
      const client = fork(path.join(__dirname, '_subs-clients.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      children.push(client);
      clients.push(client);
      const groups: ClientGroup[] = [
        { name: 'graphql', url: `ws://127.0.0.1:${apiPorts[r]}/graphql`, count: perReplica, graphql: { initPayload: { authorization: `Bearer ${key}` }, subscribe } },
        { name: 'raw', url: `ws://127.0.0.1:${rawPorts[r]}/`, count: perReplica },
      ];
      client.send({ type: 'connect', groups, localAddress: `127.0.0.${2 + r}` });
    }
    await Promise.all(clients.map((c) => nextMessage(c, 'connected', 300_000)));
    // Subscribe messages are handled after `connection_ack`; give the replicas a moment to register them all.
    await new Promise((r) => setTimeout(r, 3000));
    console.log(
      `${subscribers} graphql-ws subscribers on ${REPLICAS} replicas + ${subscribers} raw sockets on ${REPLICAS} raw peers connected in ${((performance.now() - connectStarted) / 1000).toFixed(1)} s`,
    );

    const done = new Map<string, number>();
    for (const client of clients) client.on('message', (msg: { type: string; key?: string }) => msg.type === 'done' && done.set(msg.key!, (done.get(msg.key!) ?? 0) + 1));
    const everyoneGot = (key: string, what: string) =>
      waitUntil(() => (done.get(key) ?? 0) >= clients.length, { timeoutMs: 60_000, intervalMs: 5, describe: () => `${what}: only ${done.get(key) ?? 0}/${clients.length} client processes got it all` });

    const publishedAt = new Map<string, number>();
    // Round 0 warms both sides (JIT, the replicas' first signal read) and is not counted.
    const warmupIds = new Set<string>();
    for (let s = -1; s < events; s++) {
      // The product's path: the signal row and its NOTIFY in one transaction.
      let envelopeText = '';
      const id = await db.transaction(async (tx) => {
        const [row] = await tx.query(
          `INSERT INTO signals (ticker, as_of, type, confidence, risk_level, suggested_position_size) VALUES ('AAPL', now(), 'BUY', 0.7, 'MEDIUM', 0.1) RETURNING id`,
        );
        const payload = { id: row.id as string, ticker: 'AAPL', type: 'BUY', confidence: 0.7 } as const;
        envelopeText = JSON.stringify({ topic: Topic.SIGNAL_CREATED, key: 'AAPL', payload });
        await publishEvent(tx, Topic.SIGNAL_CREATED, 'AAPL', payload);
        return row.id as string;
      });
      if (s < 0) warmupIds.add(id);
      publishedAt.set(`graphql:${id}`, now()); // the commit, and so the NOTIFY, has happened
      await everyoneGot(`graphql:${id}`, `graphql event ${s}`);
      await new Promise((r) => setTimeout(r, 500));
      // The raw peer: the same event text through one NOTIFY on its own channel.
      await db.query('SELECT pg_notify($1, $2)', [RAW_CHANNEL, envelopeText]);
      publishedAt.set(`raw:${id}`, now());
      await everyoneGot(`raw:${id}`, `raw event ${s}`);
      await new Promise((r) => setTimeout(r, 500));
    }

    const latencies = { graphql: [] as number[], raw: [] as number[] };
    const perEvent = new Map<string, number[]>();
    for (const client of clients) {
      client.send({ type: 'report' });
      const { received } = await nextMessage<{ received: Record<string, number[]> }>(client, 'report', 60_000);
      for (const [k, times] of Object.entries(received)) {
        const at = publishedAt.get(k);
        if (at === undefined) throw new Error(`a client reported an event the bench did not publish: ${k}`);
        const [kind, id] = k.split(':') as ['graphql' | 'raw', string];
        if (warmupIds.has(id)) continue;
        const list = perEvent.get(k) ?? [];
        perEvent.set(k, list);
        for (const t of times) {
          latencies[kind].push(t - at);
          list.push(t - at);
        }
      }
    }
    const eventP99 = (kind: string) => [...perEvent].filter(([k]) => k.startsWith(kind)).map(([, l]) => summarise(l).p99.toFixed(0));
    console.log(`p99 per event ms (publish order): graphql ${eventP99('graphql').join(', ')}; raw ${eventP99('raw').join(', ')}`);
    const expected = events * subscribers;
    if (latencies.graphql.length !== expected || latencies.raw.length !== expected) {
      throw new Error(`expected ${expected} deliveries of each kind, got graphql ${latencies.graphql.length}, raw ${latencies.raw.length}`);
    }
    const rss = apis.map((api) => rssMb(api.pid!));
    const rawRss = raws.map((raw) => rssMb(raw.pid!));
    const g = summarise(latencies.graphql);
    const w = summarise(latencies.raw);
    const rssPerReplica = rss.reduce((a, b) => a + b, 0) / rss.length;
    console.log(`${events} events x ${subscribers} subscribers, each way: every subscriber received every event once`);
    console.log(`graphql-ws (${REPLICAS} replicas) latency ms: p50 ${g.p50.toFixed(1)}  p99 ${g.p99.toFixed(1)}  max ${g.max.toFixed(1)}`);
    console.log(`raw ws     (${REPLICAS} peers)    latency ms: p50 ${w.p50.toFixed(1)}  p99 ${w.p99.toFixed(1)}  max ${w.max.toFixed(1)}`);
    console.log(`API replica RSS MB: idle ${idleRss.map((m) => m.toFixed(0)).join(', ')} -> ${rss.map((m) => m.toFixed(0)).join(', ')}; raw peer RSS MB: idle ${rawIdleRss.map((m) => m.toFixed(0)).join(', ')} -> ${rawRss.map((m) => m.toFixed(0)).join(', ')}`);
    console.log(`p50 ratio ${(g.p50 / w.p50).toFixed(2)}; target p99 ratio <= 1.2; load average ${fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
    console.log(`subs_p99_ms=${g.p99.toFixed(1)} raw_p99_ms=${w.p99.toFixed(1)} p99_ratio=${(g.p99 / w.p99).toFixed(2)} rss_mb_per_replica=${rssPerReplica.toFixed(0)}`);
  } finally {
    await Promise.all(children.map(stopChild));
    await db.destroy().catch(() => undefined);
    await infra.stop();
  }
}
