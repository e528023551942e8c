import fs from 'node:fs';
import path from 'node:path';

/** The checkout's root, found by walking up to our package.json (works from source and from dist/). */
export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).name === 'tidings') return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the tidings package.json above ${__dirname}`);
    dir = parent;
  }
}

/**
 * The real data sets live beside the checkout in ../shared (never copied into the repo);
 * TIDINGS_SHARED_DIR points elsewhere, e.g. at a user's own copy.
 */
export function sharedDataDir(): string {
  return process.env.TIDINGS_SHARED_DIR ?? path.resolve(repoRoot(), '..', 'shared', 'data');
}

export function sharedDataPath(...parts: string[]): string {
  return path.join(sharedDataDir(), ...parts);
}
