import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Prints which test groups skip on this machine, and why, before the run.
    globalSetup: ['test/skip-reasons.ts'],
    // Real migrations are measured on this machine's two cores: no other test file may run beside them.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
