/** TypeScript runs through SWC: no type-checking here (that is `npm run lint`), so tests start fast. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // middy ships ESM only; SWC turns it into CommonJS like our own sources.
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  setupFiles: ['<rootDir>/test/setup-env.ts'],
  // Whether the AWS CLI, boto3, moto, cfn-lint and kubectl are installed is asked once per run.
  globalSetup: '<rootDir>/test/support/tool-probes-setup.ts',
  globalTeardown: '<rootDir>/test/support/tool-probes-teardown.ts',
  testTimeout: 60000,
};
