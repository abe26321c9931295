import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Registry tests start real servers; two workers match this 2-core machine.
    maxWorkers: 2,
  },
});
