/** Tests run TypeScript through ts-jest; type errors are caught once by `tsc --noEmit` in `npm test`. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Says once whether the cluster tier (test/cluster/, a real API server) runs; under CI=true it must.
  globalSetup: '<rootDir>/test/cluster/global-setup.ts',
};
