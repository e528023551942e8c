// Two projects: fast unit tests that sit beside the code they test, and integration tests
// that talk to a real PostgreSQL and a real Temporal dev server started once in globalSetup.
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }];

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
      testMatch: ['<rootDir>/{api,workflows,activities,entities,events,config,db,domain,services,observability,runtime,temporal,cli,bench}/**/*.test.ts'],
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
