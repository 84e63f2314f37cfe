import { defineConfig } from 'vitest/config'

/**
 * Benchmarks are not tests (docs/ARCHITECTURE.md, style habit 9): they print tables and compare with a baseline measured
 * in the same run. `npm run bench` runs every tests/bench/*-bench.ts through this config; the
 * default `npm test` projects never match these files.
 */
export default defineConfig({
  test: {
    include: ['tests/bench/**/*-bench.ts'],
    testTimeout: 600_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    // The tables are the output: show them as they are printed.
    reporters: ['default'],
  },
})
