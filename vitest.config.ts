import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'server/test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // Vitest's default is one file at a time on a two-core machine (cores - 1). Two at once: the suite
    // took 173 s in CI with one, 110-116 s here with two; every file has its own temp files, ports,
    // PostgreSQL schema or database, so none sees another's.
    maxWorkers: 2,
    // The servers' temp folders, removed after each file (a test stops its servers; it did not remove them).
    setupFiles: ['server/test/support/remove-made-dirs.ts'],
  },
});
