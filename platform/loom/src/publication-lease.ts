import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * A reader's claim on a publication version: a small file in the version's `.leases/` folder naming
 * the reading process. A version with a live lease is not removed. A lease whose process is gone (a
 * reader killed with kill -9) is dead and ignored; one from another machine is trusted for a day.
 */

export const LEASES_DIR = '.leases';
const FOREIGN_LEASE_MS = 24 * 60 * 60 * 1000;

interface LeaseBody {
  pid: number;
  host: string;
  at: string;
  /** What reads: `build sales`, `serve`. */
  reader: string;
}

const held = new Set<string>();
let exitHook = false;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, as another user's process.
    return (error as { code?: string }).code === 'EPERM';
  }
}

function alive(path: string): boolean {
  let body: LeaseBody;
  try {
    body = JSON.parse(readFileSync(path, 'utf8')) as LeaseBody;
  } catch {
    // Being written by a reader right now, or left half-written by one that was killed: live for a few seconds.
    try {
      return Date.now() - statSync(path).mtimeMs < 10_000;
    } catch {
      return false;
    }
  }
  if (body.host === hostname()) return processAlive(body.pid);
  try {
    return Date.now() - statSync(path).mtimeMs < FOREIGN_LEASE_MS;
  } catch {
    return false;
  }
}

/** The live leases of a version folder. */
export function liveLeases(versionDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(join(versionDir, LEASES_DIR));
  } catch {
    return [];
  }
  return names.filter((name) => alive(join(versionDir, LEASES_DIR, name)));
}

export type LeaseResult =
  | { leased: true; release(): void }
  /** The version folder is gone: the caller reads the manifest again. */
  | { leased: false; gone: true }
  /** The reader cannot write in the producer's folder (a read-only mount): it reads without a lease. */
  | { leased: false; gone: false; reason: string };

/**
 * Leases a version for this process. The lease file is created exclusively inside the existing
 * `.leases/` folder (never creating folders), so a version removed meanwhile fails the lease instead
 * of coming back empty. Held leases are dropped when the process exits.
 */
export function leaseVersion(versionDir: string, reader: string): LeaseResult {
  const path = join(versionDir, LEASES_DIR, `${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}.json`);
  const body: LeaseBody = { pid: process.pid, host: hostname(), at: new Date().toISOString(), reader };
  try {
    writeFileSync(path, JSON.stringify(body), { flag: 'wx' });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') return { leased: false, gone: true };
    return { leased: false, gone: false, reason: code ?? String(error) };
  }
  held.add(path);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const lease of held) rmSync(lease, { force: true });
    });
  }
  return {
    leased: true,
    release: () => {
      if (!held.delete(path)) return;
      rmSync(path, { force: true });
    },
  };
}
