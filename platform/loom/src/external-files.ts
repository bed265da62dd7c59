import { cpSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { PublicationPlan } from './publication-plan';
import type { StagedVersion } from './publication-store';
import type { PublishedFiles } from './published-manifest';

export const FILES_DIR = 'files';

function listFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).sort().flatMap((name) => listFiles(join(path, name)));
}

/**
 * Copies the files of the public external models into `files/<model>/` of the version being published,
 * so the publication carries what the build wrote, as whole as its databases. Only the open
 * publication carries them, and only models published unmasked: the files hold every column in clear,
 * and grants are enforced on the databases.
 */
export function publishExternalFiles(staged: Pick<StagedVersion, 'path' | 'published'>, plan: PublicationPlan): PublishedFiles | undefined {
  const out: PublishedFiles = {};
  const root = staged.path('');
  for (const { node, relation } of plan.open?.models ?? []) {
    const spec = node.externalFiles;
    if (!spec || relation.masks?.length || relation.withheld?.length || !existsSync(spec.location)) continue;
    const folder = staged.path(`${FILES_DIR}/${node.alias}`);
    mkdirSync(folder, { recursive: true });
    const single = !statSync(spec.location).isDirectory();
    cpSync(spec.location, single ? join(folder, basename(spec.location)) : folder, { recursive: true });
    out[node.unique_id] = { format: spec.format, paths: listFiles(folder).map((f) => staged.published(relative(root, f).split('\\').join('/'))) };
  }
  return Object.keys(out).length ? out : undefined;
}
