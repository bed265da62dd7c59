import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileSystemError, MeshError } from '@mesh/errors';
import { leaseVersion } from './publication-lease';
import { MANIFEST_FILE } from './publication-store';
import { parsePublishedManifest, publicationFacts, type PublicationFacts, type PublishedManifest } from './published-manifest';

/**
 * A publication as one reader holds it: the manifest it read and the version folder that manifest
 * names, leased so it stays on disk while the reader uses it, whatever is published meanwhile.
 */
export interface PinnedPublication {
  manifest: PublishedManifest;
  /** The publication as readers use it (the manifest read through publicationFacts). */
  facts: PublicationFacts;
  /** The manifest's text as read (a consumer caches it, nx hashes it). */
  text: string;
  /** The published folder the manifest was read from. */
  dir: string;
  /** The version read; undefined for a manifest dbt-core wrote. */
  version?: string;
  /** Whether this reader holds a lease on the version (false on a read-only mount). */
  leased: boolean;
  /** A file the manifest names (relative to it), as a path. */
  path(relative: string): string;
  /** Drops the lease; the version may go once no reader holds it and it is not the current or previous one. */
  release(): void;
}

export interface PinOptions {
  /** Who reads, written in the lease (`build finance`, `serve`). */
  reader: string;
  /** Lease the version (default true). */
  lease?: boolean;
  /** The manifest's file name (default manifest.json). */
  file?: string;
}

const ATTEMPTS = 20;

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function readManifest(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return undefined;
    throw fileSystemError(error, 'read the published manifest', path);
  }
}

const exists = (path: string) => {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
};

/**
 * Reads the current publication in `dir` and pins its version; undefined when nothing is published. A
 * version removed between reading the manifest and leasing it (a publication that came right after)
 * sends the reader back to the manifest, which then names a newer version.
 */
export function pinPublication(dir: string, options: PinOptions): PinnedPublication | undefined {
  for (let attempt = 0; ; attempt++) {
    const file = join(dir, options.file ?? MANIFEST_FILE);
    const text = readManifest(file);
    if (text === undefined) return undefined;
    const manifest = parsePublishedManifest(text, file);
    const facts = publicationFacts(manifest);
    const base = { manifest, facts, text, dir, path: (relative: string) => join(dir, relative) };
    const publication = facts.publication;
    if (!publication) return { ...base, leased: false, release: () => undefined };
    const versionDir = join(dir, publication.dir);
    if (options.lease === false) return { ...base, version: publication.id, leased: false, release: () => undefined };
    const lease = leaseVersion(versionDir, options.reader);
    if (lease.leased) {
      // A clean-up that moved the version aside just before the lease puts it back when it finds the lease.
      for (let wait = 0; wait < ATTEMPTS && !exists(versionDir); wait++) sleep(25);
      if (exists(versionDir)) return { ...base, version: publication.id, leased: true, release: lease.release };
      lease.release();
    } else if (!lease.gone) {
      return { ...base, version: publication.id, leased: false, release: () => undefined };
    }
    if (attempt >= ATTEMPTS) {
      throw new MeshError('E_PUBLICATION_UNSTABLE', `the publication in ${dir} was replaced ${ATTEMPTS} times while it was being read`, {
        hint: 'Something publishes in a loop, or removes version folders by hand; run again once the publisher is done.',
      });
    }
    sleep(10);
  }
}
