// Vitest config for sim/ and integrations/ alone: no global setup (no Temporal, no Postgres needed),
// so these tests run even when the shared test/global-setup.ts is not available.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['sim/**/*.test.ts', 'integrations/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
