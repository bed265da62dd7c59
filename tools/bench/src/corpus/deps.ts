import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { runOracle } from '@mesh/oracle';
import { extractTree, mirrorOf, readAt, resolveRevision, tags } from './mirror';

/**
 * `dbt deps` without the network: a project's packages.yml (or dependencies.yml) resolved against local
 * mirrors of the packages' repositories and laid out under `dbt_packages/<package name>/` as dbt lays them
 * out. The decisions follow dbt's: an up-to-date package-lock.yml is installed as it is (dbt's own hash
 * decides whether it is up to date); otherwise the version ranges of every package in the tree are merged
 * and each hub package gets its highest release in range whose require-dbt-version admits the installed
 * dbt; git packages are checked out at their revision; local packages are symlinked.
 */

const RawVersion = z.union([z.string(), z.number()]).transform(String);
const HubSpec = z.object({
  package: z.string(),
  version: z.union([RawVersion, z.array(RawVersion)]).transform((v) => (Array.isArray(v) ? v : [v])),
  'install-prerelease': z.boolean().optional(),
  install_prerelease: z.boolean().optional(),
});
const GitSpec = z.object({ git: z.string(), revision: RawVersion.optional(), subdirectory: z.string().optional() });
const LocalSpec = z.object({ local: z.string() });
const PackageSpec = z.union([HubSpec, GitSpec, LocalSpec, z.object({}).passthrough()]);
type PackageSpec = z.infer<typeof PackageSpec>;
const PackageFile = z.object({ packages: z.array(PackageSpec).nullish() }).passthrough();
const LockFile = z.object({ packages: z.array(PackageSpec).nullish(), sha1_hash: z.string().optional() }).passthrough();

/** Where one package's files come from. */
type Source =
  | { kind: 'mirror'; repo: string; gitDir: string; commit: string; subdirectory?: string }
  | { kind: 'local'; dir: string };

export interface InstalledPackage {
  /** The folder under dbt_packages/: the `name` of the package's dbt_project.yml. */
  name: string;
  /** How the project asked for it: `dbt-labs/dbt_utils [">=1.0.0", "<2.0.0"]`, `git ...@main`, `local ../`. */
  requested: string;
  /** What was installed: `dbt-labs/dbt-utils 1.3.0 (abc1234)`, `local ../`. */
  installed: string;
}

export interface DepsResult {
  packages: InstalledPackage[];
  /** `lock` when package-lock.yml was installed as it is, `resolved` when resolved anew, `none`. */
  from: 'lock' | 'resolved' | 'none';
}

export class DepsError extends Error {}

const LOCK_SCRIPT = fileURLToPath(new URL('./deps-lock.py', import.meta.url));

function readPackageFile(dir: string): PackageSpec[] {
  for (const file of ['packages.yml', 'dependencies.yml']) {
    const path = join(dir, file);
    if (existsSync(path)) return PackageFile.parse(parse(readFileSync(path, 'utf8')) ?? {}).packages ?? [];
  }
  return [];
}

function packagesAt(source: Source): PackageSpec[] {
  if (source.kind === 'local') return readPackageFile(source.dir);
  const base = source.subdirectory ? `${source.subdirectory}/` : '';
  for (const file of ['packages.yml', 'dependencies.yml']) {
    const text = readAt(source.gitDir, source.commit, `${base}${file}`);
    if (text !== undefined) return PackageFile.parse(parse(text) ?? {}).packages ?? [];
  }
  return [];
}

function projectNameAt(source: Source): string {
  const text = source.kind === 'local'
    ? readFileSync(join(source.dir, 'dbt_project.yml'), 'utf8')
    : readAt(source.gitDir, source.commit, `${source.subdirectory ? `${source.subdirectory}/` : ''}dbt_project.yml`);
  const name = text === undefined ? undefined : (parse(text) as { name?: unknown } | null)?.name;
  if (typeof name !== 'string') throw new DepsError(`${describeSource(source)} has no dbt_project.yml with a name`);
  return name;
}

function describeSource(source: Source): string {
  return source.kind === 'local' ? `local ${source.dir}` : `${source.repo} ${source.commit.slice(0, 7)}${source.subdirectory ? ` /${source.subdirectory}` : ''}`;
}

/** GitHub owner/name of a git package URL (`https://github.com/dbt-labs/dbt-audit-helper.git`). */
export function repoOfGitUrl(url: string): string {
  const m = /github\.com[/:]([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(url);
  if (!m) throw new DepsError(`git package ${url}: only GitHub repositories can be mirrored here`);
  return `${m[1]}/${m[2]}`;
}

function requireDbtAdmits(gitDir: string, commit: string, dbtVersion: string): boolean {
  const text = readAt(gitDir, commit, 'dbt_project.yml');
  if (text === undefined) return false;
  const req = (parse(text) as { 'require-dbt-version'?: unknown } | null)?.['require-dbt-version'];
  if (req === undefined || req === null) return true;
  const ranges = (Array.isArray(req) ? req : [req]).map(String);
  return semver.satisfies(dbtVersion, ranges.join(' '), { includePrerelease: true });
}

interface HubRequest {
  kind: 'hub';
  package: string;
  ranges: string[];
  prerelease: boolean;
}

/** The release of a hub package dbt deps would pick: the highest in every range, compatible with this dbt. */
function resolveHub(request: HubRequest, hub: Record<string, string>, dbtVersion: string): Source & { version: string } {
  const repo = hub[request.package];
  if (!repo) throw new DepsError(`hub package ${request.package} is not in the corpus file's hub: map (add it with the repository it is published from)`);
  const gitDir = mirrorOf(repo);
  const range = request.ranges.join(' ');
  const prerelease = request.prerelease || request.ranges.some((r) => semver.minVersion(r)?.prerelease.length);
  const candidates = tags(gitDir)
    .map((tag) => ({ tag, version: semver.valid(semver.clean(tag)) }))
    .filter((t): t is { tag: string; version: string } => t.version !== null)
    .filter((t) => prerelease || semver.prerelease(t.version) === null)
    .sort((a, b) => semver.rcompare(a.version, b.version));
  for (const c of candidates) {
    if (!semver.satisfies(c.version, range, { includePrerelease: prerelease })) continue;
    const commit = resolveRevision(gitDir, `refs/tags/${c.tag}`);
    if (commit && requireDbtAdmits(gitDir, commit, dbtVersion)) return { kind: 'mirror', repo, gitDir, commit, version: c.version };
  }
  throw new DepsError(`no release of ${request.package} (${repo}) satisfies ${range} and admits dbt ${dbtVersion}; the mirror has tags ${candidates.map((c) => c.version).join(', ')}`);
}

function sourceOf(spec: PackageSpec, rootDir: string): { key: string; hub?: HubRequest; source?: Source; requested: string; gitUrl?: string; localAs?: string } {
  if ('package' in spec) {
    const hub = spec as z.infer<typeof HubSpec>;
    return {
      key: `hub:${hub.package}`,
      hub: { kind: 'hub', package: hub.package, ranges: hub.version, prerelease: Boolean(hub['install-prerelease'] ?? hub.install_prerelease) },
      requested: `${hub.package} ${JSON.stringify(hub.version)}`,
    };
  }
  if ('git' in spec) {
    const g = spec as z.infer<typeof GitSpec>;
    const repo = repoOfGitUrl(g.git);
    const gitDir = mirrorOf(repo);
    const revision = g.revision ?? 'HEAD';
    // A branch is what the mirror's snapshot has of it; a fetched snapshot keeps its default branch as HEAD.
    const commit = resolveRevision(gitDir, revision) ?? resolveRevision(gitDir, `origin/${revision}`) ?? (revision === 'main' || revision === 'master' ? resolveRevision(gitDir, 'HEAD') : undefined);
    if (!commit) throw new DepsError(`git package ${g.git}: the mirror of ${repo} has no revision ${revision}`);
    return {
      key: `git:${g.git}:${g.subdirectory ?? ''}`,
      gitUrl: g.git,
      source: { kind: 'mirror', repo, gitDir, commit, subdirectory: g.subdirectory },
      requested: `git ${g.git}@${revision}${g.subdirectory ? ` /${g.subdirectory}` : ''}`,
    };
  }
  if ('local' in spec) {
    const dir = resolve(rootDir, (spec as z.infer<typeof LocalSpec>).local);
    const local = (spec as z.infer<typeof LocalSpec>).local;
    return { key: `local:${dir}`, source: { kind: 'local', dir }, requested: `local ${local}`, localAs: local };
  }
  throw new DepsError(`a package entry of a kind that cannot be installed offline: ${JSON.stringify(spec)}`);
}

interface Resolved {
  source: Source;
  requested: string;
  version?: string;
  /** How the entry is written back into package-lock.yml. */
  hubPackage?: string;
  gitUrl?: string;
  localAs?: string;
}

/** dbt's resolver: merge each package's requests over the whole tree, reading each package's own packages.yml. */
function resolveTree(rootSpecs: PackageSpec[], rootDir: string, hub: Record<string, string>, dbtVersion: string): Resolved[] {
  const requests = new Map<string, { hub?: HubRequest; source?: Source; requested: string[]; gitUrl?: string; localAs?: string }>();
  const seen = new Set<string>();
  let pending = rootSpecs;
  while (pending.length) {
    const next: PackageSpec[] = [];
    for (const spec of pending) {
      const s = sourceOf(spec, rootDir);
      const entry = requests.get(s.key) ?? { hub: s.hub ? { ...s.hub, ranges: [] } : undefined, source: s.source, requested: [], gitUrl: s.gitUrl, localAs: s.localAs };
      if (s.hub && entry.hub) {
        entry.hub.ranges.push(...s.hub.ranges);
        entry.hub.prerelease ||= s.hub.prerelease;
      }
      entry.requested.push(s.requested);
      requests.set(s.key, entry);
      const source = entry.hub ? resolveHub(entry.hub, hub, dbtVersion) : entry.source!;
      const visit = `${s.key}@${source.kind === 'mirror' ? source.commit : source.dir}`;
      if (seen.has(visit)) continue;
      seen.add(visit);
      next.push(...packagesAt(source));
    }
    pending = next;
  }
  return [...requests.values()].map((r) => {
    if (r.hub) {
      const source = resolveHub(r.hub, hub, dbtVersion);
      return { source, requested: r.requested.join(' + '), version: source.version, hubPackage: r.hub.package };
    }
    return { source: r.source!, requested: r.requested.join(' + '), gitUrl: r.gitUrl, localAs: r.localAs };
  });
}

function fromLock(lock: PackageSpec[], rootDir: string, hub: Record<string, string>): Resolved[] {
  return lock.map((spec) => {
    if ('package' in spec) {
      const h = spec as z.infer<typeof HubSpec>;
      const repo = hub[h.package];
      if (!repo) throw new DepsError(`hub package ${h.package} is not in the corpus file's hub: map`);
      const gitDir = mirrorOf(repo);
      const version = h.version[0]!;
      const tag = tags(gitDir).find((t) => semver.clean(t) === semver.clean(version));
      const commit = tag && resolveRevision(gitDir, `refs/tags/${tag}`);
      if (!commit) throw new DepsError(`package-lock.yml pins ${h.package} ${version}; the mirror of ${repo} has no such tag`);
      return { source: { kind: 'mirror', repo, gitDir, commit }, requested: `${h.package} ${version} (lock)`, version };
    }
    const s = sourceOf(spec, rootDir);
    return { source: s.source!, requested: `${s.requested} (lock)` };
  });
}

/** package-lock.yml as dbt deps writes it: each package's pinned entry and its name, then the hash. */
function writeLock(projectDir: string, resolved: Resolved[], installed: InstalledPackage[], hash: string): void {
  const entries = resolved.map((r, i) => {
    const name = installed[i]!.name;
    const s = r.source;
    if (s.kind === 'local') return { local: r.localAs!, name };
    if (r.version !== undefined && r.hubPackage) return { name, package: r.hubPackage, version: r.version };
    return { git: r.gitUrl!, name, revision: s.commit, ...(s.subdirectory ? { subdirectory: s.subdirectory } : {}) };
  });
  writeFileSync(join(projectDir, 'package-lock.yml'), stringify({ packages: entries, sha1_hash: hash }, { sortMapEntries: true }));
}

function install(projectDir: string, resolved: Resolved): InstalledPackage {
  const name = projectNameAt(resolved.source);
  const dest = join(projectDir, 'dbt_packages', name);
  rmSync(dest, { recursive: true, force: true });
  mkdirSync(dirname(dest), { recursive: true });
  const source = resolved.source;
  if (source.kind === 'local') {
    // dbt links a local package (its target is absolute); a relative link keeps pointing inside a copy
    // of the checkout, which is how the benchmark runs each tool.
    symlinkSync(relative(dirname(dest), source.dir) || '.', dest);
    return { name, requested: resolved.requested, installed: `symlink to ${relative(projectDir, source.dir) || '.'}` };
  }
  const { missing } = extractTree(source.gitDir, source.commit, dest, source.subdirectory);
  if (missing.length) throw new DepsError(`${describeSource(source)}: the mirror lacks ${missing.join(', ')}`);
  return { name, requested: resolved.requested, installed: `${source.repo} ${resolved.version ?? ''} (${source.commit.slice(0, 7)})`.replace('  ', ' ') };
}

/** dbt's own hash of the project's package entries, as `dbt deps` writes it into package-lock.yml's `sha1_hash`. */
export function dbtPackagesHash(projectDir: string): string {
  const decided = runOracle('python', [LOCK_SCRIPT, projectDir], { cwd: projectDir });
  if (decided.code !== 0) throw new DepsError(`dbt could not read the package files of ${projectDir}:\n${decided.stderr}`);
  return (JSON.parse(decided.stdout.trim().split('\n').pop()!) as { hash: string }).hash;
}

let dbtVersion: string | undefined;

/** The oracle's dbt-core version, from its package metadata (importing dbt takes seconds). */
export function installedDbtVersion(): string {
  if (dbtVersion) return dbtVersion;
  const r = runOracle('python', ['-c', "import importlib.metadata as m; print(m.version('dbt-core'))"], { cwd: tmpdir() });
  if (r.code !== 0) throw new DepsError(`cannot read the oracle's dbt-core version:\n${r.stderr}`);
  dbtVersion = r.stdout.trim();
  return dbtVersion;
}

/** Installs the packages of the dbt project in `projectDir` into its `dbt_packages/`, as `dbt deps` would. */
export function installPackages(projectDir: string, hub: Record<string, string>): DepsResult {
  const specs = readPackageFile(projectDir);
  rmSync(join(projectDir, 'dbt_packages'), { recursive: true, force: true });
  if (!specs.length) return { packages: [], from: 'none' };
  const lockPath = join(projectDir, 'package-lock.yml');
  const lock = existsSync(lockPath) ? LockFile.parse(parse(readFileSync(lockPath, 'utf8')) ?? {}) : undefined;
  let hash: string | undefined;
  const dbtHash = () => (hash ??= dbtPackagesHash(projectDir));
  const useLock = lock !== undefined && (lock.packages?.length ?? 0) > 0 && lock.sha1_hash === dbtHash();
  const resolved = useLock ? fromLock(lock.packages!, projectDir, hub) : resolveTree(specs, projectDir, hub, installedDbtVersion());
  const packages = resolved.map((r) => install(projectDir, r));
  // dbt deps writes what it resolved, transitive packages included, and dbt refuses to run when the lock
  // and dbt_packages/ disagree in number.
  if (!useLock) writeLock(projectDir, resolved, packages, dbtHash());
  return { packages, from: useLock ? 'lock' : 'resolved' };
}
