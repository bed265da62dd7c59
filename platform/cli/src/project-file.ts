import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { findWorkspaceRoot, workspaceProjects } from '@mesh/contracts';
import { findProjectFile, PROJECT_FILE_NAMES, readProjectFile as readFile, type ProjectFile } from '@mesh/engine';
import { join } from 'node:path';

export interface ProjectAt {
  root: string;
  name: string;
  project: ProjectFile;
}

/** A project's file, validated, without parsing its models: enough to name it and find its database. */
export function readProjectFile(projectDir: string): ProjectAt {
  const root = resolve(projectDir);
  const file = findProjectFile(root);
  const { project } = readFile(file);
  return { root, name: project.name, project };
}

/** The project's name for history when its file cannot be read (a run that failed on it is still a run). */
export function projectNameOr(projectDir: string): string {
  try {
    return readProjectFile(projectDir).name;
  } catch {
    return basename(resolve(projectDir));
  }
}

/** The folder itself when it is a project, else every project of the workspace holding it. */
export function projectsAt(dir: string): string[] {
  const root = resolve(dir);
  if (PROJECT_FILE_NAMES.some((f) => existsSync(join(root, f)))) return [root];
  return workspaceProjects(findWorkspaceRoot(root) ?? root);
}
