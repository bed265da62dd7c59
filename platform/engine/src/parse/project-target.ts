import { resolve } from 'node:path';
import { findProjectFile } from '../load/load-project';
import { findProfile } from '../load/profiles';
import { readProjectFile } from '../load/project-file';
import { JinjaEnvironment } from '../jinja/environment';
import { plainHooks } from './plain-hooks';
import { resolveTarget, type ResolvedTarget } from './target';

export interface ProjectTargetOptions {
  target?: string;
  profilesDir?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
}

/**
 * The target a project builds into, found as a build finds it (the project file's targets, a dbt
 * project's profiles.yml, or the default), without parsing its models: for commands that only open
 * its database.
 */
export function resolveProjectTarget(projectDir: string, options: ProjectTargetOptions = {}): ResolvedTarget {
  const root = resolve(projectDir);
  const read = readProjectFile(findProjectFile(root));
  const env = options.env ?? process.env;
  const profile = read.dbt ? findProfile(root, read.project.profile ?? read.project.name, { profilesDir: options.profilesDir, env }) : undefined;
  const jinja = new JinjaEnvironment();
  return resolveTarget(read.project, root, options.target, {
    profile,
    cwd: options.cwd,
    render: profile ? (text) => jinja.compile(profile.path, text).render(plainHooks(read.project.vars ?? {}, env)) : undefined,
  });
}
