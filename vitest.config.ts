import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Two projects, both run by `vitest run` (npm test): `unit` (the modules, in process) and `e2e`
 * (files named *.e2e.test.ts: the built binary, bin/neardup.js running dist/, as a user runs it).
 * `vitest run --project unit` runs one of them.
 */
export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    setupFiles: ['tests/setup.ts'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'tests/**/*.e2e.test.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/**/*.e2e.test.ts'],
          globalSetup: ['tests/built.ts'],
        },
      },
    ],
  },
});
