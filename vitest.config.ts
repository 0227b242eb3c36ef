import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/helpers/cleanup.ts'],
    // Bounds for a hang, not speed targets: a loaded CI machine can be several times slower.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration suites start real HTTPS servers on 127.0.0.1; run files in separate forks.
    pool: 'forks',
    reporters: ['default'],
  },
});
