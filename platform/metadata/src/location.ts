import { join } from 'node:path';

/**
 * History lives beside the project, not in its target folder: target/ is build output anyone may delete,
 * while a run history and SLO trend are worth keeping across clean builds.
 */
export const METADATA_DIR = '.mesh';

export function metadataPath(projectRoot: string): string {
  return join(projectRoot, METADATA_DIR, 'metadata.duckdb');
}
