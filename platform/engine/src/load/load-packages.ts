import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { MeshError } from '@mesh/errors';
import { parseYamlFile, validateYaml } from '@mesh/validate';
import { packageProjectSchema, type PackageProject } from './schemas';

/**
 * dbt packages as `dbt deps` leaves them: each a dbt project of its own under `dbt_packages/<name>/` (or the
 * project's `packages-install-path`), with its own dbt_project.yml, macros, generic tests, models, seeds and
 * `dispatch:` config. A `local:` package of packages.yml is read where it is, as `dbt deps` links it.
 */

export interface PackageSpec {
  /** As declared: `dbt-labs/dbt_utils`, a git URL, a local path. */
  spec: string;
  kind: 'hub' | 'git' | 'local' | 'tarball' | 'private';
  /** The folder name dbt deps installs it under, as far as the spec tells it (hub and git: the repository name). */
  guess: string;
  file: string;
  line?: number;
  /** For local packages: the folder, relative to the project root. */
  local?: string;
}

export interface InstalledPackage {
  /** The package's project name (its dbt_project.yml `name`), which its macros are namespaced by. */
  name: string;
  /** Its folder relative to the project root, forward slashes (`dbt_packages/dbt_utils`). */
  dir: string;
  project: PackageProject;
  projectFile: string;
  projectLineOf(path: readonly PropertyKey[]): number | undefined;
}

function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

/** Package entries of packages.yml and dependencies.yml (`packages:`), in order. */
export function readPackageSpecs(root: string): PackageSpec[] {
  const out: PackageSpec[] = [];
  for (const file of ['packages.yml', 'dependencies.yml']) {
    const path = join(root, file);
    if (!existsSync(path)) continue;
    const parsed = parseYamlFile(file, readFileSync(path, 'utf8'));
    const packages = (parsed.data as { packages?: unknown } | null)?.packages;
    if (!Array.isArray(packages)) continue;
    packages.forEach((entry, i) => {
      const e = (entry ?? {}) as Record<string, unknown>;
      const kind: PackageSpec['kind'] = e.local !== undefined ? 'local' : e.git !== undefined ? 'git' : e.tarball !== undefined ? 'tarball' : e.private !== undefined ? 'private' : 'hub';
      const spec = String(e.package ?? e.git ?? e.local ?? e.tarball ?? e.private ?? e.name ?? '');
      // `dbt-labs/dbt_utils` -> dbt_utils; a git URL -> its repository name.
      const guess = spec.replace(/\.git$/, '').replace(/\/+$/, '').split('/').pop()!.replace(/-/g, '_');
      if (!spec) return;
      out.push({ spec, kind, guess, file, line: parsed.lineOf(['packages', i]), local: kind === 'local' ? toPosix(spec) : undefined });
    });
  }
  return out;
}

function readPackage(root: string, dir: string): InstalledPackage | undefined {
  const projectPath = join(root, dir, 'dbt_project.yml');
  if (!existsSync(projectPath)) return undefined;
  const rel = toPosix(relative(root, projectPath));
  const parsed = parseYamlFile(rel, readFileSync(projectPath, 'utf8'));
  const project = validateYaml(parsed, packageProjectSchema, 'package project file');
  return { name: project.name, dir: toPosix(dir), project, projectFile: rel, projectLineOf: parsed.lineOf };
}

/**
 * The packages installed for a project: every folder of the install path that holds a dbt_project.yml, and
 * the `local:` packages not linked there yet. Two packages with one name are an error, as in dbt.
 */
export function loadInstalledPackages(root: string, installPath: string, specs: PackageSpec[], projectName: string): InstalledPackage[] {
  const found = new Map<string, InstalledPackage>();
  const seenReal = new Set<string>();
  const add = (pkg: InstalledPackage) => {
    const real = realpathSync(join(root, pkg.dir));
    if (seenReal.has(real)) return;
    seenReal.add(real);
    if (pkg.name === projectName) return;
    const other = found.get(pkg.name);
    if (other) {
      throw new MeshError('E_PACKAGE_DUPLICATE', `two installed packages are named '${pkg.name}': ${other.dir} and ${pkg.dir}`, {
        location: { file: pkg.projectFile },
        hint: 'Remove one of them from the install path (dbt deps installs each package once).',
      });
    }
    found.set(pkg.name, pkg);
  };
  const base = join(root, installPath);
  if (existsSync(base)) {
    for (const entry of readdirSync(base).sort()) {
      const dir = join(installPath, entry);
      if (entry.startsWith('.') || !statSync(join(root, dir)).isDirectory()) continue;
      const pkg = readPackage(root, dir);
      if (pkg) add(pkg);
    }
  }
  for (const spec of specs) {
    if (spec.kind !== 'local' || !spec.local) continue;
    const dir = isAbsolute(spec.local) ? relative(root, spec.local) : spec.local;
    const abs = resolve(root, dir);
    if (!existsSync(join(abs, 'dbt_project.yml'))) {
      throw new MeshError('E_PACKAGE_MISSING', `the local package ${spec.local} has no dbt_project.yml`, {
        location: { file: spec.file, line: spec.line },
        hint: 'Point local: at the folder of a dbt project (relative to this project).',
      });
    }
    const pkg = readPackage(root, dir);
    // A local package already under the install path (dbt deps links or copies it there) is that one.
    if (pkg && !found.has(pkg.name)) add(pkg);
  }
  return [...found.values()];
}
