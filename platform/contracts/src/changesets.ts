import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import readChangesets from '@changesets/read';
import semver from 'semver';

export type Bump = 'major' | 'minor' | 'patch' | 'none';
const RANK: Record<Bump, number> = { none: 0, patch: 1, minor: 2, major: 3 };

export function maxBump(...bumps: Bump[]): Bump {
  return bumps.reduce<Bump>((a, b) => (RANK[b] > RANK[a] ? b : a), 'none');
}

export function covers(allowed: Bump, required: Bump): boolean {
  return RANK[allowed] >= RANK[required];
}

/** The bump between two versions: 1.2.0 -> 2.0.0 is major. Pre-1.0 versions count minor as major, as semver does. */
export function bumpBetween(from: string, to: string): Bump {
  if (!semver.gt(to, from)) return 'none';
  const kind = semver.diff(from, to);
  if (kind === 'major' || kind === 'premajor') return 'major';
  if (kind === 'minor' || kind === 'preminor') return semver.major(from) === 0 ? 'major' : 'minor';
  return 'patch';
}

/** The folder that holds `.changeset/`, searched upward from a domain package. */
export function findWorkspaceRoot(from: string): string | undefined {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, '.changeset'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export interface PendingRelease {
  bump: Bump;
  /** The changeset files that ask for it, relative to the workspace root. */
  files: string[];
}

/** What the pending changesets ask for a package: the largest bump among them, as `changeset version` would apply. */
export async function pendingRelease(workspaceRoot: string, packageName: string): Promise<PendingRelease> {
  const changesets = await readChangesets(workspaceRoot);
  let bump: Bump = 'none';
  const files: string[] = [];
  for (const c of changesets) {
    for (const r of c.releases) {
      if (r.name !== packageName) continue;
      bump = maxBump(bump, r.type);
      files.push(relative(workspaceRoot, join(workspaceRoot, '.changeset', `${c.id}.md`)));
    }
  }
  return { bump, files };
}

/** The domain package's name and version (the contract version); a project outside a package is 0.0.0. */
export function packageJson(root: string): { name: string; version: string } {
  const path = join(root, 'package.json');
  if (!existsSync(path)) return { name: '', version: '0.0.0' };
  const pkg = JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version?: string };
  return { name: pkg.name ?? '', version: pkg.version ?? '0.0.0' };
}
