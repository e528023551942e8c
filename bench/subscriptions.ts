/**
 * `npm run bench -- subscriptions [subscribers=10000] [signals=3]`: one API process (a child,
 * so its RSS is its own) holds N graphql-ws subscribers of `signalCreated(tickers: ["AAPL"])`;
 * signals are published the way workers publish them (insert + NOTIFY in one transaction) and
 * the delay from commit to each subscriber's message is measured.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { createDataSource } from '../db/data-source';
import { Role } from '../entities';
import { publishEvent } from '../events/publish';
import { Topic } from '../events/topics';
import { freePort, waitUntil } from '../runtime/managed-process';
import { ApiKeyService } from '../services/api-key.service';
import { UserService } from '../services/user.service';
import { startBenchInfra } from './_infra';

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

export default async function subscriptionsBench(args: string[]): Promise<void> {
  const subscribers = Number(args[0] ?? 10_000);
  const signals = Number(args[1] ?? 3);
  const infra = await startBenchInfra('subs');
  const port = await freePort();
  // BENCH_PROFILE_DIR=<dir> writes a CPU profile of the API process there.
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : [];
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
  const db = createDataSource(infra.databaseUrl, { poolSize: 2 });
  const sockets: WebSocket[] = [];
  try {
    await db.initialize();
    await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/ready`).catch(() => null))?.ok === true, { timeoutMs: 60_000, describe: () => 'API not ready' });
    const user = await new UserService(db).create(`subs-${Date.now()}@example.test`, 'bench-password-123', Role.ADMIN);
    const { key } = await new ApiKeyService(db).create(user.id, 'bench', null);
    const idleRss = rssMb(api.pid!);

    // Minimal graphql-transport-ws clients (raw sockets, no client library, no JSON parsing on
    // the hot path) so the figure is the server's delivery time, not a heavy client's parsing.
    const received = new Map<string, number[]>();
    let acked = 0;
    const subscribeMessage = JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { signalCreated(tickers: ["AAPL"]) { id ticker type confidence } }' } });
    const connectStarted = performance.now();
    for (let i = 0; i < subscribers; i += 500) {
      const batch = Array.from({ length: Math.min(500, subscribers - i) }, () => {
        const socket = new WebSocket(`ws://127.0.0.1:${port}/graphql`, 'graphql-transport-ws');
        sockets.push(socket);
        return new Promise<void>((resolve, reject) => {
          socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${key}` } })));
          socket.once('close', (code, reason) => reject(new Error(`socket closed ${code} ${reason}`)));
          socket.on('message', (data: Buffer) => {
            const at = performance.timeOrigin + performance.now();
            const text = data.toString();
            if (text.startsWith('{"type":"connection_ack"')) {
              socket.send(subscribeMessage);
              resolve();
              return;
            }
            const m = /"signalCreated":\{"id":"([0-9a-f-]{36})"/.exec(text);
            if (!m) return;
            const list = received.get(m[1]);
            if (list) list.push(at);
            else received.set(m[1], [at]);
          });
        });
      });
      await Promise.all(batch);
      acked += batch.length;
    }
    // Subscribe messages are processed after `connected`; give the server a moment to register them all.
    await new Promise((r) => setTimeout(r, 2000));
    console.log(`${acked} subscribers connected in ${((performance.now() - connectStarted) / 1000).toFixed(1)} s; API RSS idle ${idleRss.toFixed(0)} MB -> ${rssMb(api.pid!).toFixed(0)} MB`);

    const latencies: number[] = [];
    for (let s = 0; s < signals; s++) {
      let publishedAt = 0;
      const id = await db.transaction(async (tx) => {
        const [row] = await tx.query(
          `INSERT INTO signals (ticker, as_of, type, confidence, risk_level, suggested_position_size) VALUES ('AAPL', now(), 'BUY', 0.7, 'MEDIUM', 0.1) RETURNING id`,
        );
        await publishEvent(tx, Topic.SIGNAL_CREATED, 'AAPL', { id: row.id, ticker: 'AAPL', type: 'BUY', confidence: 0.7 });
        return row.id as string;
      });
      publishedAt = performance.timeOrigin + performance.now(); // the commit (and so the NOTIFY) has happened
      await waitUntil(() => (received.get(id)?.length ?? 0) >= subscribers, { timeoutMs: 60_000, intervalMs: 5, describe: () => `only ${received.get(id)?.length ?? 0}/${subscribers} received signal ${s}` });
      for (const at of received.get(id)!) latencies.push(at - publishedAt);
      await new Promise((r) => setTimeout(r, 500));
    }
    const rss = rssMb(api.pid!);
    latencies.sort((a, b) => a - b);
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    console.log(`${signals} signals x ${subscribers} subscribers: every subscriber received every signal`);
    console.log(`delivery latency ms: p50 ${p50.toFixed(1)}  p99 ${p99.toFixed(1)}  max ${latencies[latencies.length - 1].toFixed(1)}`);
    console.log(`API process RSS: ${rss.toFixed(0)} MB (targets: p99 < 250 ms, RSS < 1024 MB)`);
    console.log(`subs_p99_ms=${p99.toFixed(1)} subs_rss_mb=${rss.toFixed(0)}`);
  } finally {
    for (const socket of sockets) socket.terminate();
    api.kill('SIGTERM');
    await new Promise((r) => api.once('exit', r));
    await db.destroy().catch(() => undefined);
    await infra.stop();
  }
}
