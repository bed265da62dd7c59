import type { PackageFiles, ProjectFiles, SourceFile } from './load/load-project';
import { parseYamlFile, validateYaml } from '@mesh/validate';
import { packageProjectSchema, propertiesFileSchema } from './load/schemas';
import { parseProjectFile } from './load/project-file';
import { ParseCache } from './load/parse-cache';

/** Builds ProjectFiles in memory from a map of path -> text, so parser tests need no disk. */
export function projectFromFiles(files: Record<string, string>, root = '/virtual/project'): ProjectFiles {
  const projectFile = files['dbt_project.yml'] !== undefined ? 'dbt_project.yml' : 'mesh_project.yml';
  const read = parseProjectFile(projectFile, files[projectFile] ?? 'name: demo\n');
  const entries = Object.entries(files).filter(([p]) => p !== projectFile);
  const { pick, properties } = folderOf(entries, '');
  return {
    root,
    projectFilePath: projectFile,
    project: read.project,
    projectLineOf: read.lineOf,
    dbt: read.dbt,
    warnings: read.warnings,
    flags: { failFast: false, warnError: false, partialParse: true },
    models: pick('models', '.sql'),
    pythonModels: pick('models', '.py'),
    properties,
    seeds: pick('seeds', '.csv'),
    macros: pick('macros', '.sql'),
    tests: pick('tests', '.sql').filter((f) => !f.path.startsWith('tests/fixtures/')),
    snapshots: pick('snapshots', '.sql'),
    fixtures: [...pick('tests/fixtures', '.csv'), ...pick('tests/fixtures', '.sql')],
    modelPaths: ['models'],
    snapshotPaths: ['snapshots'],
    dbtPackages: [],
    packages: [],
    seedPaths: ['seeds'],
    cache: ParseCache.open(undefined),
  };
}

/** The files of one folder (`''` for the root project, `dbt_packages/<name>` for a package), by kind. */
function folderOf(entries: Array<[string, string]>, dir: string) {
  const at = (folder: string) => (dir ? `${dir}/${folder}/` : `${folder}/`);
  const pick = (folder: string, ext: string): SourceFile[] =>
    entries.filter(([p]) => p.startsWith(at(folder)) && p.endsWith(ext)).map(([path, text]) => ({ path, text }));
  const properties = entries
    .filter(([p]) => (p.startsWith(at('models')) || p.startsWith(at('seeds')) || p.startsWith(at('snapshots'))) && p.endsWith('.yml'))
    .map(([path, text]) => {
      const parsed = parseYamlFile(path, text);
      return { path, text, data: validateYaml(parsed, propertiesFileSchema, 'properties file'), lineOf: parsed.lineOf };
    });
  return { pick, properties };
}

/** An installed package in memory, as load-packages reads it from `dbt_packages/<name>/` (paths under that folder). */
export function packageFromFiles(name: string, files: Record<string, string>): PackageFiles {
  const dir = `dbt_packages/${name}`;
  const projectFile = `${dir}/dbt_project.yml`;
  const parsed = parseYamlFile(projectFile, files['dbt_project.yml'] ?? `name: ${name}\n`);
  const entries = Object.entries(files).filter(([p]) => p !== 'dbt_project.yml').map(([p, text]): [string, string] => [`${dir}/${p}`, text]);
  const { pick, properties } = folderOf(entries, dir);
  return {
    name, dir, projectFile, project: validateYaml(parsed, packageProjectSchema, 'package project file'), projectLineOf: parsed.lineOf,
    models: pick('models', '.sql'), pythonModels: pick('models', '.py'), properties, seeds: pick('seeds', '.csv'),
    macros: pick('macros', '.sql'), tests: pick('tests', '.sql'),
    modelPaths: [`${dir}/models`], seedPaths: [`${dir}/seeds`], testPaths: [`${dir}/tests`],
  };
}
