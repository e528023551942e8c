/**
 * Optional native TensorFlow for TensorFlow.js: the @tensorflow/tfjs-node binding, built here
 * against libtensorflow taken from PyPI, because tfjs-node's own installer downloads libtensorflow
 * and a prebuilt binding from a host that is not a package registry (and package.json's
 * allowScripts keeps npm from running it, so npm keeps the package instead of dropping it).
 *
 *   1. the pinned `tensorflow-cpu` wheel (pip download, SHA-256 checked): only its
 *      libtensorflow_cc.so.2 (which exports the TF_* / TFE_* C API without any Python symbol),
 *      libtensorflow_framework.so.2 and the C API headers, into .tools/libtensorflow/;
 *   2. node_modules/@tensorflow/tfjs-node/deps -> that folder (a relative symlink: the binding's
 *      rpath is $ORIGIN/../../deps/lib), then node-gyp builds binding.gyp against the running
 *      Node's own headers, so node-gyp downloads nothing;
 *   3. a probe in a child process: require('@tensorflow/tfjs-node') must run a matMul on the
 *      'tensorflow' backend.
 * Any failure is one InstallError line; ml/runtime/tf-runtime.ts then uses the wasm
 * backend. TIDINGS_TF_NATIVE=0 skips the step. Plain CommonJS so it runs before any build.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ROOT, TOOLS_DIR, InstallError, run, lastLines, installFromWheel } = require('./tools');

const LIBTENSORFLOW = {
  wheel: 'tensorflow-cpu',
  // 2.15.1: the smallest wheel that carries libtensorflow_cc.so.2 (207 MB download, 614 MB
  // extracted); 2.9's C API lives in _pywrap_tensorflow_internal.so, which needs libpython.
  version: '2.15.1',
  /** SHA-256 of the wheel per platform, and the pip options that pick exactly that wheel (whatever the local Python). */
  sha256: { 'linux-x64': '54660c074d7241a503e81edfd9f5ef5af88f64051b72e2945f26318c790f2d26' },
  pipArgs: { 'linux-x64': ['--python-version', '3.11', '--implementation', 'cp', '--abi', 'cp311', '--platform', 'manylinux2014_x86_64'] },
  /** {prefix in the wheel: path under dir}: the two libraries and the headers tfjs-node's binding includes. */
  members: {
    'tensorflow/libtensorflow_cc.so.2': 'lib/libtensorflow_cc.so.2',
    'tensorflow/libtensorflow_framework.so.2': 'lib/libtensorflow_framework.so.2',
    'tensorflow/include/tensorflow/c/': 'include/tensorflow/c/',
    'tensorflow/include/tensorflow/core/platform/ctstring': 'include/tensorflow/core/platform/ctstring',
    'tensorflow/include/tsl/platform/ctstring': 'include/tsl/platform/ctstring',
    'tensorflow/include/tsl/c/': 'include/tsl/c/',
  },
  /** The names binding.gyp links with (-ltensorflow -ltensorflow_framework) -> the wheel's files. */
  links: { 'lib/libtensorflow.so': 'libtensorflow_cc.so.2', 'lib/libtensorflow_framework.so': 'libtensorflow_framework.so.2' },
  dir: path.join(TOOLS_DIR, 'libtensorflow'),
};

const platformKey = () => `${os.platform()}-${os.arch()}`;

function libtensorflowInstalled(dir = LIBTENSORFLOW.dir, sha256 = LIBTENSORFLOW.sha256[platformKey()]) {
  try {
    const stamp = JSON.parse(fs.readFileSync(path.join(dir, '.installed.json'), 'utf8'));
    const needed = [...Object.keys(LIBTENSORFLOW.links), 'include/tensorflow/c/c_api.h', 'include/tensorflow/c/eager/c_api.h'];
    return stamp.sha256 === sha256 && needed.every((f) => fs.existsSync(path.join(dir, f)));
  } catch {
    return false;
  }
}

/** The libraries and headers in `dir` (once per pinned wheel); returns `dir`. Throws InstallError. */
async function ensureLibtensorflow({ log = () => undefined, pipArgs = [], dir = LIBTENSORFLOW.dir } = {}) {
  const key = platformKey();
  const sha256 = LIBTENSORFLOW.sha256[key];
  if (!sha256) throw new InstallError(`no pinned ${LIBTENSORFLOW.wheel} wheel for ${key}`);
  if (libtensorflowInstalled(dir, sha256)) return dir;
  await installFromWheel({
    name: LIBTENSORFLOW.wheel,
    version: LIBTENSORFLOW.version,
    sha256,
    member: LIBTENSORFLOW.members,
    target: dir,
    mode: 'tree',
    pipArgs: [...LIBTENSORFLOW.pipArgs[key], ...pipArgs],
    log,
  });
  for (const [link, file] of Object.entries(LIBTENSORFLOW.links)) fs.symlinkSync(file, path.join(dir, link));
  fs.writeFileSync(path.join(dir, '.installed.json'), JSON.stringify({ wheel: LIBTENSORFLOW.wheel, version: LIBTENSORFLOW.version, sha256 }) + '\n');
  return dir;
}

/**
 * The N-API version node-pre-gyp loads the binding for (lib/napi-v<N>/): the highest one the
 * package lists that the running Node supports.
 */
function napiBuildVersion(napiVersions, runtimeNapi = Number(process.versions.napi)) {
  const usable = napiVersions.map(Number).filter((v) => v <= runtimeNapi);
  if (usable.length === 0) throw new InstallError(`tfjs-node supports N-API ${napiVersions.join(', ')}; this Node has N-API ${runtimeNapi}`);
  return Math.max(...usable);
}

/** The checkout's node_modules/@tensorflow/tfjs-node, or undefined when npm did not install it. */
function findTfjsNode(root = ROOT) {
  const pkgDir = path.join(root, 'node_modules', '@tensorflow', 'tfjs-node');
  return fs.existsSync(path.join(pkgDir, 'package.json')) ? pkgDir : undefined;
}

/** Where the running Node's headers are (a prefix holding include/node/node_api.h), or undefined. */
function nodeHeadersDir(execPath = process.execPath) {
  const prefix = path.resolve(fs.realpathSync(execPath), '..', '..');
  return fs.existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

/** The node-gyp that npm runs scripts with (npm_config_node_gyp), else the one bundled with npm. */
function findNodeGyp(env = process.env, execPath = process.execPath) {
  const candidates = [env.npm_config_node_gyp, path.resolve(fs.realpathSync(execPath), '..', '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')];
  return candidates.find((c) => c && fs.existsSync(c));
}

/** The deps symlink target, relative so the checkout can move: node_modules/@tensorflow/tfjs-node/deps -> ../../../.tools/libtensorflow. */
function depsLinkTarget(pkgDir, libDir = LIBTENSORFLOW.dir) {
  return path.relative(pkgDir, libDir);
}

const PROBE = `
const tf = require(process.argv[1]);
const product = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]])).dataSync();
if (tf.getBackend() !== 'tensorflow' || product[0] !== 17 || product[1] !== 39) throw new Error('backend ' + tf.getBackend() + ' computed ' + product);
`;

/** Whether require(pkgDir) gives a working 'tensorflow' backend, in a child process (a failed dlopen cannot be undone). */
function nativeTfWorks(pkgDir) {
  const probe = spawnSync(process.execPath, ['-e', PROBE, pkgDir], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } });
  return { ok: probe.status === 0, output: `${probe.stdout}${probe.stderr}` };
}

/** Builds tfjs-node's binding against the pinned libtensorflow unless it already works. Returns a status line; throws InstallError. */
async function ensureNativeTf({ log = () => undefined, pipArgs } = {}) {
  const pkgDir = findTfjsNode();
  if (!pkgDir) throw new InstallError('@tensorflow/tfjs-node is not in node_modules (npm skipped the optional dependency)');
  if (nativeTfWorks(pkgDir).ok) return `${path.relative(ROOT, pkgDir)} already runs natively`;
  // Everything the build needs, checked before a 207 MB download.
  const nodedir = nodeHeadersDir();
  if (!nodedir) throw new InstallError(`no Node headers beside ${process.execPath} (include/node/node_api.h)`);
  const nodeGyp = findNodeGyp();
  if (!nodeGyp) throw new InstallError('node-gyp not found (npm_config_node_gyp, or the one bundled with npm)');
  const cxx = process.env.CXX || 'c++';
  if (spawnSync(cxx, ['--version'], { encoding: 'utf8' }).status !== 0) throw new InstallError(`no C++ compiler (${cxx}); e.g. apt-get install g++`);

  const libDir = await ensureLibtensorflow({ log, pipArgs });
  const deps = path.join(pkgDir, 'deps');
  fs.rmSync(deps, { recursive: true, force: true });
  fs.symlinkSync(depsLinkTarget(pkgDir, libDir), deps);

  const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  const napi = napiBuildVersion(pkg.binary.napi_versions);
  const modulePath = path.join(pkgDir, pkg.binary.module_path.replace('{napi_build_version}', String(napi)));
  log(`building ${pkg.binary.module_name}.node (N-API ${napi}) with node-gyp against Node's headers in ${nodedir}`);
  const args = [
    nodeGyp,
    'rebuild',
    `--nodedir=${nodedir}`,
    `--napi_build_version=${napi}`,
    `--module_name=${pkg.binary.module_name}`,
    `--module_path=${modulePath}`,
    `--jobs=${Math.max(1, os.availableParallelism())}`,
  ];
  const built = await run(process.execPath, args, { cwd: pkgDir });
  fs.rmSync(path.join(pkgDir, 'build'), { recursive: true, force: true });
  if (built.status !== 0) throw new InstallError(`node-gyp could not build the tfjs-node binding: ${lastLines(built.output)}`);
  const probe = nativeTfWorks(pkgDir);
  if (!probe.ok) throw new InstallError(`the tfjs-node binding was built but does not run: ${lastLines(probe.output)}`);
  return `${path.relative(ROOT, pkgDir)} runs natively on libtensorflow ${LIBTENSORFLOW.version} (${path.relative(ROOT, libDir)})`;
}

module.exports = { LIBTENSORFLOW, ensureNativeTf, ensureLibtensorflow, libtensorflowInstalled, napiBuildVersion, findTfjsNode, nodeHeadersDir, findNodeGyp, depsLinkTarget, nativeTfWorks };
