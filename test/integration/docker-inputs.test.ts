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
const IMAGE_CODE_DIRS = ['api', 'services', 'domain', 'ml', 'activities', 'temporal', 'events', 'db', 'entities', 'workflows', 'config', 'runtime'];
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

interface Stage {
  name: string | undefined;
  env: Record<string, string>;
  copies: Copy[];
  workdir: string;
  runs: string[];
  user: string | undefined;
}

/** Every stage of the Dockerfile, in order, with its ENV, COPY, RUN, WORKDIR and USER lines. */
function stages(): Stage[] {
  const text = fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const starts = lines.map((l, i) => (/^FROM\s/i.test(l) ? i : -1)).filter((i) => i >= 0);
  return starts.map((start, n) => parseStage(lines.slice(start, starts[n + 1] ?? lines.length)));
}

function finalStage(): Stage {
  return stages().at(-1)!;
}

function parseStage(stage: string[]): Stage {
  const name = /^FROM\s+\S+\s+AS\s+(\S+)/i.exec(stage[0])?.[1];
  const env: Record<string, string> = {};
  const copies: Copy[] = [];
  const runs: string[] = [];
  let user: string | undefined;
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
    if (/^RUN$/i.test(instruction)) runs.push(rest.join(' '));
    if (/^USER$/i.test(instruction)) user = rest[0];
  }
  return { name, env, copies, workdir, runs, user };
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

describe('the Docker image runs the accurate tier on native TensorFlow (issue 21)', () => {
  const all = stages();
  const build = all.find((s) => s.name === 'build')!;
  const final = finalStage();
  // The facts the native build rests on, read from where they are defined, not restated here.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tfNative = require('../../scripts/install/tf-native.js') as { LIBTENSORFLOW: { dir: string; links: Record<string, string>; members: Record<string, string> }; depsLinkTarget(pkgDir: string, libDir: string): string };
  const tfjsNodeDir = path.join(root, 'node_modules', '@tensorflow', 'tfjs-node');
  const tfjsPkg = JSON.parse(fs.readFileSync(path.join(tfjsNodeDir, 'package.json'), 'utf8')) as { binary: { module_path: string } };

  it('is a multi-stage build whose builder has the compiler and Python, and whose run stage has neither', () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    expect(final.name).toBeUndefined();
    const apt = build.runs.find((r) => /apt-get install/.test(r)) ?? '';
    for (const pkg of ['build-essential', 'python3', 'python3-pip']) expect(apt.split(/\s+/)).toContain(pkg);
    expect(final.runs.filter((r) => /apt-get install/.test(r))).toEqual([]);
    // The install step may build the binding: nothing turns native TensorFlow off.
    expect(build.env.TIDINGS_TF_NATIVE).toBeUndefined();
    expect(final.env.TIDINGS_TF_DISABLE_NATIVE).toBeUndefined();
    // ... and the build fails unless the binding it built runs on the 'tensorflow' backend.
    expect(build.runs.some((r) => r.includes('nativeTfWorks') && r.includes('process.exit(1)'))).toBe(true);
    expect(build.runs.findIndex((r) => r.includes('nativeTfWorks'))).toBeGreaterThan(build.runs.findIndex((r) => /npm (ci|install)/.test(r)));
  });

  it("the run stage carries libtensorflow exactly where the binding's RUNPATH and the deps symlink lead", () => {
    // binding.gyp links the binding with RUNPATH $ORIGIN/<rel>; node-pre-gyp loads it from module_path.
    const gyp = fs.readFileSync(path.join(tfjsNodeDir, 'binding.gyp'), 'utf8');
    const runpath = /-Wl,-rpath,\\\$\$ORIGIN\/([^'"]+)/.exec(gyp)?.[1];
    expect(runpath).toBe('../../deps/lib');
    const imageRoot = final.workdir;
    const imagePkgDir = path.posix.join(imageRoot, 'node_modules', '@tensorflow', 'tfjs-node');
    const bindingDir = path.posix.join(imagePkgDir, tfjsPkg.binary.module_path.replace('{napi_build_version}', '8'));
    const viaRunpath = path.posix.resolve(bindingDir, runpath!); // <pkg>/deps/lib
    expect(viaRunpath).toBe(path.posix.join(imagePkgDir, 'deps', 'lib'));
    // deps is the relative symlink the install step makes: <pkg>/deps -> ../../../.tools/libtensorflow.
    const libDirRel = path.relative(root, tfNative.LIBTENSORFLOW.dir).split(path.sep).join('/');
    const linkTarget = tfNative.depsLinkTarget(tfjsNodeDir, tfNative.LIBTENSORFLOW.dir).split(path.sep).join('/');
    const libInImage = path.posix.join(path.posix.resolve(imagePkgDir, linkTarget), 'lib');
    expect(libInImage).toBe(path.posix.join(imageRoot, libDirRel, 'lib'));
    // The build stage's libtensorflow/lib (both .so.2 files and their link names) is copied there...
    const copy = final.copies.find((c) => c.from === 'build' && c.dest === libInImage);
    expect(copy?.sources).toEqual([path.posix.join(build.workdir, libDirRel, 'lib')]);
    const libFiles = [...Object.keys(tfNative.LIBTENSORFLOW.links), ...Object.values(tfNative.LIBTENSORFLOW.members).filter((m) => m.startsWith('lib/'))];
    expect(libFiles.every((f) => f.startsWith('lib/'))).toBe(true);
    // ... with node_modules (binding and symlink) from the same stage, and LD_LIBRARY_PATH naming it too.
    expect(final.copies.some((c) => c.from === 'build' && c.dest === path.posix.join(imageRoot, 'node_modules'))).toBe(true);
    expect((final.env.LD_LIBRARY_PATH ?? '').split(':')).toContain(libInImage);
  });

  it('runs as the non-root uid the Kubernetes chart expects, with the prebuilt workflow bundle', () => {
    const chartValues = parse(fs.readFileSync(path.join(root, 'deploy', 'helm', 'tidings', 'values.yaml'), 'utf8')) as { podSecurityContext: { runAsUser: number } };
    expect(final.user?.split(':')[0]).toBe(String(chartValues.podSecurityContext.runAsUser));
    expect(Number(final.user?.split(':')[0])).toBeGreaterThan(0);
    // The build stage writes dist/workflow-bundle.js (runtime/workflow-bundle.ts) and the run stage points the worker at it.
    expect(build.runs.some((r) => r.includes('ensureWorkflowBundle'))).toBe(true);
    expect(final.env.TIDINGS_WORKFLOW_BUNDLE).toBe(path.posix.join(final.workdir, 'dist', 'workflow-bundle.js'));
    expect(final.copies.some((c) => c.from === 'build' && c.dest === path.posix.join(final.workdir, 'dist'))).toBe(true);
    // Helm and the Temporal CLI are not fetched into the image.
    expect(build.env).toMatchObject({ TIDINGS_SKIP_TEMPORAL_CLI: '1', TIDINGS_SKIP_HELM: '1' });
  });
});
