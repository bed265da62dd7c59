import { readdirSync, readFileSync, existsSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { createHash } from 'node:crypto';
import { MeshError } from '@mesh/errors';
import { parseYamlFile, validateYaml, yamlLineOf } from '@mesh/validate';
import { propertiesFileSchema, type ProjectFile, type PropertiesFile } from './schemas';
import { parseProjectFile } from './project-file';
import { findProfile, type ProfileFile } from './profiles';
import { projectFlags, type BuildFlags } from './project-flags';
import { ParseCache } from './parse-cache';
import { loadInstalledPackages, readPackageSpecs, type InstalledPackage, type PackageSpec } from './load-packages';

export const PROJECT_FILE_NAMES = ['mesh_project.yml', 'dbt_project.yml'] as const;

export interface SourceFile {
  /** Relative to the project root, forward slashes. */
  path: string;
  text: string;
  /** For files whose text is not kept (seeds): a checksum of their content. */
  checksum?: string;
}

/**
 * Seeds are read by DuckDB, not here; their checksum is of the content up to 1 MiB and of size and
 * modification time above that, as dbt does for large seeds.
 */
function seedChecksum(path: string): string {
  const stat = statSync(path);
  if (stat.size > 1024 * 1024) return `size:${stat.size}:mtime:${Math.trunc(stat.mtimeMs)}`;
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

export interface PropertiesSource extends SourceFile {
  data: PropertiesFile;
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

/** The files of one dbt project folder: the root project, or a package inside it. */
export interface FolderFiles {
  models: SourceFile[];
  /** Python models (`.py` under the model paths): refused when enabled, as the engine cannot run them. */
  pythonModels: SourceFile[];
  properties: PropertiesSource[];
  seeds: SourceFile[];
  macros: SourceFile[];
  tests: SourceFile[];
  modelPaths: string[];
  seedPaths: string[];
}

/** Everything a project holds on disk, read once. Later stages never touch the file system for inputs. */
export interface ProjectFiles extends FolderFiles {
  root: string;
  projectFilePath: string;
  project: ProjectFile;
  projectLineOf(path: readonly PropertyKey[]): number | undefined;
  /** A `dbt_project.yml`: the project follows dbt's rules (relation names, profiles, paths from the working folder). */
  dbt: boolean;
  /** The dbt project's profiles.yml, when one is found. */
  profile?: ProfileFile;
  /** What loading found worth saying (keys of the project file that are ignored). */
  warnings: MeshError[];
  /** dbt's `flags:` that change what a build does. */
  flags: BuildFlags;
  /** dbt packages a dbt project declares (packages.yml, dependencies.yml `packages:`). */
  dbtPackages: PackageSpec[];
  /** The packages installed under the install path (or `local:`), each read as a project of its own. */
  packages: PackageFiles[];
  /** SQL files under snapshot-paths, which hold `{% snapshot %}` blocks. */
  snapshots: SourceFile[];
  /** Unit test fixture files (`<test-path>/fixtures/**.csv|.sql`), named by `fixture:` in a unit test. */
  fixtures: SourceFile[];
  snapshotPaths: string[];
  /** Parsed YAML and compiled Jinja from earlier runs (target/partial_parse.json). */
  cache: ParseCache;
}

/** An installed package's files; paths are relative to the root project, as every other path. */
export interface PackageFiles extends InstalledPackage, FolderFiles {
  testPaths: string[];
}

export interface LoadOptions {
  /** Use and update the partial-parse cache in the target folder (default true). */
  cache?: boolean;
  /** `--profiles-dir`: where a dbt project's profiles.yml is. */
  profilesDir?: string;
  env?: Record<string, string | undefined>;
}

function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

function listFiles(root: string, dir: string, out: string[]): void {
  const abs = join(root, dir);
  if (!existsSync(abs)) return;
  const entries = readdirSync(abs, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) listFiles(root, rel, out);
    else if (entry.isFile()) out.push(rel);
  }
}

export function findProjectFile(root: string): string {
  for (const name of PROJECT_FILE_NAMES) {
    const candidate = join(root, name);
    if (existsSync(candidate)) return candidate;
  }
  throw new MeshError('E_PROJECT_NOT_FOUND', `no project file in ${root}`, {
    hint: `Run mesh in a project folder (one with ${PROJECT_FILE_NAMES.join(' or ')}), or pass --project-dir.`,
  });
}

export function loadProject(projectDir: string, options: LoadOptions = {}): ProjectFiles {
  const root = resolve(projectDir);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new MeshError('E_PROJECT_NOT_FOUND', `project folder ${projectDir} does not exist`, {
      hint: 'Pass --project-dir pointing at a project folder.',
    });
  }
  const projectFilePath = findProjectFile(root);
  const projectRel = toPosix(relative(root, projectFilePath));
  const read0 = parseProjectFile(projectRel, readFileSync(projectFilePath, 'utf8'));
  const project = read0.project;
  const flags = projectFlags(project.flags, { file: projectRel, lineOf: read0.lineOf }, read0.warnings);
  const cache = ParseCache.open(options.cache === false || !flags.partialParse ? undefined : join(root, project['target-path'] ?? 'target'));

  const unit = collectUnit(root, '', project, cache);
  const specs = readPackageSpecs(root);
  const installPath = project['packages-install-path'] ?? 'dbt_packages';
  const packages: PackageFiles[] = loadInstalledPackages(root, installPath, specs, project.name).map((pkg) => {
    const { snapshots: _snapshots, fixtures: _fixtures, snapshotPaths: _snapshotPaths, ...files } = collectUnit(root, pkg.dir, pkg.project, cache);
    return { ...pkg, ...files };
  });

  return {
    root,
    projectFilePath: projectRel,
    project,
    projectLineOf: read0.lineOf,
    dbt: read0.dbt,
    profile: read0.dbt ? findProfile(root, project.profile ?? project.name, { profilesDir: options.profilesDir, env: options.env }) : undefined,
    warnings: read0.warnings,
    flags,
    models: unit.models,
    pythonModels: unit.pythonModels,
    properties: unit.properties,
    seeds: unit.seeds,
    macros: unit.macros,
    tests: unit.tests,
    snapshots: unit.snapshots,
    fixtures: unit.fixtures,
    modelPaths: unit.modelPaths,
    seedPaths: unit.seedPaths,
    snapshotPaths: unit.snapshotPaths,
    dbtPackages: specs,
    packages,
    cache,
  };
}

function collectFiles(root: string, paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) listFiles(root, p, out);
  return out;
}

/** The folders a project file names, with dbt's older names (`source-paths`, `data-paths`) as fallbacks. */
interface FolderPaths {
  'model-paths'?: string[];
  'source-paths'?: string[];
  'seed-paths'?: string[];
  'data-paths'?: string[];
  'macro-paths'?: string[];
  'test-paths'?: string[];
  'snapshot-paths'?: string[];
}

/**
 * The files of one dbt project folder (the root project, or a package inside it): models, properties YAML,
 * seeds, macros (with tests/generic/), singular tests. Paths are relative to the root project.
 */
function collectUnit(root: string, dir: string, project: FolderPaths, cache: ParseCache): FolderFiles & { testPaths: string[]; snapshots: SourceFile[]; fixtures: SourceFile[]; snapshotPaths: string[] } {
  const prefix = (p: string) => (dir ? `${dir}/${p.replace(/\/+$/, '')}` : p.replace(/\/+$/, ''));
  const modelPaths = (project['model-paths'] ?? project['source-paths'] ?? ['models']).map(prefix);
  const seedPaths = (project['seed-paths'] ?? project['data-paths'] ?? ['seeds']).map(prefix);
  const macroPaths = (project['macro-paths'] ?? ['macros']).map(prefix);
  const testPaths = (project['test-paths'] ?? ['tests']).map(prefix);
  const snapshotPaths = (project['snapshot-paths'] ?? ['snapshots']).map(prefix);

  const read = (path: string): SourceFile => ({ path, text: readFileSync(join(root, path), 'utf8') });
  const modelFiles = collectFiles(root, modelPaths);
  const seedFiles = collectFiles(root, seedPaths);
  const snapshotFiles = collectFiles(root, snapshotPaths);
  // dbt reads generic test definitions ({% test %} blocks) from tests/generic/ as it reads macros, and
  // unit test fixtures from tests/fixtures/; neither holds singular tests.
  const allTestFiles = collectFiles(root, testPaths);
  const under = (p: string, folder: string) => testPaths.some((t) => p.startsWith(`${t}/${folder}/`));
  const testFiles = allTestFiles.filter((p) => p.endsWith('.sql') && !under(p, 'fixtures'));
  const isGeneric = (p: string) => under(p, 'generic');
  const isYaml = (p: string) => p.endsWith('.yml') || p.endsWith('.yaml');

  const properties: PropertiesSource[] = [];
  for (const path of [...modelFiles, ...seedFiles, ...snapshotFiles].filter(isYaml)) {
    const file = read(path);
    // The cache keeps the validated document, so an unchanged file skips the schema check as well as the parse.
    const data = cache.yaml(file.text, () => validateYaml(parseYamlFile(path, file.text), propertiesFileSchema, 'properties file')) as PropertiesFile;
    properties.push({ ...file, data, lineOf: yamlLineOf(path, file.text) });
  }
  return {
    models: modelFiles.filter((p) => p.endsWith('.sql')).map(read),
    pythonModels: modelFiles.filter((p) => p.endsWith('.py')).map(read),
    properties,
    seeds: seedFiles.filter((p) => p.endsWith('.csv')).map((path) => ({ path, text: '', checksum: seedChecksum(join(root, path)) })),
    macros: [...collectFiles(root, macroPaths).filter((p) => p.endsWith('.sql')), ...testFiles.filter(isGeneric)].map(read),
    tests: testFiles.filter((p) => !isGeneric(p)).map(read),
    snapshots: snapshotFiles.filter((p) => p.endsWith('.sql')).map(read),
    fixtures: allTestFiles.filter((p) => under(p, 'fixtures') && (p.endsWith('.csv') || p.endsWith('.sql'))).map(read),
    modelPaths,
    seedPaths,
    snapshotPaths,
    testPaths,
  };
}
