import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MeshError } from '@mesh/errors';
import { METADATA_DIR } from './location';

/** Who holds a project's lock, as written in the lock file. */
export interface LockHolder {
  pid: number;
  command: string;
  startedAt: string;
  host: string;
}

export interface LockOptions {
  /** What the lock is taken for (`build`, `ingest`), shown to whoever finds it held. */
  command: string;
  /** Wait until the holder finishes instead of failing at once. */
  wait?: boolean;
  /** Longest wait in milliseconds (default: no limit). */
  timeoutMs?: number;
  pollMs?: number;
  /** Told once when the lock is held and the caller waits. */
  onWait?(holder: LockHolder): void;
  /** Told when a lock left by a process that no longer exists is taken over. */
  onStale?(holder: LockHolder): void;
}

export interface ProjectLock {
  readonly path: string;
  readonly holder: LockHolder;
  release(): void;
}

/** The lock's file name, beside the metadata database in the project's METADATA_DIR. */
export const LOCK_FILE = 'run.lock';

export function lockPath(projectRoot: string): string {
  return join(projectRoot, METADATA_DIR, LOCK_FILE);
}

/** Who holds the lock file now, if anyone: to tell someone kept waiting which process they wait for. */
export function readLockHolder(path: string): LockHolder | undefined {
  const holder = readHolder(path);
  return typeof holder === 'object' ? holder : undefined;
}

/**
 * Takes the project's run lock: one build, run, test, seed or ingest at a time writes a domain's
 * database. The lock file is created with O_EXCL, so of two processes exactly one gets it; a lock whose
 * process is gone (killed, crashed) is stale and taken over, so a SIGKILL never blocks the next build.
 */
export async function acquireProjectLock(projectRoot: string, options: LockOptions): Promise<ProjectLock> {
  const path = lockPath(projectRoot);
  mkdirSync(join(projectRoot, METADATA_DIR), { recursive: true });
  const me: LockHolder = { pid: process.pid, command: options.command, startedAt: new Date().toISOString(), host: hostname() };
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  let told = false;
  for (;;) {
    if (tryCreate(path, me)) return { path, holder: me, release: () => release(path, me) };
    const holder = readHolder(path);
    if (holder === 'gone') continue;
    if (holder === 'writing') {
      await sleep(20);
      continue;
    }
    if (holder === 'unreadable' || !isAlive(holder)) {
      if (holder !== 'unreadable') options.onStale?.(holder);
      takeOver(path, holder);
      continue;
    }
    if (!options.wait) {
      throw new MeshError('E_PROJECT_LOCKED', `another ${holder.command} of this project is running (pid ${holder.pid}${holder.host === me.host ? '' : ` on ${holder.host}`}, started ${holder.startedAt})`, {
        location: { file: path },
        hint: 'Wait for it to finish, or run again with --wait to start as soon as it does. If that process no longer exists, the lock is taken over automatically.',
      });
    }
    if (Date.now() >= deadline) {
      throw new MeshError('E_PROJECT_LOCKED', `gave up waiting for the ${holder.command} of pid ${holder.pid} (started ${holder.startedAt}) to finish`, {
        location: { file: path },
        hint: 'Run again later, or without a time limit.',
      });
    }
    if (!told) options.onWait?.(holder);
    told = true;
    await sleep(options.pollMs ?? 200);
  }
}

function tryCreate(path: string, me: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, JSON.stringify(me));
  } finally {
    closeSync(fd);
  }
  return true;
}

/** A lock file that cannot be read for a while was left by a process killed between creating and writing it. */
const UNWRITTEN_GRACE_MS = 5_000;

function readHolder(path: string): LockHolder | 'gone' | 'writing' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  try {
    const value = JSON.parse(text) as LockHolder;
    if (Number.isInteger(value.pid)) return value;
  } catch {
    // Written by now unless its writer died mid-way; decided below by the file's age.
  }
  try {
    return Date.now() - statSync(path).mtimeMs > UNWRITTEN_GRACE_MS ? 'unreadable' : 'writing';
  } catch {
    return 'gone';
  }
}

function isAlive(holder: LockHolder): boolean {
  // A pid means nothing on another machine (a shared folder): such a lock is respected, never taken over.
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes a stale lock without removing a fresh one by mistake: two processes may find the same stale
 * lock, and the slower one must not delete the lock the faster one has just taken. The file is moved
 * aside first (atomic, and only one mover succeeds); if what was moved is not the stale lock that was
 * read, it is put back with link(), which never overwrites.
 */
function takeOver(path: string, stale: LockHolder | 'unreadable'): void {
  const aside = `${path}.${process.pid}.stale`;
  try {
    renameSync(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = readHolder(aside);
  const same = stale === 'unreadable' ? typeof moved !== 'object' : typeof moved === 'object' && moved.pid === stale.pid && moved.startedAt === stale.startedAt;
  if (!same) {
    try {
      linkSync(aside, path);
    } catch {
      // Someone took the lock meanwhile; the one moved aside loses, and its owner will find it gone.
    }
  }
  unlinkSync(aside);
}

function release(path: string, me: LockHolder): void {
  const holder = readHolder(path);
  if (typeof holder === 'object' && holder.pid === me.pid && holder.startedAt === me.startedAt) {
    try {
      unlinkSync(path);
    } catch {
      // Already gone: nothing to release.
    }
  }
}
