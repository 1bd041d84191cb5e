// Two projects: `unit` (specs beside the code, plus static checks in test/) and `e2e` (real Nest
// apps over HTTP against real Postgres and Redis; a fresh database per run, see test/support).
const aliases = {
  // The generated Prisma client imports its siblings with .js extensions.
  '^(\\.{1,2}/.*)\\.js$': '$1',
  '^@bandeja/([a-z]+)$': '<rootDir>/libs/$1/src',
  '^@bandeja/([a-z]+)/(.*)$': '<rootDir>/libs/$1/src/$2',
};
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] };
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform,
  moduleNameMapper: aliases,
};

module.exports = {
  // Global, not per project: Jest ignores testTimeout inside `projects`.
  testTimeout: 60000,
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/libs/**/*.spec.ts',
        '<rootDir>/apps/**/*.spec.ts',
        '<rootDir>/test/static/**/*.spec.ts',
      ],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
