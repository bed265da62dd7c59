import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
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

/** The folder itself when it is a project, else every project of the workspace holding it. */
export function projectsAt(dir: string): string[] {
  const root = resolve(dir);
  if (PROJECT_FILE_NAMES.some((f) => existsSync(join(root, f)))) return [root];
  return workspaceProjects(findWorkspaceRoot(root) ?? root);
}

export { projectNameOr } from '@mesh/pipeline';
