import { defineConfig } from 'vitest/config';

// Tests run the real parts: SQLite files, zstd, the fs backend and s3rver on 127.0.0.1.
// End-to-end tests spawn the built CLI (dist/), which `npm test` builds first.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
