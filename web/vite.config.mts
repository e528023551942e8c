import path from 'node:path';
import { defineConfig } from 'vite';

// The app is served by the API itself (api/web-app.ts) from dist/web, so everything is
// same-origin: no CORS, no CDN, works offline. `npm run dev:web` proxies to a running API.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: path.join(import.meta.dirname, '..', 'dist', 'web'),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: { '/graphql': { target: process.env.TIDINGS_API ?? 'http://127.0.0.1:4000', ws: true } },
  },
});
