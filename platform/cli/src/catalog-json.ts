import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { manifestSchema, runResultsSchema } from '@mesh/artifacts';
import { buildCatalog, findProjectFile, projectFileSchema, resolveTarget, writeJsonAtomic } from '@mesh/engine';
import { workspaceProjects } from '@mesh/contracts';
import { parse as parseYaml } from 'yaml';
import type { Output } from './commands';
import { openTargetAdapter } from './commands';

/**
 * `mesh docs generate` writes every domain's target/catalog.json afresh from its database, as `dbt docs
 * generate` does: the relations its manifest names, with the database's column types and row counts.
 * The database is opened read-only; one a build is writing keeps its last catalog.json, with a note.
 */
export async function writeDomainCatalogs(workspace: string, io: Output): Promise<void> {
  for (const root of workspaceProjects(workspace)) {
    const target = join(root, 'target');
    const manifestPath = join(target, 'manifest.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = manifestSchema.safeParse(JSON.parse(readFileSync(manifestPath, 'utf8')));
    if (!manifest.success) continue; // the catalog step names a bad manifest with its remedy
    const runs = existsSync(join(target, 'run_results.json')) ? runResultsSchema.safeParse(JSON.parse(readFileSync(join(target, 'run_results.json'), 'utf8'))) : undefined;
    // dbt's manifest does not name its target; the run that built the database does (args.target).
    const targetName = runs?.success && typeof runs.data.args.target === 'string' ? runs.data.args.target : undefined;
    const project = projectFileSchema.parse(parseYaml(readFileSync(findProjectFile(root), 'utf8')));
    const resolved = resolveTarget(project, root, targetName);
    const name = manifest.data.metadata.project_name ?? project.name;
    if (resolved.type === 'duckdb' && !existsSync(resolved.path)) {
      io.err(`note: ${name}: no catalog.json, its database ${resolved.path} is not built`);
      continue;
    }
    let adapter;
    try {
      adapter = await openTargetAdapter(resolved, { readOnly: true });
    } catch (error) {
      io.err(`note: ${name}: catalog.json kept as it was: ${(error as Error).message.split('\n')[0]}`);
      continue;
    }
    try {
      writeJsonAtomic(join(target, 'catalog.json'), await buildCatalog(manifest.data, adapter, { invocationId: randomUUID(), startedAt: new Date() }));
    } finally {
      await adapter.close();
    }
  }
}
