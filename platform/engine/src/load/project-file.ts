import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { MeshError } from '@mesh/errors';
import { didYouMean, parseYamlFile, validateYaml, knownKeysAt, type ParsedYaml } from '@mesh/validate';
import { projectFileSchema, type ProjectFile } from './schemas';

export interface ProjectFileRead {
  project: ProjectFile;
  lineOf: ParsedYaml['lineOf'];
  /** Keys of a dbt_project.yml that neither dbt nor the engine knows, left out with a warning each. */
  warnings: MeshError[];
  /** True for `dbt_project.yml`: the project follows dbt's rules (naming, profiles, unknown keys). */
  dbt: boolean;
}

/**
 * Reads and validates a project file. A `mesh_project.yml` is strict: an unknown key is an error at its
 * line. A `dbt_project.yml` may carry keys of other dbt versions: those warn and are left out, so a
 * project dbt builds is not refused over a key the engine has no use for.
 */
export function parseProjectFile(file: string, text: string): ProjectFileRead {
  const dbt = basename(file) === 'dbt_project.yml';
  const parsed = parseYamlFile(file, text);
  const warnings: MeshError[] = [];
  const project = validateYaml(parsed, projectFileSchema, 'project file', dbt
    ? {
        onUnknownKey: ({ path, key, line }) => {
          const where = [...path, key].join('.');
          const guess = didYouMean(key, knownKeysAt(projectFileSchema, path));
          warnings.push(new MeshError('W_PROJECT_KEY_UNKNOWN', `${where} is not a dbt_project.yml key the engine knows; it is ignored`, {
            location: { file, line },
            hint: guess ? `Did you mean '${guess}'?` : 'Remove it, or check the spelling against dbt\'s dbt_project.yml reference.',
          }));
        },
      }
    : {});
  return { project, lineOf: parsed.lineOf, warnings, dbt };
}

/** The project file at a path, read and validated (see parseProjectFile). */
export function readProjectFile(path: string, display = path): ProjectFileRead {
  return parseProjectFile(display, readFileSync(path, 'utf8'));
}
