import type { ProjectFiles, SourceFile } from './load/load-project';
import { parseYamlFile, validateYaml } from '@mesh/validate';
import { propertiesFileSchema } from './load/schemas';
import { parseProjectFile } from './load/project-file';
import { ParseCache } from './load/parse-cache';

/** Builds ProjectFiles in memory from a map of path -> text, so parser tests need no disk. */
export function projectFromFiles(files: Record<string, string>, root = '/virtual/project'): ProjectFiles {
  const projectFile = files['dbt_project.yml'] !== undefined ? 'dbt_project.yml' : 'mesh_project.yml';
  const read = parseProjectFile(projectFile, files[projectFile] ?? 'name: demo\n');
  const entries = Object.entries(files).filter(([p]) => p !== projectFile);
  const pick = (prefix: string, ext: string): SourceFile[] =>
    entries.filter(([p]) => p.startsWith(prefix) && p.endsWith(ext)).map(([path, text]) => ({ path, text }));
  return {
    root,
    projectFilePath: projectFile,
    project: read.project,
    projectLineOf: read.lineOf,
    dbt: read.dbt,
    warnings: read.warnings,
    flags: { failFast: false, warnError: false, partialParse: true },
    models: pick('models/', '.sql'),
    pythonModels: pick('models/', '.py'),
    properties: entries
      .filter(([p]) => (p.startsWith('models/') || p.startsWith('seeds/') || p.startsWith('snapshots/')) && p.endsWith('.yml'))
      .map(([path, text]) => {
        const parsed = parseYamlFile(path, text);
        return { path, text, data: validateYaml(parsed, propertiesFileSchema, 'properties file'), lineOf: parsed.lineOf };
      }),
    seeds: pick('seeds/', '.csv'),
    macros: pick('macros/', '.sql'),
    tests: pick('tests/', '.sql').filter((f) => !f.path.startsWith('tests/fixtures/')),
    snapshots: pick('snapshots/', '.sql'),
    fixtures: [...pick('tests/fixtures/', '.csv'), ...pick('tests/fixtures/', '.sql')],
    modelPaths: ['models'],
    snapshotPaths: ['snapshots'],
    dbtPackages: [],
    seedPaths: ['seeds'],
    cache: ParseCache.open(undefined),
  };
}
