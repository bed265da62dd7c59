import { createHash, hash } from 'node:crypto';

/**
 * A digest of a text. The one-shot `crypto.hash` (Node 20.12+) skips a Hash object per call, which
 * counts when a compile hashes tens of thousands of small texts; older Nodes get the same bytes.
 */
export function digest(algorithm: 'md5' | 'sha1' | 'sha256', text: string, encoding: 'hex' | 'base64url'): string {
  return typeof hash === 'function' ? hash(algorithm, text, encoding) : createHash(algorithm).update(text).digest(encoding);
}
