/**
 * The pure parts of the optional native-TensorFlow install step (tf-native.js): which wheel and
 * files it pins, where things go, and when it counts libtensorflow as installed. The download and
 * the build run for real in `node scripts/install/postinstall.js`; the pip -> SHA-256 -> extract
 * path is tested offline in test/integration/install.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

interface TfNative {
  LIBTENSORFLOW: { wheel: string; version: string; sha256: Record<string, string>; pipArgs: Record<string, string[]>; members: Record<string, string>; links: Record<string, string>; dir: string };
  napiBuildVersion(napiVersions: Array<number | string>, runtimeNapi?: number): number;
  depsLinkTarget(pkgDir: string, libDir?: string): string;
  findTfjsNode(root?: string): string | undefined;
  nodeHeadersDir(execPath?: string): string | undefined;
  findNodeGyp(env?: NodeJS.ProcessEnv, execPath?: string): string | undefined;
  libtensorflowInstalled(dir?: string, sha256?: string): boolean;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const tfNative = require('./tf-native.js') as TfNative;
const root = path.resolve(__dirname, '..', '..');

describe('native TensorFlow install step', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tidings-tf-native-'));
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('pins one tensorflow-cpu wheel by SHA-256 and takes only the C API libraries and headers from it', () => {
    const lib = tfNative.LIBTENSORFLOW;
    expect(lib).toMatchObject({ wheel: 'tensorflow-cpu', version: '2.15.1' });
    expect(lib.sha256['linux-x64']).toBe('54660c074d7241a503e81edfd9f5ef5af88f64051b72e2945f26318c790f2d26');
    // pip picks the same wheel whatever the local Python is.
    expect(lib.pipArgs['linux-x64']).toEqual(['--python-version', '3.11', '--implementation', 'cp', '--abi', 'cp311', '--platform', 'manylinux2014_x86_64']);
    expect(Object.keys(lib.members).every((m) => m.startsWith('tensorflow/lib') || m.startsWith('tensorflow/include/'))).toBe(true);
    expect(lib.members['tensorflow/libtensorflow_cc.so.2']).toBe('lib/libtensorflow_cc.so.2');
    expect(lib.links).toEqual({ 'lib/libtensorflow.so': 'libtensorflow_cc.so.2', 'lib/libtensorflow_framework.so': 'libtensorflow_framework.so.2' });
    expect(path.relative(root, lib.dir)).toBe(path.join('.tools', 'libtensorflow'));
  });

  test('builds for the highest N-API version the package lists and this Node supports', () => {
    expect(tfNative.napiBuildVersion([3, 4, 5, 6, 7, 8], 9)).toBe(8);
    expect(tfNative.napiBuildVersion(['3', '4', '5'], 4)).toBe(4);
    expect(() => tfNative.napiBuildVersion([8], 6)).toThrow('tfjs-node supports N-API 8; this Node has N-API 6');
  });

  test("links the package's deps/ to .tools/libtensorflow by a relative path, so the checkout can move", () => {
    const pkgDir = path.join(root, 'node_modules', '@tensorflow', 'tfjs-node');
    expect(tfNative.depsLinkTarget(pkgDir)).toBe(path.join('..', '..', '..', '.tools', 'libtensorflow'));
    expect(tfNative.depsLinkTarget('/a/node_modules/@tensorflow/tfjs-node', '/a/.tools/libtensorflow')).toBe('../../../.tools/libtensorflow');
  });

  test('finds tfjs-node from a checkout only when it is installed there', () => {
    expect(tfNative.findTfjsNode(work)).toBeUndefined();
    const pkg = path.join(work, 'node_modules', '@tensorflow', 'tfjs-node');
    fs.mkdirSync(pkg, { recursive: true });
    fs.writeFileSync(path.join(pkg, 'package.json'), '{"name":"@tensorflow/tfjs-node","version":"4.22.0"}');
    expect(tfNative.findTfjsNode(work)).toBe(pkg);
  });

  test("uses the running Node's own headers and node-gyp, and says so when they are missing", () => {
    const prefix = path.join(work, 'node-prefix');
    const node = path.join(prefix, 'bin', 'node');
    fs.mkdirSync(path.dirname(node), { recursive: true });
    fs.writeFileSync(node, '');
    expect(tfNative.nodeHeadersDir(node)).toBeUndefined();
    expect(tfNative.findNodeGyp({}, node)).toBeUndefined();
    fs.mkdirSync(path.join(prefix, 'include', 'node'), { recursive: true });
    fs.writeFileSync(path.join(prefix, 'include', 'node', 'node_api.h'), '');
    const bundled = path.join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
    fs.mkdirSync(path.dirname(bundled), { recursive: true });
    fs.writeFileSync(bundled, '');
    expect(tfNative.nodeHeadersDir(node)).toBe(prefix);
    expect(tfNative.findNodeGyp({}, node)).toBe(bundled);
    // npm's own choice (npm_config_node_gyp) comes first.
    expect(tfNative.findNodeGyp({ npm_config_node_gyp: node }, node)).toBe(node);
  });

  test('counts libtensorflow as installed only with a stamp of the pinned SHA-256 and every file it links', () => {
    const dir = path.join(work, 'libtensorflow');
    const sha = 'ab'.repeat(32);
    for (const f of ['lib/libtensorflow_cc.so.2', 'lib/libtensorflow_framework.so.2', 'include/tensorflow/c/c_api.h', 'include/tensorflow/c/eager/c_api.h']) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      fs.writeFileSync(path.join(dir, f), '');
    }
    fs.symlinkSync('libtensorflow_cc.so.2', path.join(dir, 'lib', 'libtensorflow.so'));
    fs.symlinkSync('libtensorflow_framework.so.2', path.join(dir, 'lib', 'libtensorflow_framework.so'));
    expect(tfNative.libtensorflowInstalled(dir, sha)).toBe(false);
    fs.writeFileSync(path.join(dir, '.installed.json'), JSON.stringify({ sha256: sha }));
    expect(tfNative.libtensorflowInstalled(dir, sha)).toBe(true);
    expect(tfNative.libtensorflowInstalled(dir, 'cd'.repeat(32))).toBe(false);
    fs.rmSync(path.join(dir, 'lib', 'libtensorflow_cc.so.2'));
    expect(tfNative.libtensorflowInstalled(dir, sha)).toBe(false);
  });
});
