// Test runner: one Temporal dev server and one migrated template database per run (test/global-setup.ts);
// each test file clones its own database from the template (test/harness.ts). `forks` because the
// Temporal native bridge is not safe in worker threads.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', '.tools/**', '.data/**', 'dist/**', 'build/**'],
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
