/**
 * `npm run bench -- <name> [args…]` runs bench/<name>.ts, whose default export is
 * `(args: string[]) => Promise<void>`. Each benchmark prints its figures and ends with one
 * `key=value …` line that BENCHMARKS.md records.
 */
import fs from 'node:fs';
import path from 'node:path';

async function main(): Promise<void> {
  const [name, ...args] = process.argv.slice(2);
  const available = fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.js') && f !== 'run.js' && !f.includes('.test.'))
    .map((f) => f.replace(/\.js$/, ''))
    .filter((n) => !n.startsWith('_'));
  if (!name || !available.includes(name)) {
    console.error(`usage: npm run bench -- <${available.join('|')}>`);
    process.exit(2);
  }
  // The benchmark is chosen at run time and loaded then, so the others' dependencies never load.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.join(__dirname, name)) as { default: (args: string[]) => Promise<void> };
  await mod.default(args);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
