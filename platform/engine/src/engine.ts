import { randomUUID } from 'node:crypto';
import { isAbsolute, join } from 'node:path';
import { MeshError } from '@mesh/errors';
import { Relation } from './parse/relation';
import { buildManifest, runGraphOf, type Manifest } from './artifacts/manifest';
import { buildRunResults } from './artifacts/run-results';
import { buildCatalog } from './artifacts/catalog';
import { buildSources } from './artifacts/sources';
import { freshnessSources, maxLoadedAtSql, measureFreshness, type FreshnessEvents, type FreshnessResult } from './execute/freshness';
import type { SourceNode } from './types';
import { writeCompiledFiles } from './artifacts/compiled-files';
import { writeJsonAtomic } from './artifacts/write-json';
import { Compiler, type CompiledNode } from './compile/compile';
import { relationKey, type Adapter, type RelationKind, type StagedFile } from './execute/adapter';
import { stagedSourceRelation } from './compile/relations';
import type { NodeResult } from './execute/results';
import { refuseUncapable } from './execute/capabilities';
import { isModelLike, type ModelNode } from './types';
import { Runner, type RunCommand, type RunEvents } from './execute/runner';
import { BuildState, fileFingerprint, NodeStates, type ExternalState } from './execute/build-state';
import { buildDag, topoSort, type Dag } from './graph/dag';
import { resolveRefs, type Resolution, type UpstreamProject } from './graph/resolve-refs';
import { selectNodes, unmatchedSelectors } from './graph/select';
import { loadProject } from './load/load-project';
import { parseProject, type HookSql, type ParsedProject } from './parse/parse-project';
import type { ResolvedTarget } from './parse/target';
import { openAdapter, targetIdentity } from './engines/registry';
import type { MacroDialect } from './jinja/macro-api';
import { RunTimeRenderer } from './execute/run-time-render';

export interface ProjectOptions {
  projectDir: string;
  target?: string;
  vars?: Record<string, unknown>;
  env?: Record<string, string | undefined>;
  select?: string[];
  exclude?: string[];
  /** Upstream projects' published public models, for cross-project refs. */
  upstreams?: UpstreamProject[] | ((parsed: ParsedProject) => Promise<UpstreamProject[]> | UpstreamProject[]);
  failOnDeprecated?: boolean;
  /** Write target/compiled/** (dbt does; benchmarks can turn it off to time the compiler alone). */
  writeCompiledFiles?: boolean;
  /** Reuse parsed YAML and compiled Jinja of unchanged files from target/partial_parse.json (default true). */
  partialParse?: boolean;
  /** `--profiles-dir`: where a dbt project's profiles.yml is (else DBT_PROFILES_DIR, the project, ~/.dbt). */
  profilesDir?: string;
  /** `--warn-error`: every warning fails the command, and a test that would warn fails (else the project's flags). */
  warnError?: boolean;
  /** Told how long each stage took (load, parse, resolve, ...), for benchmarks and `--timings`. */
  onStage?(stage: string, ms: number): void;
  /** The target database's spellings of dbt's macros, by target type (the adapter packages' dialects). */
  dialect?: (targetType: string) => MacroDialect | undefined;
  /** The command being run, as templates read it in `flags.WHICH` (default `compile`). */
  which?: string;
  /**
   * For `compile`: the target's database when it is there (undefined when it is not). Nodes that ask the
   * database while they render, and incremental models whose table exists, are then compiled to the SQL a
   * run would build, as dbt compile does with its connection; without it they keep their parse-time SQL.
   */
  connect?(target: ResolvedTarget, parsed: ParsedProject): Promise<Adapter | undefined>;
  /**
   * For runs: a node that fails to compile is left out of `compiled` and fails when it runs (its compile
   * error is its result, its children are skipped), as in dbt; without it the compile throws every such error.
   */
  nodeErrorsAtRunTime?: boolean;
}

export interface CompiledProject {
  parsed: ParsedProject;
  dag: Dag;
  resolution: Resolution;
  compiler: Compiler;
  selected: Set<string>;
  compiled: Map<string, CompiledNode>;
  manifest: Manifest;
  warnings: MeshError[];
  invocationId: string;
  /** When the invocation started: every artifact it writes says so. */
  startedAt: Date;
  targetDir: string;
  upstreams: UpstreamProject[];
}

export interface RunOutcome extends CompiledProject {
  results: NodeResult[];
  elapsed: number;
  /** The journal of what the database holds and which tests passed on it (what may be published). */
  buildState: BuildState;
  /** What each external input (source file, upstream publication) is now. */
  externalState: ExternalState;
}

/** The journal beside the target's database, in the target folder. */
export const BUILD_STATE_FILE = 'build_state.jsonl';

/** The build journal of a target's database, opened for appending (ingestion records its loads in it too). */
export function openBuildState(target: ResolvedTarget, targetDir: string): BuildState {
  const state = BuildState.load(join(targetDir, BUILD_STATE_FILE), targetIdentity(target));
  state.open();
  return state;
}

/** The path a source reads, as far as it can be told without running it: a plain path, or a reader call's first. */
function sourcePath(location: string): string {
  const call = /^\s*[A-Za-z_][A-Za-z0-9_]*\s*\(\s*'((?:[^']|'')*)'/.exec(location);
  return call ? call[1]!.replaceAll("''", "'") : location;
}

function externalStates(project: CompiledProject): ExternalState {
  const publications = new Map(project.upstreams.map((u) => [u.name, u.publication ?? u.version ?? '']));
  return (node) => {
    if (node.resource_type === 'source') return node.external_location ? `${node.external_location}@${fileFingerprint(sourcePath(node.external_location))}` : node.unique_id;
    return `${node.package_name}@${publications.get(node.package_name) ?? ''}`;
  };
}

/** load -> parse -> resolve refs -> DAG -> select -> compile, then manifest.json and compiled SQL files. */
export async function compileProject(options: ProjectOptions): Promise<CompiledProject> {
  const startedAt = new Date();
  let mark = performance.now();
  const stage = (name: string) => {
    const now = performance.now();
    options.onStage?.(name, now - mark);
    mark = now;
  };
  const files = loadProject(options.projectDir, { cache: options.partialParse, profilesDir: options.profilesDir, env: options.env });
  stage('load');
  const parsed = parseProject(files, { vars: options.vars, env: options.env, target: options.target, dialect: options.dialect, flags: { WHICH: options.which ?? 'compile' } });
  stage('parse');
  const upstreams = typeof options.upstreams === 'function' ? await options.upstreams(parsed) : options.upstreams;
  stage('upstreams');
  let resolution: Resolution;
  try {
    resolution = resolveRefs(parsed, { upstreams, failOnDeprecated: options.failOnDeprecated, restrictAccess: parsed.restrictAccess });
  } catch (error) {
    // Without a graph nothing can be left out: every model that failed to parse is said with the refs that failed.
    if (error instanceof MeshError && parsed.broken.size) throw MeshError.all([...parsed.broken.values(), error, ...error.related]);
    throw error;
  }
  stage('resolve');
  const dag = buildDag(resolution.nodes);
  stage('graph');
  // dbt brings a selected model's tests along eagerly; the mesh's own projects only when all they read is built.
  const selection = {
    select: options.select,
    exclude: options.exclude,
    indirectSelection: files.flags.indirectSelection ?? (files.dbt ? ('eager' as const) : ('cautious' as const)),
  };
  const selected = selectNodes(dag, selection);
  stage('select');
  // A model that failed to parse fails the command only if the command selects it.
  const brokenSelected = [...parsed.broken].filter(([id]) => selected.has(id)).map(([, error]) => error);
  if (brokenSelected.length) throw MeshError.all(brokenSelected);
  const warnings = [...parsed.warnings, ...resolution.warnings];
  for (const selector of unmatchedSelectors(dag, selection)) {
    warnings.push(new MeshError('W_SELECTOR_UNMATCHED', `the selection criterion '${selector}' does not match any node`, {
      hint: 'Check the name, tag or path; run mesh ls to see the nodes.',
    }));
  }
  if (options.warnError ?? files.flags.warnError) {
    if (warnings.length) {
      throw MeshError.all(warnings.map((w) => new MeshError(w.code.replace(/^W_/, 'E_'), w.message, { location: w.location, node: w.node, details: w.details, hint: `${w.hint ? `${w.hint} ` : ''}(warn_error makes this warning an error.)` })));
    }
  }
  const compiler = new Compiler(parsed, dag, resolution);
  const compiled = new Map<string, CompiledNode>();
  // As in dbt, a node that fails to compile (a macro raising, a unit test the model cannot run under) fails
  // that node only: a run reports it as the node's error and skips what depends on it; compile lists them all.
  const compileErrors: MeshError[] = [];
  for (const id of topoSort(dag, selected)) {
    const node = dag.nodes.get(id)!;
    if (node.resource_type === 'source' || ('external' in node && node.external)) continue;
    try {
      compiled.set(id, compiler.compileNode(node));
    } catch (error) {
      if (!(error instanceof MeshError)) throw error;
      compileErrors.push(error);
    }
  }
  if (compileErrors.length && !options.nodeErrorsAtRunTime) throw MeshError.all(compileErrors);
  stage('compile');
  if (options.connect) {
    const late = await compileAtRunTime({ parsed, dag, resolution, compiler, compiled, upstreams: upstreams ?? [] }, options.connect);
    warnings.push(...late);
    stage('compile against the database');
  }
  const targetDir = join(parsed.root, parsed.files.project['target-path'] ?? 'target');
  if (options.writeCompiledFiles !== false) {
    // Paths relative to target/compiled, as template strings: normalising 20,000 paths took longer than writing the files.
    const compiledFiles = new Map<string, string>();
    const base = `${parsed.name}/`;
    for (const [id, c] of compiled) {
      const node = dag.nodes.get(id)!;
      if (!c.sql) continue;
      // A properties file declares many tests, a snapshot file many snapshots: each gets a file of its own.
      const path = node.resource_type === 'test' && node.test_metadata
        ? `${base}${node.original_file_path}/${node.alias}.sql`
        : node.resource_type === 'snapshot' || node.resource_type === 'unit_test'
        ? `${base}${node.original_file_path}/${node.name}.sql`
        : `${base}${node.original_file_path}`;
      compiledFiles.set(path, c.sql);
    }
    await writeCompiledFiles(join(targetDir, 'compiled'), compiledFiles);
  }
  files.cache.save();
  stage('write compiled files');
  const invocationId = randomUUID();
  const manifest = buildManifest(parsed, dag, compiled, { invocationId, startedAt });
  stage('build manifest');
  writeJsonAtomic(join(targetDir, 'manifest.json'), manifest);
  stage('write manifest');
  return { parsed, dag, resolution, compiler, selected, compiled, manifest, warnings, invocationId, startedAt, targetDir, upstreams: upstreams ?? [] };
}

/**
 * Renders again, with `execute` true and the database's answers, the compiled nodes a run would render
 * again: those that asked the database while parsing, and incremental models whose table exists (with
 * `is_incremental()` true). Nothing is built. Returns the warning said when the database is not there.
 */
async function compileAtRunTime(
  project: Pick<CompiledProject, 'parsed' | 'dag' | 'resolution' | 'compiler' | 'compiled' | 'upstreams'>,
  connect: NonNullable<ProjectOptions['connect']>,
): Promise<MeshError[]> {
  const { parsed, dag, resolution, compiler, compiled } = project;
  const dynamic = [...compiled.keys()].filter((id) => parsed.rendered.get(id)?.dynamic);
  const incremental = [...compiled.keys()].filter((id) => {
    const node = dag.nodes.get(id)!;
    return node.resource_type === 'model' && node.config.materialized === 'incremental' && node.config.full_refresh !== true;
  });
  if (!dynamic.length && !incremental.length) return [];
  const adapter = await connect(parsed.target, parsed);
  if (!adapter) {
    if (!dynamic.length) return [];
    const names = dynamic.map((id) => dag.nodes.get(id)!.name);
    return [new MeshError('W_COMPILE_OFFLINE', `the database of target '${parsed.target.name}' is not there, so ${dynamic.length === 1 ? 'one node that asks' : `${dynamic.length} nodes that ask`} the database while rendering ${dynamic.length === 1 ? 'is' : 'are'} compiled as parsing renders ${dynamic.length === 1 ? 'it' : 'them'} (execute false): ${names.slice(0, 10).join(', ')}${names.length > 10 ? `, and ${names.length - 10} more` : ''}`, {
      hint: `Build the project once (mesh build), or let the server be reached, then compile again for the SQL a run builds; ${parsed.target.path} is where the database is looked for.`,
    })];
  }
  const errors: MeshError[] = [];
  parsed.jinja.graph = runGraphOf(buildManifest(parsed, dag, compiled, { invocationId: randomUUID(), startedAt: new Date() }));
  try {
    for (const upstream of project.upstreams) {
      const used = [...dag.nodes.values()].some((n) => n.package_name === upstream.name);
      if (used && upstream.database) await adapter.attach(upstream.name, upstream.database.path, { files: upstream.database.files });
    }
    const relations = incremental.length ? await adapter.listRelations(parsed.target.database) : new Map<string, RelationKind>();
    const renderer = new RunTimeRenderer(parsed, dag, resolution, compiler);
    const session = await adapter.session();
    try {
      for (const [id, c] of compiled) {
        const node = dag.nodes.get(id)!;
        if (node.resource_type !== 'model' && node.resource_type !== 'test') continue;
        const merging = node.resource_type === 'model' && incremental.includes(id) && relations.get(relationKey({ schema: node.schema, identifier: node.alias })) === 'table';
        if (!merging && !parsed.rendered.get(id)?.dynamic) continue;
        session.queryComment = parsed.queryComment?.(node);
        try {
          c.sql = await renderer.nodeSql(node, session, merging);
        } catch (error) {
          errors.push(error instanceof MeshError ? error : new MeshError('E_SQL', `${node.unique_id}: ${error instanceof Error ? error.message : String(error)}`, {
            node: node.unique_id,
            location: { file: node.original_file_path },
            hint: 'The node asks the database while it compiles, as in dbt; the database refused the question. Build what it reads first.',
          }));
        } finally {
          session.queryComment = undefined;
        }
      }
    } finally {
      session.close();
    }
  } finally {
    await adapter.close();
  }
  if (errors.length) throw MeshError.all(errors);
  return [];
}

export interface RunProjectOptions extends ProjectOptions, RunEvents {
  command: RunCommand;
  threads?: number;
  fullRefresh?: boolean;
  /** `--fail-fast`: stop at the first failure (else the project's flags). */
  failFast?: boolean;
  /** Opens the database for the resolved target; by default its registered engine's adapter. */
  openAdapter?(target: ResolvedTarget, parsed: ParsedProject): Promise<Adapter>;
  /** Called once the project is compiled, before the database opens (the CLI prints warnings and a header). */
  onCompiled?(project: CompiledProject): void;
  /** Called after the nodes ran, while the database is still open (publishing public models). */
  afterRun?(outcome: RunOutcome, adapter: Adapter): Promise<void>;
  /** Told when an on-run-start or on-run-end hook starts and ends. */
  onHook?(hook: HookSql, result?: NodeResult): void;
}

/**
 * Loads the files of the external sources the selected models read, for targets whose engine cannot read
 * files in place. Every build loads them again: the files are the sources' truth, the tables a copy.
 */
async function stageExternalSources(project: CompiledProject, adapter: Adapter, only?: SourceNode[]): Promise<void> {
  const { dag, selected, parsed } = project;
  const files = new Map<string, StagedFile>();
  // The sources the selected nodes read, or the ones asked for (source freshness measures sources themselves).
  const wanted = only ? [only.map((s) => s.unique_id)] : [...selected].map((id) => dag.parents.get(id) ?? []);
  for (const parents of wanted) {
    for (const parent of parents) {
      const node = dag.nodes.get(parent);
      if (node?.resource_type !== 'source' || !node.external_location || node.package_name !== parsed.name) continue;
      if (/^\s*[A-Za-z_][A-Za-z0-9_]*\s*\(/.test(node.external_location)) {
        throw new MeshError('E_SOURCE_UNSUPPORTED', `source ${node.source_name}.${node.name} reads its file with a reader call, which target '${parsed.target.name}' (${parsed.target.type}) cannot run`, {
          node: node.unique_id,
          location: { file: node.original_file_path },
          hint: 'Give external_location as a plain CSV path; the adapter loads it into a staging table.',
        });
      }
      files.set(node.unique_id, { relation: stagedSourceRelation(node), path: isAbsolute(node.external_location) ? node.external_location : join(parsed.root, node.external_location) });
    }
  }
  if (!files.size) return;
  if (!adapter.stageFiles) {
    throw new MeshError('E_SOURCE_UNSUPPORTED', `the ${adapter.type} adapter cannot load external sources`, { hint: 'Load the file into a table with the engine\'s own loader and name that table as the source, or build on an engine that reads files in place.' });
  }
  await adapter.stageFiles([...files.values()]);
}

/** Compiles, then runs the selected nodes for `run`, `test`, `build` or `seed`, and writes run_results.json. */
export async function runProject(options: RunProjectOptions): Promise<RunOutcome> {
  const t0 = performance.now();
  // A run renders its nodes against the database itself, as they run.
  const project = await compileProject({ ...options, connect: undefined, which: options.which ?? options.command, nodeErrorsAtRunTime: true });
  const { parsed, dag, resolution, compiler, selected } = project;
  parsed.jinja.graph = runGraphOf(project.manifest);
  options.onCompiled?.(project);
  const adapter = await (options.openAdapter ? options.openAdapter(parsed.target, parsed) : openAdapter(parsed.target));
  let outcome: RunOutcome;
  let buildState: BuildState | undefined;
  try {
    refuseUncapable(project, adapter, options.command);
    for (const upstream of project.upstreams) {
      const used = [...dag.nodes.values()].some((n) => n.package_name === upstream.name);
      if (used && upstream.database) await adapter.attach(upstream.database.alias ?? upstream.name, upstream.database.path, { files: upstream.database.files });
    }
    const schemas = [...selected]
      .map((id) => dag.nodes.get(id)!)
      .filter((n): n is ModelNode => isModelLike(n) && !n.external && n.config.materialized !== 'ephemeral')
      .map((n) => n.schema);
    // Tests that store their failures write into an audit schema, made here once rather than by each thread.
    if (options.command === 'test' || options.command === 'build') {
      for (const id of selected) {
        const node = dag.nodes.get(id)!;
        if (node.resource_type === 'test' && node.config.store_failures && node.config.schema) schemas.push(node.config.schema);
      }
    }
    await adapter.ensureSchemas(parsed.target.database, schemas);
    if (parsed.target.externalSources === 'load' && options.command !== 'seed') await stageExternalSources(project, adapter);
    const relations: Map<string, RelationKind> = await adapter.listRelations(parsed.target.database);
    const renderer = new RunTimeRenderer(parsed, dag, resolution, compiler);
    buildState = openBuildState(parsed.target, project.targetDir);
    const externalState = externalStates(project);
    const runner = new Runner(parsed, dag, resolution, compiler, adapter, relations, renderer, buildState, new NodeStates(dag, buildState, externalState));
    const hooks = options.command === 'seed' ? { 'on-run-start': [], 'on-run-end': [] } : parsed.hooks;
    const started = await runProjectHooks(hooks['on-run-start'], renderer, adapter, options, {});
    const nodes = started.some((r) => r.status === 'error')
      ? []
      : await runner.run({
          command: options.command,
          selected,
          threads: options.threads ?? parsed.target.threads,
          fullRefresh: options.fullRefresh,
          failFast: options.failFast ?? parsed.files.flags.failFast,
          warnError: options.warnError ?? parsed.files.flags.warnError,
          onStart: options.onStart,
          onEnd: options.onEnd,
        });
    const schemasBuilt = [...new Set(schemas)];
    const ended = await runProjectHooks(hooks['on-run-end'], renderer, adapter, options, {
      results: nodes.map((r) => ({ ...r, node: dag.nodes.get(r.unique_id) ?? { unique_id: r.unique_id }, adapter_response: { rows_affected: r.rows ?? null } })),
      schemas: schemasBuilt,
      database_schemas: schemasBuilt.map((schema) => [parsed.target.database, schema]),
    });
    const results = [...started, ...nodes, ...ended];
    outcome = { ...project, results, elapsed: (performance.now() - t0) / 1000, buildState, externalState };
    // What the database holds now, for dbt's docs site and the catalog: after anything that builds.
    if (options.command !== 'test') {
      writeJsonAtomic(join(project.targetDir, 'catalog.json'), await buildCatalog(project.manifest, adapter, { invocationId: project.invocationId, startedAt: project.startedAt }));
    }
    await options.afterRun?.(outcome, adapter);
  } finally {
    buildState?.close();
    await adapter.close();
  }
  const elapsed = (performance.now() - t0) / 1000;
  outcome.elapsed = elapsed;
  writeJsonAtomic(
    join(project.targetDir, 'run_results.json'),
    buildRunResults(outcome.results, {
      invocationId: project.invocationId,
      startedAt: project.startedAt,
      elapsed,
      args: { which: options.command, select: options.select ?? [], exclude: options.exclude ?? [], target: parsed.target.name, vars: options.vars ?? {}, full_refresh: options.fullRefresh === true },
    }),
  );
  return outcome;
}

export interface FreshnessOptions extends ProjectOptions, FreshnessEvents {
  openAdapter(target: ResolvedTarget, parsed: ParsedProject): Promise<Adapter>;
  /** Told which selected sources declare a freshness but no loaded_at_field to measure it by. */
  onUnmeasurable?(sources: SourceNode[]): void;
}

export interface FreshnessOutcome extends CompiledProject {
  freshness: FreshnessResult[];
  elapsed: number;
}

/**
 * `source freshness`: for each selected source with a freshness threshold, the newest value of its
 * loaded_at_field (or loaded_at_query) against the database's own clock; writes target/sources.json.
 */
export async function sourceFreshness(options: FreshnessOptions): Promise<FreshnessOutcome> {
  const t0 = performance.now();
  const project = await compileProject({ ...options, writeCompiledFiles: false });
  const sources = selectNodes(project.dag, { select: options.select, exclude: options.exclude, resourceTypes: ['source'], includeSources: true });
  const candidates = freshnessSources(project.dag, sources, project.parsed.name);
  const measurable = candidates.filter((s) => maxLoadedAtSql(s, project.parsed.target) !== undefined);
  if (measurable.length < candidates.length) options.onUnmeasurable?.(candidates.filter((s) => !measurable.includes(s)));
  let freshness: FreshnessResult[] = [];
  if (measurable.length) {
    const adapter = await options.openAdapter(project.parsed.target, project.parsed);
    try {
      if (project.parsed.target.externalSources === 'load') await stageExternalSources(project, adapter, measurable);
      freshness = await measureFreshness(measurable, adapter, project.parsed.target, options);
    } finally {
      await adapter.close();
    }
  }
  const elapsed = (performance.now() - t0) / 1000;
  writeJsonAtomic(join(project.targetDir, 'sources.json'), buildSources(freshness, { invocationId: project.invocationId, startedAt: project.startedAt, elapsed }));
  return { ...project, freshness, elapsed };
}

/**
 * on-run-start or on-run-end: each hook rendered at run time in its package's context, then run; the results
 * are reported as dbt reports them (`operation.<package>.<package>-on-run-start-<i>`).
 */
async function runProjectHooks(hooks: HookSql[], renderer: RunTimeRenderer, adapter: Adapter, events: Pick<RunProjectOptions, 'onHook'>, globals: Record<string, unknown>): Promise<NodeResult[]> {
  if (!hooks.length) return [];
  const session = await adapter.session();
  const results: NodeResult[] = [];
  try {
    for (const hook of hooks) {
      events.onHook?.(hook);
      const started = new Date();
      const t0 = performance.now();
      let result: NodeResult;
      try {
        const sql = await renderer.renderText(hook.sql, { file: hook.file, pkg: hook.package, globals }, session);
        if (sql.trim()) await session.runStatement(sql, false);
        result = { unique_id: hook.id, status: 'success', message: 'OK', execution_time: 0, started_at: '', completed_at: '', thread_id: 'main', compiled_code: sql };
      } catch (error) {
        const e = error instanceof MeshError ? error : undefined;
        result = {
          unique_id: hook.id, status: 'error', message: error instanceof Error ? error.message : String(error), execution_time: 0, started_at: '', completed_at: '', thread_id: 'main',
          error: { code: e?.code ?? 'E_SQL', hint: e?.hint, file: e?.location?.file ?? hook.file, line: e?.location?.line ?? hook.line },
        };
      }
      result.execution_time = (performance.now() - t0) / 1000;
      result.started_at = started.toISOString();
      result.completed_at = new Date().toISOString();
      results.push(result);
      events.onHook?.(hook, result);
      if (result.status === 'error') break;
    }
  } finally {
    session.close();
  }
  return results;
}

export interface RunOperationOptions extends ProjectOptions {
  /** The macro, as dbt names it: `name` or `package.name`. */
  macro: string;
  args?: Record<string, unknown>;
  openAdapter(target: ResolvedTarget, parsed: ParsedProject): Promise<Adapter>;
}

export interface OperationOutcome {
  result: NodeResult;
  /** What the macro logged (`log(..., info=True)`). */
  logs: string[];
  parsed: ParsedProject;
}

/**
 * dbt's run-operation: calls a macro with keyword arguments at run time (execute true, a live connection),
 * so what it runs (DDL, grants, a table the build then reads) happens in the project's database.
 */
export async function runOperation(options: RunOperationOptions): Promise<OperationOutcome> {
  const t0 = performance.now();
  const project = await compileProject({ ...options, connect: undefined, which: 'run-operation', writeCompiledFiles: false });
  const { parsed, dag, resolution, compiler } = project;
  parsed.jinja.graph = runGraphOf(project.manifest);
  const [pkg, name] = options.macro.includes('.') ? (options.macro.split('.', 2) as [string, string]) : [undefined, options.macro];
  const owner = pkg ?? (parsed.jinja.hasMacro(name) ? parsed.name : parsed.jinja.packagesWithMacro(name)[0]);
  if (!owner || !parsed.jinja.hasMacro(name, owner)) {
    throw new MeshError('E_OPERATION_UNKNOWN', `run-operation: no macro named '${options.macro}'`, {
      hint: 'Define it in a file under macro-paths (or name an installed package\'s macro as package.name).',
    });
  }
  const adapter = await options.openAdapter(parsed.target, parsed);
  const started = new Date();
  const logsBefore = parsed.logs.length;
  let result: NodeResult;
  try {
    const renderer = new RunTimeRenderer(parsed, dag, resolution, compiler);
    const session = await adapter.session();
    try {
      const args = options.args ?? {};
      await renderer.render((run) => parsed.jinja.callMacro(name, args, {
        ...run,
        config: () => undefined,
        vars: parsed.vars,
        env: parsed.env,
        execute: true,
        log: (message) => parsed.logs.push(message),
      }, 'run-operation', owner), { ref: () => { throw new MeshError('E_JINJA_CALL', 'ref() is not available in run-operation', { hint: 'Name the relation with api.Relation.create(...) instead.' }); }, source: () => { throw new MeshError('E_JINJA_CALL', 'source() is not available in run-operation', { hint: 'Name the relation with api.Relation.create(...) instead.' }); }, thisRelation: new Relation(parsed.target.database, 'main', ''), isIncremental: false }, session, 'rollback');
      result = { unique_id: `macro.${owner}.${name}`, status: 'success', message: 'OK', execution_time: 0, started_at: started.toISOString(), completed_at: '', thread_id: 'main' };
    } finally {
      session.close();
    }
  } catch (error) {
    const e = error instanceof MeshError ? error : undefined;
    result = {
      unique_id: `macro.${owner}.${name}`, status: 'error', message: error instanceof Error ? error.message : String(error), execution_time: 0, started_at: started.toISOString(), completed_at: '', thread_id: 'main',
      error: { code: e?.code ?? 'E_SQL', hint: e?.hint, file: e?.location?.file, line: e?.location?.line },
    };
  } finally {
    await adapter.close();
  }
  result.completed_at = new Date().toISOString();
  result.execution_time = (performance.now() - t0) / 1000;
  writeJsonAtomic(join(project.targetDir, 'run_results.json'), buildRunResults([result], { invocationId: project.invocationId, startedAt: project.startedAt, elapsed: result.execution_time, args: { which: 'run-operation', macro: options.macro, args: options.args ?? {} } }));
  return { result, logs: parsed.logs.slice(logsBefore), parsed };
}
