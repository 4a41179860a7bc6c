/**
 * One Jest run: unit tests, workflow tests on the time-skipping server, integration and API tests.
 * Two projects: `unit`, the test files that need no servers (`npm run test:unit` runs them alone,
 * with EPI_TEST_SERVERS=none), and `servers`, every other file.
 */
const fs = require('node:fs');
const path = require('node:path');

const UNIT_TESTS = [
  'test/auth/login-address.test.ts',
  'test/foundation/command-line.test.ts',
  'test/foundation/config.test.ts',
  'test/foundation/deadline.test.ts',
  'test/foundation/request-log.test.ts',
  'test/foundation/supervisor.test.ts',
  'test/foundation/tools.test.ts',
  'test/foundation/worker-logs.test.ts',
  'test/observation/ledger.test.ts',
  'test/observation/missed-report.test.ts',
  'test/observation/observation.replay.test.ts',
  'test/observation/policy-seed.test.ts',
  'test/roster/roster-solver.test.ts',
  'test/transfer/transfer-manifest.test.ts',
  'test/transfer/transfer-planning.test.ts',
];
const missing = UNIT_TESTS.filter((file) => !fs.existsSync(path.join(__dirname, file)));
if (missing.length) throw new Error(`jest.config.js lists unit tests that do not exist: ${missing.join(', ')}`);

const project = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
};
const unitPaths = UNIT_TESTS.map((file) => `<rootDir>/${file}`);

module.exports = {
  projects: [
    { ...project, displayName: 'unit', testMatch: unitPaths },
    { ...project, displayName: 'servers', roots: ['<rootDir>/test'], testMatch: ['**/*.test.ts'], testPathIgnorePatterns: ['/node_modules/', ...unitPaths] },
  ],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 120_000,
};
