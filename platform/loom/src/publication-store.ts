import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileSystemError } from '@mesh/errors';
import { failpoint } from '@mesh/engine';
import { LEASES_DIR, liveLeases } from './publication-lease';

/**
 * Where a publication lives on disk, and how a new one replaces the last one whole.
 *
 *   published/
 *     manifest.json            the current publication: the only file that is ever replaced
 *     versions/<id>/           one folder per publication, never changed once complete
 *       <project>.duckdb | shares/<consumer>.duckdb, contract.odcs.yaml, .leases/
 *
 * A publication is written into `versions/.staging-<id>/`, renamed to `versions/<id>/` once every file
 * is complete, and becomes current when a manifest naming it is renamed over `manifest.json`. Every
 * path in the manifest leads into its own version folder, so a reader that read the manifest reads that
 * version and no other, however many publications follow. Until that last rename, readers see the
 * previous publication; a build killed or failing at any point leaves it as it was.
 *
 * Old versions go once no reader uses them: readers lease the version they read (see
 * publication-lease.ts), and the version before the current one is always kept too, for readers that
 * cannot lease (a read-only mount, an http download).
 */

export const VERSIONS_DIR = 'versions';
export const MANIFEST_FILE = 'manifest.json';
const STAGING_PREFIX = '.staging-';
const TRASH_PREFIX = '.trash-';

/** Sortable by time, unique across machines: `20260312T101502123Z-9f2c1a`. */
export function newVersionId(now = new Date()): string {
  return `${now.toISOString().replace(/[-:.]/g, '')}-${randomBytes(3).toString('hex')}`;
}

export const isVersionId = (name: string): boolean => /^\d{8}T\d{9}Z-[0-9a-f]{6}$/.test(name);

/** A version's folder, relative to the published folder (as the manifest names its files). */
export const versionPath = (id: string): string => `${VERSIONS_DIR}/${id}`;

function wrap<T>(doing: string, path: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw fileSystemError(error, doing, path);
  }
}

/** Writes a file and flushes it to disk before it is renamed into place. */
function writeDurably(path: string, text: string): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** One publication being written; nothing of it is visible to readers until `commit`. */
export class StagedVersion {
  readonly id = newVersionId();
  readonly staging: string;
  private committed = false;

  constructor(readonly publishedDir: string) {
    this.staging = join(publishedDir, VERSIONS_DIR, `${STAGING_PREFIX}${this.id}`);
    wrap('prepare the publication folder', publishedDir, () => mkdirSync(join(this.staging, LEASES_DIR), { recursive: true }));
  }

  /** A file's path inside the staging folder, for the adapter to write to. */
  path(relative: string): string {
    return join(this.staging, relative);
  }

  /** What the manifest calls a file of this version: relative to the published folder. */
  published(relative: string): string {
    return `${versionPath(this.id)}/${relative}`;
  }

  writeFile(relative: string, text: string): void {
    wrap('write the publication', this.path(relative), () => writeDurably(this.path(relative), text));
  }

  /** Size of each data file written, keyed as the manifest names them, so readers can tell a whole copy. */
  files(): Record<string, { bytes: number }> {
    const out: Record<string, { bytes: number }> = {};
    const visit = (dir: string, prefix: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.name === LEASES_DIR) continue;
        const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
        if (entry.isDirectory()) visit(join(dir, entry.name), rel);
        else out[this.published(rel)] = { bytes: statSync(join(dir, entry.name)).size };
      }
    };
    visit(this.staging, '');
    return out;
  }

  /**
   * Makes the version current: its folder is renamed into place, then the manifest naming it over the
   * last one. Each step is one rename, so readers see the old publication or the new one, whole.
   */
  commit(manifestText: string): void {
    const versionDir = join(this.publishedDir, versionPath(this.id));
    const manifest = join(this.publishedDir, MANIFEST_FILE);
    const tmp = `${manifest}.${process.pid}.tmp`;
    wrap('publish', versionDir, () => renameSync(this.staging, versionDir));
    failpoint('publish:renamed');
    try {
      wrap('write the published manifest', tmp, () => writeDurably(tmp, manifestText));
      wrap('replace the published manifest', manifest, () => renameSync(tmp, manifest));
    } catch (error) {
      // Not current, so no reader can have it: it goes now rather than at the next publication.
      rmSync(tmp, { force: true });
      try {
        renameSync(versionDir, this.staging);
      } catch {
        // Left for the next publication's clean-up, which removes versions no manifest names.
      }
      this.abandon();
      throw error;
    }
    this.committed = true;
  }

  /** Removes what was written, after a failure; best effort, the next publication cleans up the rest. */
  abandon(): void {
    if (this.committed) return;
    try {
      rmSync(this.staging, { recursive: true, force: true });
    } catch {
      // A folder made immutable or read-only mid-way: removed by the next publication that can.
    }
  }
}

/** The version folders in `published/versions`, oldest first. */
export function listVersions(publishedDir: string): string[] {
  const dir = join(publishedDir, VERSIONS_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter(isVersionId).sort();
}

export interface GarbageOptions {
  /**
   * Data files (relative to a version folder) the current publication holds; older versions lose the
   * others at once. Left out, kept versions keep all their files.
   */
  keepFiles?: Set<string>;
}

/** Files of a version folder, relative to it (leases left out). */
function dataFiles(versionDir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(versionDir, prefix), { withFileTypes: true })) {
    if (!prefix && entry.name === LEASES_DIR) continue;
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...dataFiles(versionDir, rel));
    else out.push(rel);
  }
  return out;
}

/**
 * Removes what no reader needs after `current` became current: versions older than the one before it
 * that no live reader leases, versions no manifest names (a publisher killed before its manifest), the
 * flat files of the layout before versions, and left-over staging folders. The caller holds the
 * project lock, so no other publication is under way. A database of a consumer whose grant was revoked
 * goes from every kept version at once: a revoked grant leaves nothing readable behind.
 */
export function collectGarbage(publishedDir: string, current: string, options: GarbageOptions = {}): void {
  const versionsDir = join(publishedDir, VERSIONS_DIR);
  const versions = listVersions(publishedDir);
  const previous = versions.filter((v) => v < current).at(-1);
  for (const name of existsSync(versionsDir) ? readdirSync(versionsDir) : []) {
    if (name.startsWith(STAGING_PREFIX) || name.startsWith(TRASH_PREFIX)) rmQuietly(join(versionsDir, name));
  }
  for (const id of versions) {
    if (id === current) continue;
    const dir = join(versionsDir, id);
    if (id !== previous && liveLeases(dir).length === 0 && retire(versionsDir, id)) continue;
    // Kept for its readers: only without what the current publication no longer grants.
    if (options.keepFiles) for (const file of dataFiles(dir)) if (isDataFile(file) && !options.keepFiles.has(file)) rmQuietly(join(dir, file));
  }
  // The layout before versions kept its databases and contract beside the manifest; a publisher killed
  // between writing a manifest and renaming it left the manifest's temporary file.
  for (const name of readdirSync(publishedDir)) {
    if (/^manifest\.json\.\d+\.tmp$/.test(name)) rmQuietly(join(publishedDir, name));
    if (name.endsWith('.duckdb') || name.endsWith('.duckdb.wal') || name === 'shares' || name === 'contract.odcs.yaml') rmQuietly(join(publishedDir, name));
  }
}

/** A grantee's database: what a revoked grant takes out of the versions kept for readers. */
const isDataFile = (file: string) => file.endsWith('.duckdb');

/**
 * Moves a version out of readers' reach, then deletes it, unless a reader leased it in the meantime: a
 * lease taken before the move is found in the moved folder, which is then put back.
 */
function retire(versionsDir: string, id: string): boolean {
  const dir = join(versionsDir, id);
  const trash = join(versionsDir, `${TRASH_PREFIX}${id}-${randomBytes(3).toString('hex')}`);
  try {
    renameSync(dir, trash);
  } catch {
    return false;
  }
  if (liveLeases(trash).length) {
    try {
      renameSync(trash, dir);
      return false;
    } catch {
      return true;
    }
  }
  rmQuietly(trash);
  return true;
}

function rmQuietly(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // Tried again at the next publication.
  }
}
