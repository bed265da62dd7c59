import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{packages,platform,domains,tools}/*/src/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/__fixtures__/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // DuckDB work is native and multi-threaded already; two forks keep a 2-core machine responsive.
    maxWorkers: 2,
    // Producers' masking keys live outside the repository; tests keep theirs out of the user's home.
    env: { MESH_SECRETS_DIR: process.env.MESH_SECRETS_DIR ?? join(tmpdir(), 'mesh-test-secrets') },
  },
});
