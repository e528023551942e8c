/**
 * GraphiQL served entirely from npm packages (no CDN), with subscriptions over graphql-ws.
 * The Authorization header typed into GraphiQL's headers editor is reused as the WebSocket's
 * connectionParams, so subscriptions authenticate the same way queries do.
 */
import path from 'node:path';
import { Router, type Request, type Response } from 'express';

const ASSETS: Record<string, { pkg: string; file: string; type: string }> = {
  'react.js': { pkg: 'react', file: 'umd/react.production.min.js', type: 'application/javascript' },
  'react-dom.js': { pkg: 'react-dom', file: 'umd/react-dom.production.min.js', type: 'application/javascript' },
  'graphiql.js': { pkg: 'graphiql', file: 'graphiql.min.js', type: 'application/javascript' },
  'graphiql.css': { pkg: 'graphiql', file: 'graphiql.min.css', type: 'text/css' },
  'graphql-ws.js': { pkg: 'graphql-ws', file: 'umd/graphql-ws.min.js', type: 'application/javascript' },
};

function packageDir(pkg: string): string {
  return path.dirname(require.resolve(`${pkg}/package.json`));
}

/** GraphiQL's start-up, served as a file so the Content-Security-Policy needs no inline scripts. */
const INIT_JS = `    const httpUrl = new URL(document.currentScript.dataset.graphqlPath, location.href).toString();
    const wsUrl = httpUrl.replace(/^http/, 'ws');
    function authorization() {
      try {
        const headers = JSON.parse(localStorage.getItem('graphiql:headers') || '{}');
        return headers.Authorization || headers.authorization;
      } catch (e) { return undefined; }
    }
    const wsClient = graphqlWs.createClient({ url: wsUrl, lazy: true, connectionParams: () => ({ authorization: authorization() }) });
    const fetcher = GraphiQL.createFetcher({ url: httpUrl, wsClient });
    ReactDOM.createRoot(document.getElementById('graphiql')).render(
      React.createElement(GraphiQL, { fetcher, defaultEditorToolsVisibility: true, shouldPersistHeaders: true }),
    );
`;

function page(graphqlPath: string, base: string): string {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>Tidings GraphiQL</title>
  <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
  <link rel="stylesheet" href="${base}/assets/graphiql.css" />
</head>
<body>
  <div id="graphiql">Loading…</div>
  <script src="${base}/assets/react.js"></script>
  <script src="${base}/assets/react-dom.js"></script>
  <script src="${base}/assets/graphql-ws.js"></script>
  <script src="${base}/assets/graphiql.js"></script>
  <script src="${base}/assets/init.js" data-graphql-path="${graphqlPath.replace(/"/g, '&quot;')}"></script>
</body>
</html>`;
}

export function graphiqlRouter(graphqlPath: string, base = '/graphiql'): Router {
  const router = Router();
  router.get(base, (_req: Request, res: Response) => {
    res.type('html').send(page(graphqlPath, base));
  });
  router.get(`${base}/assets/init.js`, (_req: Request, res: Response) => {
    res.type('application/javascript').send(INIT_JS);
  });
  router.get(`${base}/assets/:name`, (req: Request, res: Response) => {
    const asset = ASSETS[String(req.params.name)];
    if (!asset) {
      res.status(404).json({ error: 'no such asset' });
      return;
    }
    res.type(asset.type).setHeader('cache-control', 'public, max-age=86400');
    res.sendFile(path.join(packageDir(asset.pkg), asset.file));
  });
  return router;
}
