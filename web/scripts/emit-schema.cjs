// Writes the API's schema as SDL (type-graphql's own build, api/schema.ts) for the web app's
// type generation. Runs the TypeScript sources directly through @swc/core (already installed
// for Temporal's workflow bundler), so no server build is needed first.
// Usage: node web/scripts/emit-schema.cjs <out.graphql>
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const swc = require('@swc/core');

Module._extensions['.ts'] = function (module, filename) {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    module: { type: 'commonjs' },
    jsc: { target: 'es2022', parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true } },
  });
  module._compile(code, filename);
};

async function main() {
  const out = process.argv[2];
  if (!out) throw new Error('usage: emit-schema.cjs <out.graphql>');
  require('reflect-metadata');
  const { printSchema, lexicographicSortSchema } = require('graphql');
  const { buildApiSchema } = require(path.join(__dirname, '..', '..', 'api', 'schema.ts'));
  const sdl = printSchema(lexicographicSortSchema(await buildApiSchema()));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const previous = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : null;
  if (previous !== sdl) fs.writeFileSync(out, sdl);
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
