import { formatError, MeshError } from '@mesh/errors';
import { installPackages } from '@mesh/engine';
import type { Output } from './commands';
import { clock } from './progress';

/** `mesh deps`: links the local packages, and fails naming each hub or git package that is not installed. */
export async function depsCommand(flags: { projectDir: string }, io: Output): Promise<number> {
  const report = installPackages(flags.projectDir);
  if (!report.linked.length && !report.present.length && !report.missing.length) {
    io.out(`${clock()}  No packages to install: neither packages.yml nor dependencies.yml lists one`);
  }
  for (const l of report.linked) io.out(`${clock()}  Installed local package ${l.name} from ${l.from}`);
  for (const p of report.present) io.out(`${clock()}  Found ${p.spec} in ${report.installPath}/${p.guess}`);
  for (const p of report.missing) {
    io.err(formatError(new MeshError('E_PACKAGE_MISSING', `the package ${p.spec} is not installed in ${report.installPath}/`, {
      location: { file: p.file, line: p.line },
      hint: `Download it with dbt deps (mesh deps installs local: packages only), or copy the package into ${report.installPath}/${p.guess}.`,
    })));
  }
  return report.missing.length ? 1 : 0;
}
