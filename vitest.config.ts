import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['{shared,edge,cloud,test,deploy}/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    // 2-core CI machines: end-to-end files start brokers and child processes.
    maxWorkers: 2,
  },
})
