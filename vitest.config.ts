import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests that mock HTTP with nock must not share a process-wide interceptor state.
    pool: "forks",
  },
});
