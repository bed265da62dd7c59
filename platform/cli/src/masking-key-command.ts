import { existingMaskingKey, rotateMaskingKey } from '@mesh/governance';
import type { Output } from './commands';
import { readProjectFile } from './project-file';

/**
 * `mesh masking-key rotate`: a new secret for the producer's hash masking. The next publication masks
 * with it; what consumers hold of the old digests joins the new ones no more, which is the point when
 * a key may have leaked.
 */
export function maskingKeyRotateCommand(flags: { projectDir: string }, io: Output): number {
  const { root, name } = readProjectFile(flags.projectDir);
  const { previous, key } = rotateMaskingKey(root, name);
  io.out(`Rotated the masking key of ${name}${previous ? ` (was ${previous})` : ''}: now ${key.id}, kept in ${key.path}.`);
  io.out('The next mesh build publishes personal data masked with it; masked values change for every consumer.');
  return 0;
}

/** `mesh masking-key show`: which key masks the producer's data (its fingerprint and where it is kept, never the key). */
export function maskingKeyShowCommand(flags: { projectDir: string }, io: Output): number {
  const { root, name } = readProjectFile(flags.projectDir);
  const key = existingMaskingKey(root, name);
  if (!key) io.out(`${name} has no masking key yet; the first build that masks personal data by hash makes one.`);
  else io.out(`${name} masks with key ${key.id}, kept in ${key.path}.`);
  return 0;
}
