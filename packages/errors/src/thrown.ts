import { MeshError } from './mesh-error';

/**
 * The MeshError a call throws, for tests that check its code, message, hint and location together.
 * Anything else thrown is rethrown, and not throwing at all is an error itself.
 */
export function thrownMeshError(fn: () => unknown): MeshError {
  try {
    fn();
  } catch (error) {
    if (error instanceof MeshError) return error;
    throw error;
  }
  throw new Error('expected a MeshError, but nothing was thrown');
}
