// Builds the dashboard into dist/web, in four steps:
//   1. the API's schema as SDL (emit-schema.cjs, from type-graphql's own build) -> web/schema.graphql
//   2. types for every GraphQL document in web/src (graphql-codegen, client preset) -> web/src/gql
//   3. a type check of the app against those types (tsc): a schema change that breaks a
//      document or its use fails here
//   4. the bundle (vite) -> dist/web, plus a stamp of the inputs so callers can skip a
//      rebuild when nothing changed (`--if-changed`, used by npm start and the tests).
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const web = path.join(root, 'web');
const outDir = path.join(root, 'dist', 'web');
const stampFile = path.join(outDir, '.build-stamp');
const bin = (name) => path.join(root, 'node_modules', '.bin', name);

/** Everything the build reads: the app's sources and config, the schema's sources, the lock file. */
function inputsHash() {
  const hash = crypto.createHash('sha256');
  const skip = new Set([path.join(web, 'src', 'gql'), path.join(web, 'schema.graphql'), path.join(web, 'node_modules')]);
  const walk = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (skip.has(full)) continue;
      if (entry.isDirectory()) walk(full);
      else if (!entry.name.endsWith('.test.ts')) hash.update(path.relative(root, full)).update(fs.readFileSync(full));
    }
  };
  for (const dir of ['web', 'api', 'entities']) walk(path.join(root, dir));
  hash.update(fs.readFileSync(path.join(root, 'package-lock.json')));
  return hash.digest('hex');
}

function isCurrent(hash) {
  return fs.existsSync(path.join(outDir, 'index.html')) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8').trim() === hash;
}

function run(cmd, args, env = {}) {
  execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
}

function build({ ifChanged = false, quiet = false } = {}) {
  const hash = inputsHash();
  if (ifChanged && isCurrent(hash)) {
    if (!quiet) process.stdout.write('[web] dist/web is up to date\n');
    return false;
  }
  const started = Date.now();
  process.stdout.write('[web] building the dashboard (schema -> types -> typecheck -> bundle)\n');
  run(process.execPath, [path.join(__dirname, 'emit-schema.cjs'), path.join(web, 'schema.graphql')]);
  // graphql-codegen prints no validation details under NODE_ENV=test (as jest sets it).
  run(bin('graphql-codegen'), ['--config', path.join(web, 'codegen.yml'), '--errors-only'], { NODE_ENV: 'development' });
  run(bin('tsc'), ['-p', path.join(web, 'tsconfig.json')]);
  // Always the production bundle (React's production build), whatever NODE_ENV the caller has.
  run(bin('vite'), ['build', '--config', path.join(web, 'vite.config.mts'), '--logLevel', 'warn'], { NODE_ENV: 'production' });
  fs.writeFileSync(stampFile, hash + '\n');
  process.stdout.write(`[web] built dist/web in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return true;
}

module.exports = { build, inputsHash, outDir };

if (require.main === module) {
  try {
    build({ ifChanged: process.argv.includes('--if-changed') });
  } catch (err) {
    process.stderr.write(`[web] build failed${err.status ? ` (exit ${err.status})` : ''}: see the output above\n`);
    process.exit(1);
  }
}
