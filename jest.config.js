// ESM jest setup: oidc-provider 9 and openid-client 6 are ESM-only.
// @swc/jest strips types (tsc --noEmit runs first in `npm test`).
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }],
  },
  // Strip .js from relative imports (NodeNext style) but not from libphonenumber-js' *.json.js files.
  moduleNameMapper: { '^(\\.{1,2}/.*)(?<!\\.json)\\.js$': '$1' },
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  setupFiles: ['<rootDir>/test/helpers/quiet-provider-notices.ts'],
  // Hooks too: an embedded database (PGlite) starts, migrates and seeds in about 15 s on an idle
  // 2-core machine, and took over 60 s beside the other suites of a full run on a slow one.
  testTimeout: 120000,
  maxWorkers: 2,
};
