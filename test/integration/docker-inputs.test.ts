/**
 * The Docker image carries what the API and worker read at run time (issue 9): the Dockerfile's
 * final stage and docker-compose.yml against config/runtime-inputs.ts, and that list against
 * the paths the code reads (sharedDataPath(...) and path.join(repoRoot(), ...)). There is no
 * Docker engine here, so the files are checked as text.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { sharedDataPath } from '../../config/paths';
import { RUNTIME_INPUTS } from '../../config/runtime-inputs';

const root = path.resolve(__dirname, '..', '..');
/** Code the API and worker processes run (cli/, bench/ and tests are not part of those roles). */
const IMAGE_CODE_DIRS = ['api', 'services', 'domain', 'activities', 'temporal', 'events', 'db', 'entities', 'workflows', 'config', 'runtime'];
/** repoRoot() reads that only `npm start` makes, with the reason; everything else must be in the image. */
const NPM_START_ONLY: Record<string, string> = {
  '.data': 'embedded PostgreSQL and Temporal dev server data (TIDINGS_DATA_DIR); containers use servers',
  'scripts/install/tools.js': 'fetches the Temporal CLI for the dev server; containers use a Temporal server',
};

interface Copy {
  from?: string;
  sources: string[];
  dest: string;
}

function finalStage(): { env: Record<string, string>; copies: Copy[]; workdir: string } {
  const text = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const stage = lines.slice(lines.map((l) => /^FROM\s/i.test(l)).lastIndexOf(true));
  const env: Record<string, string> = {};
  const copies: Copy[] = [];
  let workdir = '/';
  for (const line of stage) {
    const [instruction, ...rest] = line.split(/\s+/);
    if (/^ENV$/i.test(instruction)) for (const pair of rest) env[pair.split('=')[0]] = pair.split('=').slice(1).join('=');
    if (/^WORKDIR$/i.test(instruction)) workdir = path.posix.resolve(workdir, rest[0]);
    if (/^COPY$/i.test(instruction)) {
      const flags = rest.filter((a) => a.startsWith('--'));
      const args = rest.filter((a) => !a.startsWith('--'));
      const from = flags.find((f) => f.startsWith('--from='))?.slice('--from='.length);
      copies.push({ from, sources: args.slice(0, -1), dest: path.posix.resolve(workdir, args[args.length - 1]) });
    }
  }
  return { env, copies, workdir };
}

/** Literal path arguments of `fn(...)` calls in the image's code, joined with '/', by file. */
function literalReads(pattern: RegExp): Array<{ file: string; rel: string }> {
  const found: Array<{ file: string; rel: string }> = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        for (const m of fs.readFileSync(full, 'utf8').matchAll(pattern)) {
          const parts = [...m[1].matchAll(/'([^']*)'/g)].map((p) => p[1]);
          if (parts.length > 0) found.push({ file: path.relative(root, full), rel: parts.join('/') });
        }
      }
    }
  };
  for (const dir of IMAGE_CODE_DIRS) walk(path.join(root, dir));
  return found;
}

describe('the Docker image carries what the product reads at run time', () => {
  const stage = finalStage();

  it('the list of run-time inputs covers every shared-data and app-root path the code reads', () => {
    const shared = literalReads(/sharedDataPath\(([^)]*)\)/g);
    expect(shared.length).toBeGreaterThan(0); // the scan finds the S&P 500 list read
    for (const read of shared) expect({ ...read, listed: (RUNTIME_INPUTS.shared as readonly string[]).includes(read.rel) }).toEqual({ ...read, listed: true });

    const app = literalReads(/path\.join\(repoRoot\(\),\s*([^)]*)\)/g);
    expect(app.length).toBeGreaterThan(0);
    for (const read of app) {
      const listed = RUNTIME_INPUTS.app.some((p) => read.rel === p || read.rel.startsWith(`${p}/`)) || read.rel in NPM_START_ONLY;
      expect({ ...read, listed }).toEqual({ ...read, listed: true });
    }
    for (const rel of RUNTIME_INPUTS.shared) expect({ rel, exists: fs.existsSync(sharedDataPath(...rel.split('/'))) }).toEqual({ rel, exists: true });
  });

  it('the final stage copies every app-root input from the build stage', () => {
    for (const rel of RUNTIME_INPUTS.app) {
      const target = path.posix.join(stage.workdir, rel);
      const copy = stage.copies.find(
        (c) => c.from === 'build' && (c.dest === target || target.startsWith(`${c.dest}/`) || (c.dest === stage.workdir && c.sources.some((s) => path.posix.basename(s) === rel))),
      );
      expect({ rel, copied: Boolean(copy) }).toEqual({ rel, copied: true });
    }
  });

  it('sets TIDINGS_SHARED_DIR and copies every shared input there from the "shared" build context', () => {
    const sharedDir = stage.env.TIDINGS_SHARED_DIR;
    expect(sharedDir).toMatch(/^\//);
    for (const rel of RUNTIME_INPUTS.shared) {
      const copy = stage.copies.find((c) => c.from === 'shared' && c.sources.includes(rel) && c.dest === path.posix.join(sharedDir, rel));
      expect({ rel, copied: Boolean(copy) }).toEqual({ rel, copied: true });
    }
  });

  it('docker-compose passes the shared data as that build context to the API and worker builds, without copying it into the repo', () => {
    const compose = parse(fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
      services: Record<string, { build?: { context?: string; additional_contexts?: Record<string, string> }; environment?: Record<string, string> }>;
    };
    for (const role of ['api', 'worker']) {
      const service = compose.services[role];
      expect(service.build?.context).toBe('.');
      const shared = service.build?.additional_contexts?.shared ?? '';
      expect(shared).toMatch(/^\$\{TIDINGS_SHARED_DIR:-\.\.\/shared\/data\}$/);
      // The default resolves outside the repository, to the real data beside the checkout.
      const resolved = path.resolve(root, '../shared/data');
      expect(path.relative(root, resolved).startsWith('..')).toBe(true);
      expect(service.environment?.TIDINGS_SHARED_DIR).toBeUndefined(); // the image's own setting applies
    }
    expect(fs.readFileSync(path.join(root, '.dockerignore'), 'utf8').split('\n')).toEqual(expect.arrayContaining(['.tools', 'models/encoder']));
  });
});
