/**
 * Browser tests (npm run test:e2e): Debian's Chromium through playwright-core, kept apart from
 * `npm test` so that one stays fast and needs no browser. Same template-database setup.
 */
// The same transform and global setup as `npm test`, so the two configurations cannot drift.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const base = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['<rootDir>/test/e2e/**/*.e2e.ts'],
  testTimeout: 120000,
  maxWorkers: 1,
};
