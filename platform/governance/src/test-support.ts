import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { compileProject, type CompiledProject, type ModelNode, type UpstreamProject } from '@mesh/engine';

/**
 * Projects for the policy tests: written to a temp repository and compiled by the real engine (no
 * database is opened), so findings are checked against exactly what a user's compile produces.
 */

export interface TempProject {
  repoRoot: string;
  /** The project folder, `domains/<name>` under repoRoot. */
  root: string;
  project: CompiledProject;
}

export async function compileFiles(files: Record<string, string>, options: { upstreams?: UpstreamProject[] } = {}): Promise<TempProject> {
  const repoRoot = mkdtempSync(join(tmpdir(), 'mesh-governance-'));
  const all = { 'mesh_project.yml': 'name: shop\n', ...files };
  const name = /^name:\s*(\S+)/m.exec(all['mesh_project.yml'])?.[1] ?? 'shop';
  const root = join(repoRoot, 'domains', name);
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return { repoRoot, root, project: await compileAt(root, options.upstreams) };
}

export function compileAt(root: string, upstreams: UpstreamProject[] = []): Promise<CompiledProject> {
  return compileProject({ projectDir: root, upstreams, partialParse: false, writeCompiledFiles: false });
}

/** A compiled project's public models as another project sees them, as the loom would publish them. */
export function asUpstream(project: CompiledProject, version?: string): UpstreamProject {
  const nodes = project.parsed.nodes.filter((n): n is ModelNode => n.resource_type === 'model' && n.config.access === 'public');
  return { name: project.parsed.name, version, nodes: nodes.map((n) => ({ ...n, external: true, database: project.parsed.name })) };
}

/** Copies of domain folders under `domains/` of a temp repository, without build output. */
export function copyDomainsTo(sourceRoot: string, names: readonly string[]): string {
  const repoRoot = mkdtempSync(join(tmpdir(), 'mesh-governance-domains-'));
  for (const name of names) {
    cpSync(join(sourceRoot, 'domains', name), join(repoRoot, 'domains', name), {
      recursive: true,
      filter: (src) => !/\/(node_modules|target|\.mesh)(\/|$)/.test(src),
    });
  }
  return repoRoot;
}

export function packageVersion(root: string): string | undefined {
  return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string }).version;
}
