import { fileURLToPath } from 'node:url';

/** The workspace root, found from this file so the benchmark runs the same from any working directory. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** The `mesh` binary as a user runs it, through the pnpm shim, so start-up costs are the user's too. */
export const MESH_BIN = fileURLToPath(new URL('../../../node_modules/.bin/mesh', import.meta.url));
export const BENCHMARKS_MD = fileURLToPath(new URL('../../../BENCHMARKS.md', import.meta.url));
