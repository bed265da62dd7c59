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

/** Everything a project holds on disk, read once. Later stages never touch the file system for inputs. */
export interface ProjectFiles {
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
  models: SourceFile[];
  /** Python models (`.py` under the model paths): refused when enabled, as the engine cannot run them. */
  pythonModels: SourceFile[];
  properties: PropertiesSource[];
  seeds: SourceFile[];
  macros: SourceFile[];
  tests: SourceFile[];
  /** SQL files under snapshot-paths, which hold `{% snapshot %}` blocks. */
  snapshots: SourceFile[];
  /** Unit test fixture files (`<test-path>/fixtures/**.csv|.sql`), named by `fixture:` in a unit test. */
  fixtures: SourceFile[];
  modelPaths: string[];
  seedPaths: string[];
  snapshotPaths: string[];
  /** dbt packages a dbt project installs (packages.yml, dependencies.yml `packages:`), by name. */
  dbtPackages: Array<{ name: string; file: string; line?: number }>;
  /** Parsed YAML and compiled Jinja from earlier runs (target/partial_parse.json). */
  cache: ParseCache;
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

  const modelPaths = project['model-paths'] ?? project['source-paths'] ?? ['models'];
  const seedPaths = project['seed-paths'] ?? project['data-paths'] ?? ['seeds'];
  const macroPaths = project['macro-paths'] ?? ['macros'];
  const testPaths = project['test-paths'] ?? ['tests'];

  const read = (path: string): SourceFile => ({ path, text: readFileSync(join(root, path), 'utf8') });
  const collect = (dirs: string[]): string[] => {
    const out: string[] = [];
    for (const dir of dirs) listFiles(root, dir.replace(/\/+$/, ''), out);
    return out;
  };

  const snapshotPaths = project['snapshot-paths'] ?? ['snapshots'];
  const modelFiles = collect(modelPaths);
  const seedFiles = collect(seedPaths);
  const snapshotFiles = collect(snapshotPaths);
  // dbt reads generic test definitions ({% test %} blocks) from tests/generic/ as it reads macros, and
  // unit test fixtures from tests/fixtures/; neither holds singular tests.
  const allTestFiles = collect(testPaths);
  const under = (p: string, folder: string) => testPaths.some((t) => p.startsWith(`${t.replace(/\/+$/, '')}/${folder}/`));
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
    root,
    projectFilePath: projectRel,
    project,
    projectLineOf: read0.lineOf,
    dbt: read0.dbt,
    profile: read0.dbt ? findProfile(root, project.profile ?? project.name, { profilesDir: options.profilesDir, env: options.env }) : undefined,
    warnings: read0.warnings,
    flags,
    models: modelFiles.filter((p) => p.endsWith('.sql')).map(read),
    pythonModels: modelFiles.filter((p) => p.endsWith('.py')).map(read),
    properties,
    seeds: seedFiles.filter((p) => p.endsWith('.csv')).map((path) => ({ path, text: '', checksum: seedChecksum(join(root, path)) })),
    macros: [...collect(macroPaths).filter((p) => p.endsWith('.sql')), ...testFiles.filter(isGeneric)].map(read),
    tests: testFiles.filter((p) => !isGeneric(p)).map(read),
    snapshots: snapshotFiles.filter((p) => p.endsWith('.sql')).map(read),
    fixtures: allTestFiles.filter((p) => under(p, 'fixtures') && (p.endsWith('.csv') || p.endsWith('.sql'))).map(read),
    modelPaths,
    seedPaths,
    snapshotPaths,
    dbtPackages: readDbtPackages(root),
    cache,
  };
}

/** Package names from packages.yml and dependencies.yml (`packages:`), for a warning about what is not installed. */
function readDbtPackages(root: string): Array<{ name: string; file: string; line?: number }> {
  const out: Array<{ name: string; file: string; line?: number }> = [];
  for (const file of ['packages.yml', 'dependencies.yml']) {
    const path = join(root, file);
    if (!existsSync(path)) continue;
    const parsed = parseYamlFile(file, readFileSync(path, 'utf8'));
    const packages = (parsed.data as { packages?: unknown } | null)?.packages;
    if (!Array.isArray(packages)) continue;
    packages.forEach((entry, i) => {
      const e = (entry ?? {}) as Record<string, unknown>;
      const spec = String(e.package ?? e.git ?? e.local ?? e.tarball ?? e.name ?? '');
      // `dbt-labs/dbt_utils` -> dbt_utils; a git URL -> its repository name.
      const name = spec.replace(/\.git$/, '').split('/').pop()!.replace(/-/g, '_');
      if (name) out.push({ name, file, line: parsed.lineOf(['packages', i]) });
    });
  }
  return out;
}
