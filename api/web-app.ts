/**
 * Serves the built dashboard (web/, built by `npm run build:web` into dist/web) at `/`, with
 * index.html for the app's own routes so a reload on /signals or /tickers/AAPL works. API paths
 * are never shadowed: the router is mounted after them and skips anything under /graphql,
 * /graphiql, /health and /ready. Hashed assets are cached for a year, index.html never.
 */
import fs from 'node:fs';
import path from 'node:path';
import express, { Router, type Request, type Response, type NextFunction } from 'express';

const API_PREFIXES = ['/graphql', '/graphiql', '/health', '/ready'];

/** The repository (or image) root: the nearest folder up from here holding package.json. */
function projectRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

export function webAppDir(): string {
  return process.env.TIDINGS_WEB_DIR ?? path.join(projectRoot(), 'dist', 'web');
}

/** What the app may know about its surroundings (no secrets): where the Temporal UI is. */
export interface WebAppConfig {
  temporalUiUrl?: string;
  temporalNamespace: string;
}

export function webAppRouter(appConfig: WebAppConfig, dir = webAppDir()): Router {
  const router = Router();
  const index = path.join(dir, 'index.html');
  router.get('/app-config.json', (_req: Request, res: Response) => {
    res.setHeader('cache-control', 'no-cache');
    res.json({ temporalUiUrl: appConfig.temporalUiUrl ?? null, temporalNamespace: appConfig.temporalNamespace });
  });
  router.use('/assets', express.static(path.join(dir, 'assets'), { immutable: true, maxAge: '365d', fallthrough: false }));
  router.use(express.static(dir, { index: false, maxAge: 0 }));
  router.get(/.*/, (req: Request, res: Response, next: NextFunction) => {
    if (API_PREFIXES.some((p) => req.path === p || req.path.startsWith(`${p}/`))) return next();
    if (!req.accepts('html')) return next();
    if (!fs.existsSync(index)) {
      res.status(503).type('text').send('The dashboard is not built: run `npm run build:web` (npm start does it for you).');
      return;
    }
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
