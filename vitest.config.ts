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
    // expect.poll waits for observable state (a UI updated by the event stream); its 1 s default fails on a busy
    // machine, not on a wrong page: wait up to 15 s, checking every 50 ms.
    expect: { poll: { timeout: 15_000, interval: 50 } },
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
