import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { meshProcess, publicationFactsOf, type MeshProcess, type PublishedFactsOnDisk } from './index';

/**
 * Helpers for tests that break builds on purpose: stop one at a named failpoint (see the engine's
 * `failpoint`), make a folder immutable or full under it, and read what a publication is.
 */

/** Whether a process is stopped (state T in /proc/<pid>/stat). */
function isStopped(pid: number): boolean {
  try {
    return / T /.test(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^\d+ \(.*\) /, ' ').slice(0, 3));
  } catch {
    return false;
  }
}

/**
 * Starts `mesh <args>` and resolves once it stopped itself at the failpoint; the caller kills or
 * continues it. The failpoint's line comes just before the process stops itself: only once it is
 * stopped (its state in /proc says so) may a SIGCONT follow, or the SIGSTOP would come after it.
 */
export async function stoppedAt(cwd: string, env: Record<string, string>, failpoint: string, ...args: string[]): Promise<MeshProcess> {
  const proc = meshProcess(cwd, { ...env, MESH_FAILPOINT: failpoint }, ...args);
  const name = failpoint.endsWith('*') ? failpoint.slice(0, -1).replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : failpoint.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  await proc.waitFor(new RegExp(`failpoint ${name}`), 60_000);
  for (let waited = 0; !isStopped(proc.child.pid!); waited += 5) {
    if (waited > 30_000) throw new Error(`mesh ${args.join(' ')} printed failpoint ${failpoint} but did not stop`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return proc;
}

export function killHard(proc: MeshProcess): Promise<unknown> {
  proc.child.kill('SIGKILL');
  return proc.exited;
}

export function resume(proc: MeshProcess): void {
  proc.child.kill('SIGCONT');
}

export const isRoot = (): boolean => process.getuid?.() === 0;

/**
 * Makes a folder refuse changes to its entries: `chattr +i` as root (what the reported fault used),
 * else the write bits taken away (which root would ignore). Returns the undo.
 */
export function makeUnwritable(dir: string): () => void {
  if (isRoot()) {
    const r = spawnSync('chattr', ['+i', dir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`chattr +i ${dir} failed: ${r.stderr}`);
    return () => void spawnSync('chattr', ['-i', dir]);
  }
  spawnSync('chmod', ['a-w', dir]);
  return () => void spawnSync('chmod', ['u+w', dir]);
}

/**
 * A folder on a file system of `bytes`, so writes past it fail with ENOSPC: a tmpfs mounted there
 * (root, as on CI). Returns the undo (unmount), or undefined when this machine cannot mount.
 */
export function smallDisk(dir: string, bytes: number): (() => void) | undefined {
  mkdirSync(dir, { recursive: true });
  if (!isRoot()) return undefined;
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${bytes}`, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  return () => void spawnSync('umount', ['-l', dir]);
}

export interface PublicationOnDisk {
  manifestText: string;
  /** The publication's facts, as its manifest's public models carry them in `meta.mesh`. */
  facts: PublishedFactsOnDisk;
  versions: string[];
}

export function publicationOf(projectDir: string): PublicationOnDisk | undefined {
  const dir = join(projectDir, 'target', 'published');
  if (!existsSync(join(dir, 'manifest.json'))) return undefined;
  const manifestText = readFileSync(join(dir, 'manifest.json'), 'utf8');
  const versions = existsSync(join(dir, 'versions')) ? readdirSync(join(dir, 'versions')).sort() : [];
  return { manifestText, facts: publicationFactsOf(JSON.parse(manifestText)), versions };
}
