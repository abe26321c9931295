import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Registry tests start real servers; two workers match this 2-core machine.
    maxWorkers: 2,
    // In CI, also a JSON result that .ci/run turns into one "N passed, N failed" line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.tools/test-results.json' }]] : ['default'],
  },
});
