import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { MeshError } from '@mesh/errors';
import { parseYamlFile, validateYaml } from '@mesh/validate';
import { findProjectFile } from './load-project';
import { readPackageSpecs, type PackageSpec } from './load-packages';
import { packageProjectSchema, projectFileSchema } from './schemas';

export interface InstallReport {
  /** Local packages linked into the install path, by package name. */
  linked: Array<{ name: string; from: string }>;
  /** Hub, git and tarball packages found installed already. */
  present: PackageSpec[];
  /** Hub, git and tarball packages that are not installed: they need a download. */
  missing: PackageSpec[];
  installPath: string;
}

/**
 * `mesh deps`: what `dbt deps` does for `local:` packages (a link under the install path, named as the
 * package's own project). Hub, git and tarball packages are downloaded by dbt deps; the engine checks they
 * are there, so a build never runs with a package silently missing.
 */
export function installPackages(projectDir: string): InstallReport {
  const root = resolve(projectDir);
  const projectFile = findProjectFile(root);
  const project = validateYaml(parseYamlFile(relative(root, projectFile), readFileSync(projectFile, 'utf8')), projectFileSchema, 'project file');
  const installPath = project['packages-install-path'] ?? 'dbt_packages';
  const base = join(root, installPath);
  const report: InstallReport = { linked: [], present: [], missing: [], installPath };
  for (const spec of readPackageSpecs(root)) {
    if (spec.kind !== 'local') {
      (existsSync(join(base, spec.guess, 'dbt_project.yml')) ? report.present : report.missing).push(spec);
      continue;
    }
    const from = resolve(root, spec.local!);
    const file = join(from, 'dbt_project.yml');
    if (!existsSync(file)) {
      throw new MeshError('E_PACKAGE_MISSING', `the local package ${spec.local} has no dbt_project.yml`, {
        location: { file: spec.file, line: spec.line },
        hint: 'Point local: at the folder of a dbt project (relative to this project).',
      });
    }
    const name = validateYaml(parseYamlFile(relative(root, file), readFileSync(file, 'utf8')), packageProjectSchema, 'package project file').name;
    const link = join(base, name);
    const target = relative(dirname(link), from);
    mkdirSync(base, { recursive: true });
    if (existsSync(link) || isLink(link)) {
      if (isLink(link) && readlinkSync(link) === target) {
        report.linked.push({ name, from: spec.local! });
        continue;
      }
      rmSync(link, { recursive: true, force: true });
    }
    symlinkSync(target, link, 'dir');
    report.linked.push({ name, from: spec.local! });
  }
  return report;
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
