import { createHash, createHmac, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileSystemError, MeshError } from '@mesh/errors';

/**
 * The secret a producer masks personal data with. `hash` masking is an HMAC-SHA256 under this key:
 * the same value masks to the same digest in every port and share of the producer, so masked keys
 * still join, but without the key nobody can hash a list of candidate e-mails and look them up.
 *
 * The key lives outside the repository, in the user's mesh secrets folder (`MESH_SECRETS_DIR`, or
 * `$XDG_CONFIG_HOME/mesh/secrets`, or `~/.config/mesh/secrets`), one file per producer checkout, made
 * on the first build that masks and readable by its owner only. `mesh masking-key rotate` replaces it:
 * the next publication's masked values change, and what consumers hold of the old ones joins no more.
 */

export interface MaskingKey {
  /** A fingerprint that names the key without revealing it (publications and contracts record it). */
  id: string;
  /** 32 bytes. */
  key: Buffer;
  path: string;
}

export function secretsDir(env: Record<string, string | undefined> = process.env): string {
  if (env.MESH_SECRETS_DIR) return env.MESH_SECRETS_DIR;
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'mesh', 'secrets');
}

/** One key per producer and checkout: two clones of a domain on one machine do not share a secret. */
function keyFile(projectRoot: string, project: string, env: Record<string, string | undefined>): string {
  let root = projectRoot;
  try {
    root = realpathSync(projectRoot);
  } catch {
    // A folder that does not exist yet keys by the path given.
  }
  const checkout = createHash('sha256').update(root).digest('hex').slice(0, 12);
  return join(secretsDir(env), `${project}-${checkout}.key`);
}

const fingerprint = (key: Buffer) => createHmac('sha256', key).update('mesh masking key id').digest('hex').slice(0, 16);

function writeKey(path: string, key: Buffer): void {
  const dir = join(path, '..');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${path}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, `${key.toString('hex')}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(tmp, 0o600);
    renameSync(tmp, path);
  } catch (error) {
    throw fileSystemError(error, 'write the masking key', path);
  }
}

function readKey(path: string): Buffer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch (error) {
    throw fileSystemError(error, 'read the masking key', path);
  }
  if (!/^[0-9a-f]{64}$/.test(text)) {
    throw new MeshError('E_MASKING_KEY', `the masking key at ${path} is not 64 hexadecimal digits`, {
      hint: 'Run mesh masking-key rotate in the domain folder to make a new one (masked values change at the next build).',
    });
  }
  return Buffer.from(text, 'hex');
}

/** The producer's key, made on first use. */
export function maskingKey(projectRoot: string, project: string, env: Record<string, string | undefined> = process.env): MaskingKey {
  const path = keyFile(projectRoot, project, env);
  if (!existsSync(path)) writeKey(path, randomBytes(32));
  const key = readKey(path);
  return { id: fingerprint(key), key, path };
}

/** The producer's key if it has one, without making it. */
export function existingMaskingKey(projectRoot: string, project: string, env: Record<string, string | undefined> = process.env): MaskingKey | undefined {
  const path = keyFile(projectRoot, project, env);
  if (!existsSync(path)) return undefined;
  const key = readKey(path);
  return { id: fingerprint(key), key, path };
}

/** Replaces the producer's key with a new random one; returns the old id and the new key. */
export function rotateMaskingKey(projectRoot: string, project: string, env: Record<string, string | undefined> = process.env): { previous?: string; key: MaskingKey } {
  const previous = existingMaskingKey(projectRoot, project, env)?.id;
  const path = keyFile(projectRoot, project, env);
  writeKey(path, randomBytes(32));
  return { previous, key: maskingKey(projectRoot, project, env) };
}
