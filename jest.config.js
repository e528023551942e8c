// Two projects: fast unit tests that sit beside the code they test, and integration tests
// that talk to a real PostgreSQL and a real Temporal dev server started once in globalSetup.
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }];

// Native TensorFlow (tfjs-node, when installed) prints start-up INFO lines unless this is in the
// real environment when it loads; a test's process.env is a copy, so it is set here for the workers.
process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';

/** @type {import('jest').Config} */
module.exports = {
  verbose: false,
  // Integration tests wait on real servers; unit tests finish in milliseconds either way.
  testTimeout: 60000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/{api,workflows,activities,contracts,store,entities,events,config,db,domain,ml,services,observability,runtime,temporal,cli,bench,scripts}/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform: { '^.+\\.ts$': tsJest },
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
      setupFiles: ['reflect-metadata'],
    },
  ],
};
