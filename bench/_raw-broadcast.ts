/**
 * The raw peer of `npm run bench -- subscriptions` (a child process, so its RSS is its own):
 * the least a server can do to fan one event out over WebSockets. It LISTENs on a PostgreSQL
 * channel, as the API's event bridge does, and sends each notification's text unchanged to every
 * open socket: no GraphQL, no auth, no filtering, no per-subscriber work.
 * Env: DATABASE_URL, PORT, RAW_CHANNEL. Tells its parent `{ type: 'ready' }` over IPC.
 */
import { Client } from 'pg';
import { WebSocketServer, type WebSocket } from 'ws';

async function main(): Promise<void> {
  const channel = process.env.RAW_CHANNEL ?? 'tidings_bench_raw';
  if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`RAW_CHANNEL must be a plain identifier, got ${channel}`);
  const sockets = new Set<WebSocket>();
  const server = new WebSocketServer({ port: Number(process.env.PORT), host: '0.0.0.0' });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const client = new Client({ connectionString: process.env.DATABASE_URL, application_name: 'tidings-bench-raw' });
  client.on('notification', (msg) => {
    if (msg.channel !== channel || !msg.payload) return;
    for (const socket of sockets) socket.send(msg.payload);
  });
  await client.connect();
  await client.query(`LISTEN ${channel}`);
  process.send?.({ type: 'ready' });
  process.on('SIGTERM', () => {
    for (const socket of sockets) socket.terminate();
    server.close();
    client.end().finally(() => process.exit(0));
  });
  // Never outlive the benchmark.
  process.on('disconnect', () => process.exit(0));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
