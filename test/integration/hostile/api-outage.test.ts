/**
 * Issue 11, D3: an API whose PostgreSQL goes away (behind a TCP proxy that is cut and restored)
 * answers UNAVAILABLE, keeps /health and /ready truthful, and recovers.
 */
import net from 'node:net';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { loadConfig } from '../../../config/config';
import { createLogger } from '../../../config/logger';
import { Role } from '../../../entities';
import { startApiProcess } from '../../../runtime/api-process';
import { createIdentity } from '../../support/access';
import { code, expectNothingInternal, post } from '../../support/hostile-http';
import { LogCapture, testEnv } from '../../support/stack';

describe('D3: a PostgreSQL outage answers UNAVAILABLE (503, Retry-After) and /health, /ready stay truthful', () => {
  it('through a TCP proxy to PostgreSQL that is cut and restored', async () => {
    const env = testEnv();
    const target = new URL(env.databaseUrl);
    const sockets = new Set<net.Socket>();
    const proxy = net.createServer((client) => {
      const upstream = net.connect(Number(target.port), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const port = (proxy.address() as net.AddressInfo).port;
    const viaProxy = new URL(env.databaseUrl);
    viaProxy.port = String(port);
    const config = { ...loadConfig({ NODE_ENV: 'test' }), port: 0, host: '127.0.0.1', taskQueue: `test-${randomUUID()}` };
    const logs = new LogCapture();
    const api = await startApiProcess(config, createLogger({ level: 'warn', destination: logs }), { databaseUrl: viaProxy.toString(), temporalAddress: env.temporalAddress, fromEnv: true, migrate: false });
    const user = await createIdentity(api.db, Role.USER);
    const url = api.server.graphqlUrl;
    try {
      expect((await post(url, { query: '{ me { id } }' }, user.headers)).status).toBe(200);

      // The outage: the port closes and every open connection drops.
      await new Promise<void>((r) => {
        proxy.close(() => r());
        for (const s of sockets) s.destroy();
      });
      await new Promise((r) => setTimeout(r, 2500)); // past the key cache, so the key lookup itself fails
      for (const query of ['{ me { id } }', '{ articles(first: 1) { edges { cursor } } }']) {
        const r = await post(url, { query }, user.headers);
        expect(r.status).toBe(503);
        expect(code(r.body)).toBe('UNAVAILABLE');
        expect(r.body.errors![0].extensions!.retryAfterSeconds).toBeGreaterThan(0);
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
        expectNothingInternal(r.text);
        expect(r.text).not.toContain(String(port));
      }
      // graphql-ws: the key cannot be checked, so the socket closes with 1013 "try again later".
      const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
      await new Promise((r) => socket.once('open', r));
      const closed = new Promise<{ code: number; reason: string }>((r) => socket.once('close', (c, reason) => r({ code: c, reason: reason.toString() })));
      socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${user.key}` } }));
      const close = await closed;
      expect(close.code).toBe(1013);
      expectNothingInternal(close.reason);
      // The log says what happened, without the database address.
      expect(logs.text()).toContain('a dependency is unavailable');

      const noKey = await post(url, { query: '{ me { id } }' }, { authorization: `Bearer ${user.key}x` });
      expect([503, 401]).toContain(noKey.status);
      expect((await fetch(`${api.server.url}/health`)).status).toBe(200);
      const ready = await fetch(`${api.server.url}/ready`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { checks: { postgres: { ok: boolean }; temporal: { ok: boolean } } }).checks).toMatchObject({ postgres: { ok: false }, temporal: { ok: true } });

      // Back again: the same port answers and so does the API.
      await new Promise<void>((r) => proxy.listen(port, '127.0.0.1', r));
      let status = 0;
      for (let i = 0; i < 40 && status !== 200; i++) {
        status = (await post(url, { query: '{ me { id } }' }, user.headers)).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 250));
      }
      expect(status).toBe(200);
      expect((await fetch(`${api.server.url}/ready`)).status).toBe(200);
    } finally {
      await api.stop().catch(() => undefined);
      proxy.close();
      for (const s of sockets) s.destroy();
    }
  });
});
