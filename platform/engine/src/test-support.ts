import type { ProjectFiles, SourceFile } from './load/load-project';
import { parseYamlFile, validateYaml } from '@mesh/validate';
import { projectFileSchema, propertiesFileSchema } from './load/schemas';
import { ParseCache } from './load/parse-cache';

/** Builds ProjectFiles in memory from a map of path -> text, so parser tests need no disk. */
export function projectFromFiles(files: Record<string, string>, root = '/virtual/project'): ProjectFiles {
  const projectText = files['mesh_project.yml'] ?? 'name: demo\n';
  const parsedProject = parseYamlFile('mesh_project.yml', projectText);
  const project = validateYaml(parsedProject, projectFileSchema, 'project file');
  const entries = Object.entries(files).filter(([p]) => p !== 'mesh_project.yml');
  const pick = (prefix: string, ext: string): SourceFile[] =>
    entries.filter(([p]) => p.startsWith(prefix) && p.endsWith(ext)).map(([path, text]) => ({ path, text }));
  return {
    root,
    projectFilePath: 'mesh_project.yml',
    project,
    projectLineOf: parsedProject.lineOf,
    models: pick('models/', '.sql'),
    properties: entries
      .filter(([p]) => (p.startsWith('models/') || p.startsWith('seeds/')) && p.endsWith('.yml'))
      .map(([path, text]) => {
        const parsed = parseYamlFile(path, text);
        return { path, text, data: validateYaml(parsed, propertiesFileSchema, 'properties file'), lineOf: parsed.lineOf };
      }),
    seeds: pick('seeds/', '.csv'),
    macros: pick('macros/', '.sql'),
    tests: pick('tests/', '.sql'),
    modelPaths: ['models'],
    dbtPackages: [],
    packages: [],
    seedPaths: ['seeds'],
    cache: ParseCache.open(undefined),
  };
}
