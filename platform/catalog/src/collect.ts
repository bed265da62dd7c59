import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { findWorkspaceRoot, workspaceProjects } from '@mesh/contracts';
import { findProjectFile, readProjectFile } from '@mesh/engine';
import { MeshError } from '@mesh/errors';
import { loadDataProduct, type DataProduct } from '@mesh/governance';
import { publishedManifestSchema, type PublishedManifest } from '@mesh/loom';
import { catalogFileSchema, manifestFileSchema, readArtifact, readOptionalArtifact, runResultsFileSchema, type ManifestFile, type RunResultsFile } from './artifacts';
import { factsFromCatalog, type DatabaseFacts } from './database-facts';
import { readDomainHistory, type DomainHistory } from './history';

/** Everything one domain's folder says about it after a build, read as it is. */
export interface CollectedDomain {
  name: string;
  root: string;
  packageName: string | null;
  packageVersion: string | null;
  /** The project file's description. */
  description: string;
  manifest: ManifestFile;
  runResults: RunResultsFile | undefined;
  published: PublishedManifest | undefined;
  product: DataProduct | undefined;
  releasedContracts: string[];
  database: DatabaseFacts | undefined;
  /** SLO measurements and test results of past runs, from the metadata database. */
  history: DomainHistory | undefined;
}

export interface CollectedMesh {
  workspace: string;
  domains: CollectedDomain[];
  /** What is missing but does not stop the catalog (an unbuilt database, a locked file). */
  notes: string[];
}

const REMAKE = '`mesh compile` (or `mesh build`) in the domain folder';

/** The workspace holding `from`: the folder with `.changeset/`, else `from` itself when it holds mesh projects. */
export function meshRoot(from: string): string {
  const root = findWorkspaceRoot(from) ?? from;
  if (!workspaceProjects(root).length) {
    throw new MeshError('E_CATALOG_NO_PROJECTS', `no mesh projects were found under ${root}`, {
      hint: 'Run the command inside a mesh workspace (a folder with .changeset/ whose domains have a mesh_project.yml), or pass --workspace <dir>.',
    });
  }
  return root;
}

function readPackage(root: string): { name: string | null; version: string | null } {
  const path = join(root, 'package.json');
  if (!existsSync(path)) return { name: null, version: null };
  const pkg = JSON.parse(readFileSync(path, 'utf8')) as { name?: unknown; version?: unknown };
  return { name: typeof pkg.name === 'string' ? pkg.name : null, version: typeof pkg.version === 'string' ? pkg.version : null };
}

/** The project file's description. */
function projectDescription(root: string): string {
  // The build that wrote the manifest validated this file; a file edited since then is its next build's error.
  try {
    return readProjectFile(findProjectFile(root)).project.description ?? '';
  } catch {
    return '';
  }
}

function releasedContracts(root: string): string[] {
  const dir = join(root, 'contracts');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.odcs.yaml'))
    .map((f) => f.slice(0, -'.odcs.yaml'.length))
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/** Reads one domain's artifacts; its manifest is required, everything else is shown when present. */
export async function collectDomain(root: string, workspace: string, notes: string[]): Promise<CollectedDomain> {
  const target = join(root, 'target');
  const manifestPath = join(target, 'manifest.json');
  const shown = relative(workspace, root) || root;
  if (!existsSync(manifestPath)) {
    throw new MeshError('E_CATALOG_NOT_BUILT', `${shown} has no target/manifest.json`, {
      location: { file: join(shown, 'target', 'manifest.json') },
      hint: `Build the domain first: ${REMAKE}, or \`pnpm exec nx run-many -t build\` for the whole mesh.`,
    });
  }
  const manifest = readArtifact(manifestPath, manifestFileSchema, 'manifest', REMAKE, workspace);
  const runResults = readOptionalArtifact(join(target, 'run_results.json'), runResultsFileSchema, 'run results file', '`mesh build`', workspace);
  const published = readOptionalArtifact(join(target, 'published', 'manifest.json'), publishedManifestSchema, 'published manifest', '`mesh build`', workspace);
  const pkg = readPackage(root);
  const name = manifest.metadata.project_name ?? basename(root);
  const catalog = readOptionalArtifact(join(target, 'catalog.json'), catalogFileSchema, 'catalog', '`mesh build` or `mesh docs generate`', workspace);
  const database: DatabaseFacts | undefined = catalog ? factsFromCatalog(catalog) : undefined;
  if (!catalog) notes.push(`${name}: no row counts or built columns: target/catalog.json is missing (mesh build or mesh docs generate writes it)`);
  const history = await readDomainHistory(root, name);
  if (history.problem) notes.push(`${name}: no SLO or test history: ${history.problem}`);
  return {
    name,
    root,
    packageName: pkg.name,
    packageVersion: pkg.version,
    description: projectDescription(root),
    manifest,
    runResults,
    published,
    product: loadDataProduct(root),
    releasedContracts: releasedContracts(root),
    database,
    history: history.history,
  };
}

/** Every mesh project of the workspace, in name order. */
export async function collectMesh(workspace: string): Promise<CollectedMesh> {
  const notes: string[] = [];
  const domains: CollectedDomain[] = [];
  for (const root of workspaceProjects(workspace)) domains.push(await collectDomain(root, workspace, notes));
  return { workspace, domains, notes };
}
