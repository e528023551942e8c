import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { webAppRouter } from './web-app';

async function serve(dir: string): Promise<{ base: string; close: () => Promise<void> }> {
  const app = express();
  app.get('/graphql', (_req, res) => void res.json({ api: true }));
  app.use(webAppRouter({ temporalUiUrl: 'http://127.0.0.1:8233', temporalNamespace: 'default' }, dir));
  const server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise((r) => server.close(() => r())) };
}

describe('webAppRouter', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-web-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('serves index.html for app routes, hashed assets with a long cache, and never shadows API paths', async () => {
    fs.mkdirSync(path.join(dir, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'index.html'), '<div id="root"></div>');
    fs.writeFileSync(path.join(dir, 'assets', 'index-abc.js'), 'console.log(1)');
    const { base, close } = await serve(dir);
    try {
      const html = { accept: 'text/html' };
      for (const p of ['/', '/tickers/AAPL', '/operator/flags']) {
        const res = await fetch(base + p, { headers: html });
        expect(res.status).toBe(200);
        expect(await res.text()).toBe('<div id="root"></div>');
        expect(res.headers.get('cache-control')).toBe('no-cache');
      }
      const asset = await fetch(`${base}/assets/index-abc.js`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('cache-control')).toMatch(/max-age=31536000/);
      expect((await fetch(`${base}/assets/missing.js`)).status).toBe(404);
      expect(await (await fetch(`${base}/graphql`, { headers: html })).json()).toEqual({ api: true });
      for (const p of ['/graphiql/x', '/health', '/ready', '/graphql/nope']) expect((await fetch(base + p, { headers: html })).status).toBe(404);
      expect(await (await fetch(`${base}/app-config.json`)).json()).toEqual({ temporalUiUrl: 'http://127.0.0.1:8233', temporalNamespace: 'default' });
    } finally {
      await close();
    }
  });

  it('says how to build the app when it is not built', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-web-empty-'));
    const { base, close } = await serve(empty);
    try {
      const res = await fetch(`${base}/`, { headers: { accept: 'text/html' } });
      expect(res.status).toBe(503);
      expect(await res.text()).toMatch(/npm run build:web/);
    } finally {
      await close();
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });
});
