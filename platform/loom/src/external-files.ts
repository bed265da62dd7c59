import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import type { PublicationPlan } from './publication-plan';
import type { PublishedFiles } from './published-manifest';

export const FILES_DIR = 'files';

function listFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).sort().flatMap((name) => listFiles(join(path, name)));
}

/**
 * Copies the files of the public external models into `files/<model>/` of the publication, so the
 * published folder carries what the build wrote. Only the open publication carries them, and only
 * models published unmasked: the files hold every column in clear, and grants are enforced on the
 * databases. Each model's folder is written beside its place and renamed in.
 */
export function publishExternalFiles(directory: string, plan: PublicationPlan): PublishedFiles | undefined {
  const out: PublishedFiles = {};
  const keep = new Set<string>();
  for (const { node, relation } of plan.open?.models ?? []) {
    const spec = node.externalFiles;
    if (!spec || relation.masks?.length || relation.withheld?.length || !existsSync(spec.location)) continue;
    const folder = join(directory, FILES_DIR, node.alias);
    const staged = `${folder}.${process.pid}.tmp`;
    rmSync(staged, { recursive: true, force: true });
    mkdirSync(staged, { recursive: true });
    const single = !statSync(spec.location).isDirectory();
    cpSync(spec.location, single ? join(staged, basename(spec.location)) : staged, { recursive: true });
    rmSync(folder, { recursive: true, force: true });
    renameSync(staged, folder);
    keep.add(node.alias);
    out[node.unique_id] = { format: spec.format, paths: listFiles(folder).map((f) => relative(directory, f).split('\\').join('/')) };
  }
  // Files of models no longer external, public or published in clear are not left behind.
  const root = join(directory, FILES_DIR);
  if (existsSync(root)) for (const name of readdirSync(root)) if (!keep.has(name)) rmSync(join(root, name), { recursive: true, force: true });
  return Object.keys(out).length ? out : undefined;
}
