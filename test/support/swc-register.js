// Lets a child process run our TypeScript directly (`node -r ./test/support/swc-register.js x.ts`),
// so tests can start and SIGKILL a real worker process without a prior build. @swc/core is
// already installed for Temporal's workflow bundler; decorator metadata is on, as in tsc.
const swc = require('@swc/core');
const Module = require('module');
const fs = require('fs');

const compile = Module._extensions['.js'];
Module._extensions['.ts'] = function (module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { code } = swc.transformSync(source, {
    filename,
    sourceMaps: 'inline',
    module: { type: 'commonjs' },
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
    },
  });
  module._compile(code, filename);
};
void compile;
