import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join } from 'node:path';
import { meshWithEnv, publicationFactsOf, type CliResult } from '@mesh/testing';
import { compareDatabases, formatComparison, type CompareOptions, type DatabaseComparison } from './compare';
import { dbt, readDbtProject, type DbtOptions } from './dbt';
import type { ToolResult } from './venv';

/** What one tool did with the project: its exit, and each node's status from its run_results.json. */
export interface SideResult {
  dir: string;
  database: string;
  run: ToolResult | CliResult;
  /** unique_id -> status (`success`, `pass`, `fail`, `warn`, `error`, `skipped`). */
  statuses: Map<string, string>;
  /** unique_ids of the nodes in manifest.json, by resource type (model, seed, test, snapshot, unit_test...). */
  nodes: Map<string, string>;
}

export interface Differential {
  dbt: SideResult;
  mesh: SideResult;
  relations: DatabaseComparison;
  /** Node ids one side has and the other not (manifest nodes of the resource types compared). */
  nodesOnlyDbt: string[];
  nodesOnlyMesh: string[];
  /** Nodes whose status differs: `id: dbt=<status> mesh=<status>`. */
  statusDifferences: string[];
  /** The upstream projects each side built first, with how each side's build of them exited. */
  upstreams: Array<{ dir: string; dbt: ToolResult; mesh: CliResult }>;
  /** Everything above as one text, for a failing test. */
  report(): string;
}

export interface DifferentialOptions {
  /** The command both run (default `build`); extra arguments go to both. */
  command?: string[];
  /** Steps both run before the command, in their own copies (`['seed']`, `['run', '-s', 'x']`...). */
  before?: string[][];
  dbt?: DbtOptions;
  /** Environment for the mesh binary. */
  meshEnv?: Record<string, string>;
  compare?: CompareOptions;
  /** Resource types whose node sets are compared (default: model, seed, test, snapshot, unit_test). */
  resourceTypes?: string[];
  /** Copies the project is made in (default: two new temp folders); a test that edits between runs passes its own. */
  dirs?: { dbt: string; mesh: string };
  /**
   * For a fixture that holds several projects (a mesh of dbt-loom projects side by side): the project
   * judged, as a folder of the fixture. The whole fixture is copied for each side, so relative paths
   * between the projects hold.
   */
  project?: string;
  /**
   * Projects each side builds first, in order, with its own tool (`dbt build` on dbt's side, `mesh
   * build` on the mesh's), as folders of the fixture: the upstreams of a dbt-loom consumer.
   */
  upstreams?: Array<string | { dir: string; command?: string[]; dbt?: DbtOptions }>;
  /**
   * dbt packages put in `dbt_packages/<name>` of both copies of each project that declares them (in
   * packages.yml or dependencies.yml), as `dbt deps` would install them: package name to its folder
   * (absolute, or relative to the fixture).
   */
  packages?: Record<string, string>;
}

const DEFAULT_TYPES = ['model', 'seed', 'test', 'snapshot', 'unit_test'];

function readJson(path: string): unknown {
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
}

function statuses(dir: string, targetPath: string): Map<string, string> {
  const results = readJson(join(dir, targetPath, 'run_results.json')) as { results?: Array<{ unique_id: string; status: string }> } | undefined;
  return new Map((results?.results ?? []).map((r) => [r.unique_id, r.status]));
}

function nodes(dir: string, targetPath: string, types: string[]): Map<string, string> {
  const manifest = readJson(join(dir, targetPath, 'manifest.json')) as { nodes?: Record<string, { resource_type: string }>; unit_tests?: Record<string, unknown> } | undefined;
  const out = new Map<string, string>();
  for (const [id, node] of Object.entries(manifest?.nodes ?? {})) if (types.includes(node.resource_type)) out.set(id, node.resource_type);
  if (types.includes('unit_test')) for (const id of Object.keys(manifest?.unit_tests ?? {})) out.set(id, 'unit_test');
  return out;
}

/** Whether a project's packages.yml or dependencies.yml lists the package (`dbt-labs/dbt_utils` lists dbt_utils). */
function declaresPackage(projectDir: string, name: string): boolean {
  return ['packages.yml', 'dependencies.yml'].some((file) => {
    const path = join(projectDir, file);
    return existsSync(path) && new RegExp(`package:\\s*['"]?([\\w.-]+/)?${name}['"]?\\s*$`, 'm').test(readFileSync(path, 'utf8'));
  });
}

function resolvedPaths(paths: Record<string, string> | undefined, base: string): Record<string, string> | undefined {
  return paths && Object.fromEntries(Object.entries(paths).map(([name, path]) => [name, resolvedPath(path, base)]));
}

const PUBLICATION = 'publication:';

/**
 * `publication:<project folder>` names the database the project's current publication offers everyone:
 * each publication is a new version folder, so its path is only known from the manifest made current.
 */
function resolvedPath(path: string, base: string): string {
  if (!path.startsWith(PUBLICATION)) return isAbsolute(path) ? path : join(base, path);
  const published = join(resolvedPath(path.slice(PUBLICATION.length), base), 'target', 'published');
  const manifestFile = join(published, 'manifest.json');
  if (!existsSync(manifestFile)) throw new Error(`${path}: ${manifestFile} does not exist; the project has published nothing`);
  const file = publicationFactsOf(JSON.parse(readFileSync(manifestFile, 'utf8'))).database?.file;
  if (!file) throw new Error(`${path}: ${manifestFile} names no database file for everyone (a publication with grants, or on a server)`);
  return join(published, file);
}

/** A fresh copy of a fixture project for one side, without any earlier build's output. */
export function copyProject(source: string, label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `oracle-${label}-${basename(source)}-`));
  cpSync(source, dir, { recursive: true, filter: (src) => !/\/(target|logs|\.oracle|\.mesh)(\/|$)/.test(src) });
  return dir;
}

/**
 * Builds the same dbt project with dbt-core + dbt-duckdb and with the mesh engine, each in its own copy,
 * then compares every relation of the two DuckDB files row for row, the node sets of the two manifests
 * and the status of every node in the two run_results.json.
 */
export async function differential(fixtureDir: string, options: DifferentialOptions = {}): Promise<Differential> {
  const command = options.command ?? ['build'];
  const inside = options.project ?? '.';
  const project = readDbtProject(join(fixtureDir, inside));
  const targetPath = project['target-path'] ?? 'target';
  const types = options.resourceTypes ?? DEFAULT_TYPES;
  const copies = options.dirs ?? { dbt: copyProject(fixtureDir, 'dbt'), mesh: copyProject(fixtureDir, 'mesh') };
  const dirs = { dbt: join(copies.dbt, inside), mesh: join(copies.mesh, inside) };
  const projects = [inside, ...(options.upstreams ?? []).map((u) => (typeof u === 'string' ? u : u.dir))];
  for (const [name, folder] of Object.entries(options.packages ?? {})) {
    const source = isAbsolute(folder) ? folder : join(fixtureDir, folder);
    for (const project of projects.filter((p) => declaresPackage(join(fixtureDir, p), name))) {
      for (const copy of [copies.dbt, copies.mesh]) cpSync(source, join(copy, project, 'dbt_packages', name), { recursive: true });
    }
  }
  const database = join(targetPath, `${project.name}.duckdb`);

  const upstreamRuns: Array<{ dir: string; dbt: ToolResult; mesh: CliResult }> = [];
  // Nodes of an upstream project are that project's: dbt-loom injects them all, the mesh the ones refd.
  const upstreamProjects = new Set<string>();
  for (const upstream of options.upstreams ?? []) {
    const { dir, command: upstreamCommand = ['build'], dbt: upstreamDbt } = typeof upstream === 'string' ? { dir: upstream } : upstream;
    upstreamProjects.add(readDbtProject(join(fixtureDir, dir)).name);
    upstreamRuns.push({
      dir,
      dbt: dbt(join(copies.dbt, dir), upstreamCommand, upstreamDbt),
      mesh: meshWithEnv(join(copies.mesh, dir), options.meshEnv ?? {}, ...upstreamCommand),
    });
  }

  for (const step of options.before ?? []) {
    dbt(dirs.dbt, step, options.dbt);
    meshWithEnv(dirs.mesh, options.meshEnv ?? {}, ...step);
  }
  const dbtRun = dbt(dirs.dbt, command, options.dbt);
  const meshRun = meshWithEnv(dirs.mesh, options.meshEnv ?? {}, ...command);
  const side = (dir: string, run: ToolResult | CliResult): SideResult => ({
    dir,
    database: join(dir, database),
    run,
    statuses: statuses(dir, targetPath),
    nodes: new Map([...nodes(dir, targetPath, types)].filter(([id]) => !upstreamProjects.has(id.split('.')[1]!))),
  });
  const dbtSide = side(dirs.dbt, dbtRun);
  const meshSide = side(dirs.mesh, meshRun);
  const relations = existsSync(dbtSide.database) && existsSync(meshSide.database)
    ? await compareDatabases(dbtSide.database, meshSide.database, {
        ...options.compare,
        searchPath: { left: dirs.dbt, right: dirs.mesh, ...options.compare?.searchPath },
        // Databases a side's views read, given relative to its project (an upstream's file), resolved per side.
        attach: {
          left: resolvedPaths(options.compare?.attach?.left, dirs.dbt),
          right: resolvedPaths(options.compare?.attach?.right, dirs.mesh),
        },
      })
    : { compared: [], onlyLeft: [], onlyRight: [], differences: [], equal: false };
  const nodesOnlyDbt = [...dbtSide.nodes.keys()].filter((id) => !meshSide.nodes.has(id)).sort();
  const nodesOnlyMesh = [...meshSide.nodes.keys()].filter((id) => !dbtSide.nodes.has(id)).sort();
  const statusDifferences: string[] = [];
  for (const id of new Set([...dbtSide.statuses.keys(), ...meshSide.statuses.keys()])) {
    const a = dbtSide.statuses.get(id);
    const b = meshSide.statuses.get(id);
    if (a !== b) statusDifferences.push(`${id}: dbt=${a ?? 'absent'} mesh=${b ?? 'absent'}`);
  }
  statusDifferences.sort();
  return {
    dbt: dbtSide,
    mesh: meshSide,
    relations,
    nodesOnlyDbt,
    nodesOnlyMesh,
    statusDifferences,
    upstreams: upstreamRuns,
    report() {
      const parts = [
        ...upstreamRuns.map((u) => `upstream ${u.dir}: dbt exit ${u.dbt.code}, mesh exit ${u.mesh.code}${u.dbt.code ? `\n--- dbt output (${u.dir}) ---\n${u.dbt.stdout.slice(-3000)}` : ''}${u.mesh.code ? `\n--- mesh output (${u.dir}) ---\n${u.mesh.output.slice(-3000)}` : ''}`),
        `dbt exit ${dbtRun.code}, mesh exit ${meshRun.code}`,
        nodesOnlyDbt.length ? `nodes only dbt has: ${nodesOnlyDbt.join(', ')}` : '',
        nodesOnlyMesh.length ? `nodes only mesh has: ${nodesOnlyMesh.join(', ')}` : '',
        statusDifferences.length ? `statuses:\n  ${statusDifferences.join('\n  ')}` : '',
        `relations: ${formatComparison(relations, ['dbt', 'mesh'])}`,
      ];
      if (dbtRun.code !== 0) parts.push(`--- dbt output ---\n${dbtRun.stdout.slice(-4000)}`);
      if (meshRun.code !== 0) parts.push(`--- mesh output ---\n${meshRun.output.slice(-4000)}`);
      return parts.filter(Boolean).join('\n');
    },
  };
}
