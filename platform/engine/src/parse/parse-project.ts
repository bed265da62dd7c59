import { isAbsolute, join, posix } from 'node:path';
import { latestVersion } from '@mesh/model-versions';
import { MeshError, type SourceLocation } from '@mesh/errors';
import type { PackageFiles, ProjectFiles, PropertiesSource, SourceFile } from '../load/load-project';
import type { GroupInput, NodeConfigInput, QueryCommentConfig } from '../load/schemas';
import type { QueryComment } from '../execute/adapter';
import type { ColumnDef, ExternalSpec, GraphNode, ModelNode, NodeConfig, RefCall, SourceCall, SourceNode, TestNode } from '../types';
import { folderConfig, mergeConfig, nameConfig } from './folder-config';
import { columns, indexModelProperties, modelTests, versionColumnInputs, versionColumns } from './model-properties';
import { relationNamer, type NamedNode } from './relation-naming';
import { configOrigin } from './config-origin';
import { plainHooks } from './plain-hooks';
import { pythonConfigCalls } from './python-models';
import { isCommentOnly } from '../util/sql-text';
import { didYouMean } from '../util/did-you-mean';
import { genericTestNode, testConfig, withMacroConfig, type TestSpecContext } from './generic-tests';
import { DBT_UTILS_STANDINS } from './dbt-natives';
import { JinjaEnvironment, type CompiledTemplate, type RenderHooks } from '../jinja/environment';
import type { MacroDialect } from '../jinja/macro-api';
import { renderConfigTree } from '../jinja/render-config';
import { FilteredRelation, PlaceholderRelation, Relation } from './relation';
import { resolveTarget, type ResolvedTarget } from './target';
import { loadedAt, tableFreshness } from './source-freshness';
import { parseSnapshots } from './snapshots';
import { parseUnitTests } from './unit-tests';
import { externalSpec } from './external-config';
import { configKeyLine } from '../util/line-of-text';
import { contentHash } from '../load/parse-cache';
import { digest } from '../util/digest';

export const LAYERS = ['bronze', 'silver', 'gold'] as const;

export interface ParseOptions {
  vars?: Record<string, unknown>;
  env?: Record<string, string | undefined>;
  target?: string;
  /** The database's spellings of dbt's macros, by target type (the adapters provide them). */
  dialect?: (targetType: string) => MacroDialect | undefined;
  /** dbt's flags as templates read them (`flags.WHICH`). */
  flags?: Record<string, unknown>;
  /** The folder the command runs in: where a dbt project's relative paths start (default: the process's). */
  cwd?: string;
}

/** SQL rendered at parse time; refs, sources and `this` are placeholders until the graph is resolved. */
export interface RenderedSql {
  sql: string;
  refs: RefCall[];
  sources: SourceCall[];
  /**
   * True when the template read `execute` or asked the database: dbt renders such a node again at run time,
   * with a connection, and so does the engine. Its parse-time SQL is what `execute` false gave.
   */
  dynamic?: boolean;
}

/** What a run-time render of a node supplies: relations for its refs and sources, and the database's answers. */
export type RunHooks = Pick<RenderHooks, 'ref' | 'source' | 'thisRelation' | 'isIncremental' | 'introspection' | 'now' | 'macros'> & {
  log?(message: string): void;
  /** Vars and env vars set over the node's own for this render (a unit test's `overrides:`). */
  vars?: Readonly<Record<string, unknown>>;
  env?: Readonly<Record<string, string | undefined>>;
};

/** dbt's hooks, as the project and its packages declare them, in the order dbt runs them. */
export interface ProjectHooks {
  'on-run-start': HookSql[];
  'on-run-end': HookSql[];
}

export interface HookSql {
  /** The package that declares it (its macros come first when the hook renders). */
  package: string;
  sql: string;
  /** dbt's id of the hook: `operation.<package>.<package>-on-run-start-<index>`. */
  id: string;
  file: string;
  line?: number;
}

export interface ParsedProject {
  name: string;
  root: string;
  files: ProjectFiles;
  target: ResolvedTarget;
  nodes: GraphNode[];
  rendered: Map<string, RenderedSql>;
  /** Each node's template rendered again at run time (incremental runs, nodes that introspect). */
  templates: Map<string, (hooks: RunHooks) => string>;
  jinja: JinjaEnvironment;
  groups: GroupInput[];
  macros: Array<{ name: string; path: string; package: string }>;
  vars: Record<string, unknown>;
  env: Record<string, string | undefined>;
  /** on-run-start and on-run-end, rendered when the run reaches them. */
  hooks: ProjectHooks;
  /** The vars a node of a package sees (dbt scopes them per package). */
  varsFor(pkg: string): Record<string, unknown>;
  /** What the project asks for that the engine leaves out, said once at compile time. */
  warnings: MeshError[];
  /** Messages of `{{ log(..., info=True) }}` from templates rendered in this parse. */
  logs: string[];
  /**
   * Packages of the build that set `restrict-access: true` in their dbt_project.yml (this project's own
   * included): their protected and private models are refused to the other packages.
   */
  restrictAccess: Set<string>;
  /**
   * Models that could not be parsed (a Jinja error, a construct the engine refuses, a python model), kept in
   * the graph with what is known of them: a command that selects one fails with its error, one that leaves
   * it out (`--exclude`, a narrower `--select`) builds the rest, as dbt does with models it is not asked for.
   */
  broken: Map<string, MeshError>;
  /** dbt's `query-comment`: the comment put on each statement a node runs; undefined when the project sets none. */
  queryComment?: (node: GraphNode) => QueryComment | undefined;
}

export const PLACEHOLDER = /\u0001([RST])(\d*)\u0001/g;
const refToken = (i: number) => `\u0001R${i}\u0001`;
const sourceToken = (i: number) => `\u0001S${i}\u0001`;
const THIS_TOKEN = '\u0001T\u0001';

function sha(text: string): string {
  return digest('sha256', text, 'hex');
}

/** A config to merge into, sharing nothing mutable with `config` (merges replace tags and meta, never edit them). */
function copyConfig(config: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...config };
  if (Array.isArray(copy.tags)) copy.tags = [...copy.tags];
  if (copy.meta && typeof copy.meta === 'object') copy.meta = { ...copy.meta };
  return copy;
}

function normalizeConfig(raw: Record<string, unknown>, defaults: Partial<NodeConfig>): NodeConfig {
  const contract = raw.contract as { enforced?: boolean } | undefined;
  // Known keys in one literal, then the user's other keys: spreading first made slow dictionary objects.
  const config: NodeConfig = {
    materialized: (raw.materialized as NodeConfig['materialized']) ?? defaults.materialized ?? 'view',
    schema: (raw.schema as string | undefined) ?? defaults.schema ?? 'main',
    tags: (raw.tags as string[] | undefined) ?? [],
    enabled: raw.enabled !== false,
    access: (raw.access as NodeConfig['access']) ?? 'protected',
    contract: { enforced: contract?.enforced === true },
    meta: (raw.meta as Record<string, unknown> | undefined) ?? {},
  };
  for (const key in raw) if (!(key in config)) config[key] = raw[key];
  return config;
}

/** A project folder the parse walks: the root project, or one installed package. */
interface Unit {
  name: string;
  root: boolean;
  models: SourceFile[];
  pythonModels: SourceFile[];
  properties: PropertiesSource[];
  seeds: SourceFile[];
  tests: SourceFile[];
  modelPaths: string[];
  seedPaths: string[];
  testPaths: string[];
  /** The unit's own folder configs (`models:`, `seeds:`, `data_tests:` of its dbt_project.yml). */
  trees: { models?: Record<string, unknown>; seeds?: Record<string, unknown>; tests?: Record<string, unknown> };
}

const isJinja = (text: string) => text.includes('{{') || text.includes('{%');

export function parseProject(files: ProjectFiles, options: ParseOptions = {}): ParsedProject {
  const project = files.project;
  const name = project.name;
  const packageNames = files.packages.map((p) => p.name);
  const cliVars = options.vars;
  const varsFor = (pkg: string) => scopedVars(project.vars, pkg === name ? undefined : files.packages.find((p) => p.name === pkg)?.project.vars, pkg, name, packageNames, cliVars);
  const vars = varsFor(name);
  const env = options.env ?? process.env;
  const warnings = [...files.warnings, ...dbtWarnings(files)];
  const logs: string[] = [];
  /** Hooks for templates that belong to no node (a profile's values, the naming macros), in a package's context. */
  const noNode = (pkg = name): RenderHooks => ({ ...plainHooks(varsFor(pkg), env, (message) => logs.push(message)), package: pkg });

  // A profile's Jinja (env_var, var) renders before the target, and so the dialect, is known.
  const profile = files.profile;
  let profileJinja: JinjaEnvironment | undefined;
  const target = resolveTarget(project, files.root, options.target, {
    profile,
    render: profile ? (text) => (profileJinja ??= new JinjaEnvironment({ project: name })).compile(profile.path, text).render(noNode()) : undefined,
    cwd: options.cwd,
  });
  warnings.push(...target.notes);
  if (profile && !profile.profile && profile.from !== 'home' && !project.targets) {
    warnings.push(new MeshError('W_PROFILE_MISSING', `${profile.path} has no profile '${profile.profileName}'; the build uses ${target.path}`, {
      location: { file: profile.path },
      hint: `Add a profile named '${profile.profileName}' (or set profile: in dbt_project.yml to one the file has).`,
    }));
  }
  const jinja = new JinjaEnvironment({ project: name, dialect: options.dialect ? options.dialect(target.type) : target.dialect.macros, dispatch: project.dispatch });
  jinja.cache = files.cache;
  Object.assign(jinja.flags, options.flags ?? {});
  jinja.target = { name: target.name, type: target.type, schema: target.schema, database: target.database, threads: target.threads, profile_name: project.profile ?? name };

  const macros: ParsedProject['macros'] = [];
  for (const file of files.macros) {
    for (const macro of jinja.addMacros(file.path, file.text, name)) macros.push({ name: macro, path: file.path, package: name });
  }
  for (const pkg of files.packages) {
    for (const file of pkg.macros) {
      for (const macro of jinja.addMacros(file.path, file.text, pkg.name)) macros.push({ name: macro, path: file.path, package: pkg.name });
    }
  }
  // Without dbt_utils installed, the macros most projects call are still there, written as dbt_utils writes them.
  if (!packageNames.includes('dbt_utils')) jinja.addNativeMacros('dbt_utils', DBT_UTILS_STANDINS);

  // dbt's naming macros: a package's own generate_x_name for its nodes, else the root project's, else dbt's.
  const macroFiles = new Map(macros.map((m) => [`${m.package}.${m.name}`, m.path]));
  const namer = relationNamer({
    style: files.dbt ? 'dbt' : 'mesh',
    targetSchema: target.schema,
    targetDatabase: target.database,
    projectMacro: (macro, pkg) => {
      const owner = pkg !== name && macroFiles.has(`${pkg}.${macro}`) ? pkg : macroFiles.has(`${name}.${macro}`) ? name : undefined;
      if (owner === undefined) return undefined;
      const file = macroFiles.get(`${owner}.${macro}`)!;
      return (args) => jinja.invokeMacro(macro, args, {}, noNode(pkg), file, owner);
    },
  });

  // A compile lists every node that fails, not only the first: each node's errors are kept, and thrown together.
  const errors: MeshError[] = [];
  /** Models that could not be parsed, by unique id: raised when a command selects them (see ParsedProject.broken). */
  const broken = new Map<string, MeshError>();
  const attempt = (fn: () => void): void => {
    try {
      fn();
    } catch (error) {
      if (!(error instanceof MeshError)) throw error;
      errors.push(error);
    }
  };

  /** Hooks for a render at parse time: Jinja in YAML and project-file values, with the vars of the package. */
  const valueHooks = (pkg: string, ownVars = varsFor(pkg)): RenderHooks => ({
    ref: (call) => new Relation(target.database, target.schema, call.name),
    source: (call) => new Relation(target.database, call.source, call.table),
    config: () => undefined,
    thisRelation: new Relation(target.database, target.schema, ''),
    isIncremental: false,
    vars: ownVars,
    env,
    package: pkg,
    log: (message) => logs.push(message),
  });
  // dbt renders a project file before its vars exist: only --vars reach var() there.
  const projectFileHooks = (pkg: string) => valueHooks(pkg, { ...(cliVars ?? {}) });
  const renderedTree = (tree: Record<string, unknown> | undefined, file: string, lineOf: (path: readonly PropertyKey[]) => number | undefined, path: string) =>
    renderConfigTree(tree, (text, keys) => jinja.renderValue(text, projectFileHooks(name), { file, line: lineOf([path, ...keys]) }, { native: true }));
  const rootTrees = {
    models: renderedTree(project.models, files.projectFilePath, files.projectLineOf, 'models'),
    seeds: renderedTree(project.seeds, files.projectFilePath, files.projectLineOf, 'seeds'),
    tests: renderedTree(project.data_tests ?? project.tests, files.projectFilePath, files.projectLineOf, project.data_tests ? 'data_tests' : 'tests'),
  };

  // dbt-duckdb reads a relative external_location from the folder dbt runs in; the mesh's own projects
  // from the project folder, wherever the build is started.
  const locationRoot = files.dbt ? (options.cwd ?? process.cwd()) : files.root;

  const nodes: GraphNode[] = [];
  const rendered = new Map<string, RenderedSql>();
  const templates = new Map<string, (hooks: RunHooks) => string>();
  const seen = new Map<string, string>();
  const addNode = (node: GraphNode) => {
    const other = seen.get(node.unique_id);
    if (other) {
      throw new MeshError('E_DUPLICATE_NODE', `two files define ${node.unique_id}`, {
        location: { file: node.original_file_path },
        hint: `Rename one of ${other} and ${node.original_file_path}; model names are unique in a project.`,
      });
    }
    seen.set(node.unique_id, node.original_file_path);
    nodes.push(node);
  };

  interface ParseRender {
    template: CompiledTemplate | ((hooks: RenderHooks) => string);
    thisRelation: Relation;
    config: Record<string, unknown>;
    pkg: string;
    model?: Record<string, unknown>;
    /** What config.get() reads, when it is not `config` itself (a test: its own config under the macro's). */
    configValue?: (key: string) => unknown;
    trace?: { configCalls: Array<Record<string, unknown>>; env: Record<string, string | null> };
  }

  /**
   * Renders a template in parse mode (dbt's `execute` false): refs become placeholders, recorded in order.
   * dbt's parse answers `config.get()` with an empty string; so does the first render here. A node that
   * reads its config that way and does not render again at run time (it reads neither `execute` nor the
   * database) is rendered once more with its config's values, since that render is the SQL it builds.
   */
  const renderForParse = (r: ParseRender): RenderedSql & { macros: string[] } => {
    let readConfig = false;
    let first: (RenderedSql & { macros: string[] }) | undefined;
    let failure: unknown;
    try {
      first = renderParseOnce(r, () => {
        readConfig = true;
        return '';
      });
    } catch (error) {
      if (!readConfig) throw error;
      failure = error;
    }
    if (first && (!readConfig || first.dynamic)) return first;
    try {
      return renderParseOnce(r, r.configValue ?? ((key) => r.config[key]));
    } catch (error) {
      // What fails with the config's values while parsing (a macro looking the node up in the graph, empty
      // until the run) is rendered at run time, as dbt renders every node, on the graph dbt's parse made.
      if (first && error instanceof MeshError) return { ...first, dynamic: true };
      throw failure ?? error;
    }
  };

  const renderParseOnce = (r: ParseRender, configValue: (key: string) => unknown): RenderedSql & { macros: string[] } => {
    const refs: RefCall[] = [];
    const sources: SourceCall[] = [];
    const refKeys = new Map<string, number>();
    const sourceKeys = new Map<string, number>();
    const used = new Set<string>();
    let dynamic = false;
    const hooks: RenderHooks = {
      ref: (call) => {
        const key = `${call.project ?? ''}|${call.name}|${call.version ?? ''}`;
        let i = refKeys.get(key);
        if (i === undefined) {
          i = refs.push(call) - 1;
          refKeys.set(key, i);
        }
        return new PlaceholderRelation(refToken(i), target.database, target.schema, call.name);
      },
      source: (call) => {
        const key = `${call.source}|${call.table}`;
        let i = sourceKeys.get(key);
        if (i === undefined) {
          i = sources.push(call) - 1;
          sourceKeys.set(key, i);
        }
        return new PlaceholderRelation(sourceToken(i), target.database, call.source, call.table);
      },
      config: (values) => {
        r.trace?.configCalls.push(values);
        mergeConfig(r.config, values);
      },
      configValue,
      thisRelation: new PlaceholderRelation(THIS_TOKEN, r.thisRelation.database, r.thisRelation.schema, r.thisRelation.identifier),
      isIncremental: false,
      vars: varsFor(r.pkg),
      package: r.pkg,
      model: r.model,
      execute: false,
      onDynamic: () => {
        dynamic = true;
      },
      onMacro: (id) => used.add(id),
      log: (message) => logs.push(message),
      env: r.trace
        ? new Proxy(env, {
            get: (all, key) => {
              const value = all[key as string];
              if (typeof key === 'string') r.trace!.env[key] = value ?? null;
              return value;
            },
          })
        : env,
    };
    const sql = typeof r.template === 'function' ? r.template(hooks) : r.template.render(hooks);
    return { sql, refs, sources, dynamic, macros: [...used] };
  };

  /**
   * dbt's partial parsing for SQL files: a render is reused when the file, the target, the project's vars and
   * macros, and the model's own relation are unchanged and the env vars it read have the same values.
   */
  const macroTexts = [...files.macros, ...files.packages.flatMap((p) => p.macros)].map((m) => m.text);
  const projectContext = contentHash(JSON.stringify([vars, macroTexts, target.database, target.schema, target.name, target.type, packageNames, project.dispatch ?? null, options.flags ?? null]));
  const renderCached = (path: string, text: string, r: Omit<ParseRender, 'template' | 'trace'>): RenderedSql & { macros: string[] } => {
    const key = `${projectContext}:${r.pkg}:${contentHash(text)}:${r.thisRelation.schema}.${r.thisRelation.identifier}`;
    const hit = files.cache.render(key, env);
    if (hit) {
      for (const values of hit.configCalls) mergeConfig(r.config, values);
      return { sql: hit.sql, refs: hit.refs, sources: hit.sources, dynamic: hit.dynamic === true, macros: hit.macros ?? [] };
    }
    const trace = { configCalls: [] as Array<Record<string, unknown>>, env: {} as Record<string, string | null> };
    const result = renderForParse({ ...r, template: jinja.compile(path, text, r.pkg), trace });
    files.cache.storeRender(key, { sql: result.sql, refs: result.refs, sources: result.sources, dynamic: result.dynamic === true, macros: result.macros, ...trace });
    return result;
  };

  /** The node's template for run-time renders: the same vars and package, relations and answers from the run. */
  const runTemplate = (render: (hooks: RenderHooks) => string, pkg: string, config: () => Record<string, unknown>, model: () => Record<string, unknown>) => (run: RunHooks): string =>
    render({
      ...run,
      config: () => undefined,
      configValue: (key) => config()[key],
      vars: run.vars ? { ...varsFor(pkg), ...run.vars } : varsFor(pkg),
      env: run.env ? { ...env, ...run.env } : env,
      package: pkg,
      model: model(),
      execute: true,
      log: run.log ?? ((message) => logs.push(message)),
    });

  const units: Unit[] = [
    {
      name, root: true, models: files.models, pythonModels: files.pythonModels, properties: files.properties, seeds: files.seeds, tests: files.tests,
      modelPaths: files.modelPaths, seedPaths: files.seedPaths, testPaths: (project['test-paths'] ?? ['tests']).map((p) => p.replace(/\/+$/, '')),
      trees: rootTrees,
    },
    ...files.packages.map((pkg) => packageUnit(pkg, jinja, projectFileHooks)),
  ];

  const copiedTests = new Set<string>();
  const groups: GroupInput[] = [];
  /** Models switched off (enabled: false): their unit tests are off too, as in dbt. */
  const disabledModels = new Set<string>();
  for (const unit of units) {
    parseUnit(unit);
    groups.push(...unit.properties.flatMap((f) => f.data.groups ?? []));
  }
  // Unit tests name models of the root project, parsed above.
  attempt(() => {
    for (const node of parseUnitTests({ files, project: name, nodes, disabledModels, renderConfig: (config, file, path) => renderedConfig(config, file, path, name) })) addNode(node);
  });

  function parseUnit(unit: Unit): void {
    const pkg = unit.name;
    const sameTree = (tree: 'models' | 'seeds' | 'tests') => (unit.root ? undefined : rootTrees[tree]);
    /** Folder configs: the package's own tree, then the root project's entries for the package over them. */
    const folders = (tree: 'models' | 'seeds' | 'tests', path: string[]): Record<string, unknown> => {
      const config = folderConfig(unit.trees[tree], pkg, path);
      const over = sameTree(tree);
      if (over) mergeConfig(config, folderConfig(over, pkg, path));
      return config;
    };
    /** Configs for one node by its name (`seeds: {proj: {raw_customers: {...}}}`), the root project's over the package's. */
    const byName = (tree: 'models' | 'seeds', path: string[], nodeName: string, version?: string): Record<string, unknown> => {
      const config: Record<string, unknown> = {};
      mergeConfig(config, nameConfig(unit.trees[tree], pkg, path, nodeName, version));
      const over = sameTree(tree);
      if (over) mergeConfig(config, nameConfig(over, pkg, path, nodeName, version));
      return config;
    };
    const placeOf = (path: string, roots: string[]) => {
      const root = roots.find((p) => path.startsWith(`${p.replace(/\/+$/, '')}/`)) ?? '';
      const relInside = path.slice(root.length + 1);
      return { relInside, dirs: relInside.split('/').slice(0, -1) };
    };
    /** Where a test keeps its failing rows: dbt names the audit schema as it names a model's. */
    const auditSchema = (config: TestNode['config'], node: { unique_id: string; name: string; original_file_path: string; fqn: string[]; tags: string[] }): void => {
      if (!config.store_failures) return;
      if (namer.style === 'mesh') config.schema ??= 'main_dbt_test__audit';
      else config.schema = namer.schema(config.schema ?? 'dbt_test__audit', { ...node, resource_type: 'test', package_name: pkg, path: node.original_file_path, config: { ...config } });
    };

    // Generic tests: a `{% test %}` macro of the test's own package or of the root project; a package's test
    // is named with its package (`acme_utils.is_positive`), as dbt looks them up.
    const resolveTest: TestSpecContext['resolveTest'] = (testName, namespace) => {
      const macro = `test_${testName}`;
      if (namespace && packageNames.includes(namespace)) return jinja.hasMacro(macro, namespace) ? { package: namespace } : undefined;
      // A package's test the project copied into its own files keeps its prefixed name; dbt would need the
      // package installed, so the engine says it ran the copy.
      if (namespace && namespace !== 'dbt_utils' && jinja.hasMacro(macro, name)) {
        if (!copiedTests.has(`${namespace}.${testName}`)) {
          copiedTests.add(`${namespace}.${testName}`);
          warnings.push(new MeshError('W_TEST_COPIED', `${namespace}.${testName} runs the project's own {% test ${testName} %}: the package ${namespace} is not installed`, {
            hint: `dbt needs ${namespace} installed for this name; install it under dbt_packages/, or name the test ${testName} in the YAML.`,
          }));
        }
        return { package: name };
      }
      if (namespace) return undefined;
      if (jinja.hasMacro(macro, pkg)) return { package: pkg };
      if (jinja.hasMacro(macro, name)) return { package: name };
      return undefined;
    };
    const packagesWithTest = (testName: string) => jinja.packagesWithMacro(`test_${testName}`);
    const testDefaults = (path: string, roots: string[]): Record<string, unknown> => {
      const root = roots.find((p) => path.startsWith(`${p.replace(/\/+$/, '')}/`));
      const dirs = (root ? path.slice(root.replace(/\/+$/, '').length + 1) : path).split('/').slice(0, -1);
      return folders('tests', dirs);
    };
    // A properties file declares a test per column: its folder configs are worked out once per file.
    const genericTestRoots = [...unit.modelPaths, ...unit.seedPaths];
    const genericTestPlaces = new Map<string, { defaults: Record<string, unknown>; folders: string[] }>();
    const addTest = (entry: unknown, ctx: Omit<TestSpecContext, 'defaults' | 'folders' | 'resolveTest' | 'renderArgument' | 'packagesWithTest'>) => attempt(() => {
      let place = genericTestPlaces.get(ctx.file);
      if (!place) genericTestPlaces.set(ctx.file, (place = { defaults: testDefaults(ctx.file, genericTestRoots), folders: placeOf(ctx.file, genericTestRoots).dirs }));
      const node = genericTestNode(entry, {
        ...ctx,
        ...place,
        resolveTest,
        packagesWithTest,
        // dbt renders a test's arguments natively before the test macro sees them (`values: "{{ var('s') }}"`).
        renderArgument: (text) => jinja.renderValue(text, valueHooks(pkg), { file: ctx.file, line: valueLine(ctx.file, ctx.line(), text) }, { native: true }),
      });
      if (!node.config.enabled) return;
      auditSchema(node.config, node);
      addNode(node);
      const meta = node.test_metadata!;
      const macroPackage = node.macro_package;
      if (!macroPackage) return;
      // A {% test %} macro gets the tested relation as `model`, as in dbt, plus the entry's arguments.
      const call = (hooks: RenderHooks) => {
        const relation = 'ref' in ctx.target ? hooks.ref(ctx.target.ref) : hooks.source(ctx.target.source);
        const model = node.config.where ? new FilteredRelation(relation, node.config.where) : relation;
        const kwargs = renderTestArguments(meta.kwargs, (text) => jinja.renderValue(text, hooks, { file: ctx.file, line: valueLine(ctx.file, ctx.line(), text) }, { native: true }));
        return jinja.callMacro(`test_${meta.name}`, { ...kwargs, model }, hooks, ctx.file, macroPackage);
      };
      const macroConfig: Record<string, unknown> = {};
      const result = renderForParse({
        template: call, thisRelation: new Relation(target.database, target.schema, node.alias), config: macroConfig, pkg,
        configValue: (key) => macroConfig[key] ?? (node.config as unknown as Record<string, unknown>)[key],
      });
      const named = node.config;
      node.config = withMacroConfig(node, macroConfig);
      node.tags = node.config.tags;
      if (!node.config.enabled) {
        nodes.splice(nodes.indexOf(node), 1);
        seen.delete(node.unique_id);
        return;
      }
      // A config the macro changed is worked out again from what was written, so its audit schema is named again.
      if (node.config !== named) auditSchema(node.config, node);
      node.refs = result.refs;
      node.sources = result.sources;
      node.depends_on.macros = result.macros;
      rendered.set(node.unique_id, result);
      templates.set(node.unique_id, runTemplate(call, pkg, () => ({ ...node.config }), () => ({ unique_id: node.unique_id, name: node.name, resource_type: 'test' })));
    });

    // Models
    const modelProps = indexModelProperties(unit.properties);
    // Fifty models share a folder: its folder config is worked out once, and each model gets a copy to merge into.
    const folderConfigs = new Map<string, Record<string, unknown>>();
    const modelFolderConfig = (dirs: string[]): Record<string, unknown> => {
      const key = dirs.join('/');
      let shared = folderConfigs.get(key);
      if (!shared) folderConfigs.set(key, (shared = folders('models', dirs)));
      return copyConfig(shared);
    };
    const used = new Set<string>();
    for (const file of unit.models) attempt(() => {
      const { relInside, dirs } = placeOf(file.path, unit.modelPaths);
      const base = posix.basename(file.path, '.sql');
      const entry = modelProps.get(base);
      if (entry) used.add(base);
      // dbt reads an empty file as no model at all.
      if (!file.text.trim()) {
        warnings.push(new MeshError('W_MODEL_EMPTY', `${file.path} is empty; it is not a model (dbt skips it too)`, {
          location: { file: file.path, line: 1 },
          hint: 'Write the model\'s select statement, or delete the file.',
        }));
        return;
      }
      const modelName = entry?.props.name ?? base;
      const version = entry?.version?.v;
      const layer = namer.style === 'mesh' && (LAYERS as readonly string[]).includes(dirs[0] ?? '') ? dirs[0] : undefined;
      const fqn = [pkg, ...dirs, modelName, ...(version ? [`v${version}`] : [])];
      const uniqueId = `model.${pkg}.${modelName}${version ? `.v${version}` : ''}`;

      const config = modelFolderConfig(dirs);
      mergeConfig(config, byName('models', dirs, modelName, version));
      mergeConfig(config, renderedConfig(entry?.props.config as Record<string, unknown> | undefined, entry?.file, ['models', entry?.index ?? 0, 'config'], pkg));
      mergeConfig(config, renderedConfig(entry?.version?.props.config as Record<string, unknown> | undefined, entry?.file, ['models', entry?.index ?? 0, 'versions', entry?.version?.index ?? 0, 'config'], pkg));
      if (entry?.props.access) config.access ??= entry.props.access;
      if (entry?.props.group) config.group ??= entry.props.group;

      const placed = (cfg: Record<string, unknown>) => {
        const named: NamedNode = {
          unique_id: uniqueId, name: modelName, resource_type: 'model', package_name: pkg, original_file_path: file.path,
          path: relInside, fqn, version, tags: (cfg.tags as string[] | undefined) ?? [], config: cfg,
        };
        return { schema: namer.schema(cfg.schema, named, layer), alias: namer.alias(cfg.alias, named), database: namer.database(cfg.database, named), keys: [cfg.schema, cfg.alias, cfg.database] };
      };
      const modelDict = (where: { schema: string; alias: string; database: string }) => () => ({
        unique_id: uniqueId, name: modelName, package_name: pkg, resource_type: 'model', original_file_path: file.path, path: relInside, fqn,
        config: { ...config }, raw_code: file.text, version: version ?? null, database: where.database, schema: where.schema, alias: where.alias,
      });
      let preliminary: ReturnType<typeof placed> | undefined;
      let result: RenderedSql & { macros: string[] };
      let where: ReturnType<typeof placed>;
      let finalConfig: NodeConfig;
      let externalFiles: ExternalSpec | undefined;
      try {
        preliminary = placed(config);
        const thisRel = new Relation(preliminary.database, preliminary.schema, preliminary.alias);
        result = renderCached(file.path, file.text, { thisRelation: thisRel, config, pkg, model: modelDict(preliminary)() });
        // config() calls in the model may move it; the names are worked out again only then.
        const before = preliminary.keys;
        where = [config.schema, config.alias, config.database].every((v, i) => v === before[i]) ? preliminary : placed(config);
        finalConfig = normalizeConfig(config, { schema: namer.style === 'mesh' ? where.schema : target.schema });
        if (finalConfig.materialized === ('seed' as string)) finalConfig.materialized = 'table';
        if (!finalConfig.enabled) {
          if (unit.root) disabledModels.add(modelName);
          return;
        }
        const origin = (key: string, value: unknown) => configOrigin(key, value, { files, model: file, entry, folders: dirs, name: modelName });
        refuseUnsupportedConfig(finalConfig, file.path, origin);
        if (finalConfig.materialized === 'external') {
          const external = finalConfig;
          externalFiles = externalSpec(external, {
            identifier: where.alias,
            externalRoot: target.externalRoot,
            cwd: options.cwd ?? process.cwd(),
            warn: (w) => warnings.push(w),
            locate: (key) => {
              const line = configKeyLine(file.text, key);
              return line ? { file: file.path, line } : origin(key, external[key]);
            },
          });
        }
      } catch (error) {
        if (!(error instanceof MeshError) || config.enabled === false) throw error;
        // The node stays in the graph with what is known of it, so a selection can leave it out; the
        // error is raised only if the command selects it.
        const at = preliminary ?? { schema: target.schema, alias: modelName, database: target.database };
        const stubConfig = normalizeConfig(config, { schema: namer.style === 'mesh' ? at.schema : target.schema });
        addNode(brokenModel({ uniqueId, name: modelName, project: pkg, file, fqn, config: stubConfig, where: at, version }));
        broken.set(uniqueId, error);
        return;
      }

      const modelColumns = entry ? typedColumns(versionColumns(entry.props, entry.version), entry.file.path, pkg) : [];
      const node: ModelNode = {
        unique_id: uniqueId,
        resource_type: 'model',
        name: modelName,
        package_name: pkg,
        original_file_path: file.path,
        patch_path: entry?.file.path,
        fqn,
        description: entry?.version?.props.description ?? entry?.props.description ?? '',
        tags: finalConfig.tags,
        meta: finalConfig.meta,
        config: finalConfig,
        columns: modelColumns,
        raw_code: file.text,
        refs: result.refs,
        sources: result.sources,
        depends_on: { nodes: [], macros: result.macros },
        database: where.database,
        schema: where.schema,
        alias: where.alias,
        version,
        latest_version: entry?.props.versions?.length ? latestVersion(entry.props.versions.map((v) => v.v), entry.props.latest_version) : undefined,
        deprecation_date: entry?.version?.props.deprecation_date ?? entry?.props.deprecation_date,
        checksum: sha(file.text),
      };
      if (externalFiles) node.externalFiles = externalFiles;
      if (isCommentOnly(result.sql) && !result.dynamic) {
        warnings.push(new MeshError('W_MODEL_EMPTY', `model ${modelName} has no SQL: ${file.path} holds only comments`, {
          location: { file: file.path, line: 1 }, node: uniqueId,
          hint: 'Write the model\'s select statement, or delete the file; building it fails, as it does in dbt.',
        }));
      }
      addNode(node);
      rendered.set(uniqueId, result);
      let compiled: CompiledTemplate | undefined;
      templates.set(uniqueId, runTemplate((hooks) => (compiled ??= jinja.compile(file.path, file.text, pkg)).render(hooks), pkg, () => node.config, modelDict(where)));

      // Generic tests from the properties file; a version's tests are named after the version (`<model>_v<v>`).
      if (entry) {
        const propsFile = entry.file;
        const ref: RefCall = { name: modelName, ...(version ? { version } : {}), ...(unit.root ? {} : { project: pkg }) };
        const attachedName = version ? `${modelName}_v${version}` : modelName;
        const ctx = { project: pkg, attachedId: uniqueId, attachedName, file: propsFile.path, target: { ref } };
        const testsPath: PropertyKey[] = entry.version && (entry.version.props.tests ?? entry.version.props.data_tests) ? ['models', entry.index, 'versions', entry.version.index] : ['models', entry.index];
        for (const t of modelTests(entry.props, entry.version)) addTest(t, { ...ctx, line: () => propsFile.lineOf(testsPath) });
        for (const { column, path } of versionColumnInputs(entry.props, entry.version)) {
          for (const t of [...(column.tests ?? []), ...(column.data_tests ?? [])]) {
            addTest(t, { ...ctx, column: column.name, line: () => propsFile.lineOf(['models', entry.index, ...path]) });
          }
        }
      }
    });

    // Python models: the engine cannot run them; a disabled one is left out as dbt leaves it out.
    for (const file of unit.pythonModels) attempt(() => {
      const { dirs } = placeOf(file.path, unit.modelPaths);
      const base = posix.basename(file.path, '.py');
      const entry = modelProps.get(base);
      if (entry) used.add(base);
      const config = modelFolderConfig(dirs);
      mergeConfig(config, byName('models', dirs, base));
      mergeConfig(config, renderedConfig(entry?.props.config as Record<string, unknown> | undefined, entry?.file, ['models', entry?.index ?? 0, 'config'], pkg));
      mergeConfig(config, pythonConfigCalls(file.text));
      if (config.enabled === false) return;
      const uniqueId = `model.${pkg}.${base}`;
      addNode(brokenModel({ uniqueId, name: base, project: pkg, file, fqn: [pkg, ...dirs, base], config: normalizeConfig(config, { schema: target.schema }), where: { database: target.database, schema: target.schema, alias: base } }));
      broken.set(uniqueId, new MeshError('E_DBT_UNSUPPORTED', `python models are not supported: ${file.path}`, {
        location: { file: file.path, line: 1 },
        hint: 'Write the model in SQL (DuckDB has list, struct, regex and window functions for most of what pandas does), compute it upstream and read the file as a source with external_location, disable it (+enabled: false), or leave it out of the command (--exclude).',
      }));
    });

    // dbt warns of properties for a model it cannot find, and builds the rest.
    for (const [key, entry] of modelProps) {
      if (used.has(key)) continue;
      warnings.push(new MeshError('W_PROPERTIES_ORPHAN', `${entry.file.path} describes model '${key}', but there is no ${key}.sql; the entry is ignored`, {
        location: { file: entry.file.path, line: entry.file.lineOf(['models', entry.index, ...(entry.version ? ['versions', entry.version.index] : ['name'])]) },
        hint: entry.version ? `Create ${key}.sql for version ${entry.version.v}, or set defined_in:.` : `Create ${key}.sql under a model path, or fix the name.`,
      }));
    }

    // Seeds
    const seedProps = new Map<string, { props: NonNullable<PropertiesSource['data']['seeds']>[number]; file: PropertiesSource; index: number }>();
    for (const file of unit.properties) (file.data.seeds ?? []).forEach((props, index) => seedProps.set(props.name, { props, file, index }));
    for (const file of unit.seeds) attempt(() => {
      const { relInside, dirs } = placeOf(file.path, unit.seedPaths);
      const seedName = posix.basename(file.path, '.csv');
      const entry = seedProps.get(seedName);
      const config: Record<string, unknown> = folders('seeds', dirs);
      mergeConfig(config, byName('seeds', dirs, seedName));
      mergeConfig(config, renderedConfig(entry?.props.config as NodeConfigInput as Record<string, unknown> | undefined, entry?.file, ['seeds', entry?.index ?? 0, 'config'], pkg));
      const uniqueId = `seed.${pkg}.${seedName}`;
      const fqn = [pkg, ...dirs, seedName];
      const named: NamedNode = { unique_id: uniqueId, name: seedName, resource_type: 'seed', package_name: pkg, original_file_path: file.path, path: relInside, fqn, tags: (config.tags as string[] | undefined) ?? [], config };
      const layer = namer.style === 'mesh' && (LAYERS as readonly string[]).includes(dirs[0] ?? '') ? dirs[0] : undefined;
      if (config.enabled === false) return;
      const schema = namer.schema(config.schema, named, layer);
      const finalConfig = normalizeConfig(config, { schema: namer.style === 'mesh' ? schema : target.schema });
      finalConfig.materialized = 'seed';
      const seedColumns = typedColumns(columns(entry?.props.columns), entry?.file.path ?? file.path, pkg);
      addNode({
        unique_id: uniqueId,
        resource_type: 'seed',
        name: seedName,
        package_name: pkg,
        original_file_path: file.path,
        patch_path: entry?.file.path,
        fqn,
        description: entry?.props.description ?? '',
        tags: finalConfig.tags,
        meta: finalConfig.meta,
        config: finalConfig,
        columns: seedColumns,
        raw_code: '',
        refs: [],
        sources: [],
        depends_on: { nodes: [], macros: [] },
        database: namer.database(config.database, named),
        schema,
        alias: namer.alias(config.alias, named),
        checksum: file.checksum ?? sha(file.path),
      });
      if (entry) {
        const tests = [...(entry.props.tests ?? []), ...(entry.props.data_tests ?? [])];
        const ref: RefCall = unit.root ? { name: seedName } : { project: pkg, name: seedName };
        const ctx = { project: pkg, attachedId: uniqueId, attachedName: seedName, file: entry.file.path, target: { ref } };
        for (const t of tests) addTest(t, { ...ctx, line: () => entry.file.lineOf(['seeds', entry.index]) });
        (entry.props.columns ?? []).forEach((col, ci) => {
          for (const t of [...(col.tests ?? []), ...(col.data_tests ?? [])]) {
            addTest(t, { ...ctx, column: col.name, line: () => entry.file.lineOf(['seeds', entry.index, 'columns', ci]) });
          }
        });
      }
    });

    // Snapshots: the root project's {% snapshot %} blocks and YAML snapshots.
    if (unit.root) attempt(() => parseSnapshots({
      files,
      project: name,
      database: target.database,
      render: (path, text, thisRelation, config) => renderCached(path, text, { thisRelation, config, pkg }),
      normalize: (config) => normalizeConfig(config, { schema: target.schema }),
      place: (config, node) => {
        const named: NamedNode = { ...node, resource_type: 'snapshot', package_name: pkg, tags: (config.tags as string[] | undefined) ?? [], config };
        return { schema: namer.schema(config.schema, named), alias: namer.alias(config.alias, named), database: namer.database(config.database, named) };
      },
      columns,
      add: (node, result, text, props) => {
        addNode(node);
        rendered.set(node.unique_id, result);
        let compiled: CompiledTemplate | undefined;
        const snapshotDict = () => ({
          unique_id: node.unique_id, name: node.name, package_name: pkg, resource_type: 'snapshot', original_file_path: node.original_file_path, fqn: node.fqn,
          config: { ...node.config }, raw_code: node.raw_code, database: node.database, schema: node.schema, alias: node.alias,
        });
        templates.set(node.unique_id, runTemplate((hooks) => (compiled ??= jinja.compile(node.original_file_path, text, pkg)).render(hooks), pkg, () => node.config, snapshotDict));
        if (!props) return;
        const { entry, file, index } = props;
        const ctx = { project: pkg, attachedId: node.unique_id, attachedName: node.name, file: file.path, target: { ref: { name: node.name } } };
        for (const t of [...(entry.tests ?? []), ...(entry.data_tests ?? [])]) addTest(t, { ...ctx, line: () => file.lineOf(['snapshots', index]) });
        (entry.columns ?? []).forEach((col, ci) => {
          for (const t of [...(col.tests ?? []), ...(col.data_tests ?? [])]) {
            addTest(t, { ...ctx, column: col.name, line: () => file.lineOf(['snapshots', index, 'columns', ci]) });
          }
        });
      },
    }));

    // Sources
    for (const file of unit.properties) {
      const { dirs } = placeOf(file.path, [...unit.modelPaths, ...unit.seedPaths]);
      (file.data.sources ?? []).forEach((source, si) => {
        source.tables.forEach((table, ti) => attempt(() => {
          const uniqueId = `source.${pkg}.${source.name}.${table.name}`;
          // dbt-duckdb reads external_location from the table's config or meta (or its source's); a dbt
          // project's table-level key is not dbt's, so it is said and left alone, as dbt leaves it.
          if (table.external_location !== undefined && files.dbt) {
            warnings.push(new MeshError('W_SOURCE_KEY', `source ${source.name}.${table.name}: external_location beside the table's name is not read by dbt-duckdb; it is ignored`, {
              location: { file: file.path, line: file.lineOf(['sources', si, 'tables', ti, 'external_location']) },
              hint: 'Put it under the table\'s config: (config: {external_location: ...}) or meta:, where dbt-duckdb reads it.',
            }));
          }
          // dbt renders the Jinja of a source's names (an env_var() or target.schema in schema:, database:, identifier:).
          const named = (value: string | undefined, at: Array<string | number>) =>
            value !== undefined && isJinja(value) ? String(jinja.renderValue(value, valueHooks(pkg), { file: file.path, line: file.lineOf(at) })).trim() : value;
          const sourceSchema = named(source.schema, ['sources', si, 'schema']) ?? source.name;
          const sourceDatabase = named(source.database, ['sources', si, 'database']) ?? target.database;
          const tableIdentifier = named(table.identifier, ['sources', si, 'tables', ti, 'identifier']) ?? table.name;
          let location = (files.dbt ? undefined : table.external_location) ?? table.config?.external_location ?? (table.meta?.external_location as string | undefined) ?? source.config?.external_location ?? (source.meta?.external_location as string | undefined);
          if (location) {
            if (isJinja(location)) location = String(jinja.renderValue(location, valueHooks(pkg), { file: file.path, line: file.lineOf(['sources', si, 'tables', ti]) }));
            // dbt-duckdb formats the location with the table's name, identifier, schema, database and meta keys.
            const fields: Record<string, unknown> = {
              ...source.meta, ...source.config, ...table.meta, ...table.config,
              name: table.name, identifier: tableIdentifier, schema: sourceSchema, database: sourceDatabase,
            };
            location = location.replace(/\{(\w+)\}/g, (whole, key: string) => (fields[key] === undefined ? whole : String(fields[key])));
            location = rootedLocation(location, locationRoot);
          }
          const node: SourceNode = {
            unique_id: uniqueId,
            resource_type: 'source',
            name: table.name,
            source_name: source.name,
            package_name: pkg,
            original_file_path: file.path,
            patch_path: file.path,
            fqn: [pkg, ...dirs, source.name, table.name],
            description: table.description ?? source.description ?? '',
            tags: [...(source.tags ?? []), ...(table.tags ?? [])],
            meta: { ...(source.meta ?? {}), ...(table.meta ?? {}) },
            identifier: tableIdentifier,
            database: sourceDatabase,
            schema: sourceSchema,
            columns: typedColumns(columns(table.columns), file.path, pkg),
            external_location: location,
            loader: source.loader,
            source_description: source.description ?? '',
            source_meta: source.meta ?? {},
          };
          const freshness = tableFreshness(source, table);
          if (freshness !== undefined) node.freshness = freshness;
          const loaded = loadedAt(source, table);
          if (loaded.field) node.loaded_at_field = loaded.field;
          if (loaded.query) node.loaded_at_query = loaded.query;
          addNode(node);
          const ctx = { project: pkg, attachedId: uniqueId, attachedName: `${source.name}_${table.name}`, file: file.path, target: { source: { source: source.name, table: table.name } } };
          for (const t of [...(table.tests ?? []), ...(table.data_tests ?? [])]) addTest(t, { ...ctx, line: () => file.lineOf(['sources', si, 'tables', ti]) });
          (table.columns ?? []).forEach((col, ci) => {
            for (const t of [...(col.tests ?? []), ...(col.data_tests ?? [])]) {
              addTest(t, { ...ctx, column: col.name, line: () => file.lineOf(['sources', si, 'tables', ti, 'columns', ci]) });
            }
          });
        }));
      });
    }

    // Singular tests
    for (const file of unit.tests) attempt(() => {
      const testName = posix.basename(file.path, '.sql');
      const { dirs } = placeOf(file.path, unit.testPaths);
      const template = jinja.compile(file.path, file.text, pkg);
      const config: Record<string, unknown> = testDefaults(file.path, unit.testPaths);
      const uniqueId = `test.${pkg}.${testName}`;
      const modelDict = () => ({ unique_id: uniqueId, name: testName, package_name: pkg, resource_type: 'test', original_file_path: file.path, config: { ...config } });
      const result = renderForParse({ template, thisRelation: new Relation(target.database, target.schema, testName), config, pkg, model: modelDict() });
      const testConf = testConfig(config, { file: file.path, line: () => 1, test: testName });
      const node: TestNode = {
        unique_id: uniqueId,
        resource_type: 'test',
        name: testName,
        alias: typeof config.alias === 'string' ? config.alias : testName,
        package_name: pkg,
        original_file_path: file.path,
        fqn: [pkg, ...dirs, testName],
        description: '',
        tags: testConf.tags,
        meta: {},
        config: testConf,
        raw_code: file.text,
        refs: result.refs,
        sources: result.sources,
        depends_on: { nodes: [], macros: result.macros },
        checksum: sha(file.text),
      };
      auditSchema(testConf, node);
      addNode(node);
      rendered.set(uniqueId, result);
      templates.set(uniqueId, runTemplate((hooks) => template.render(hooks), pkg, () => ({ ...node.config }), modelDict));
    });
  }

  /** Columns whose data_type is Jinja (a type chosen by target.type), rendered as dbt renders properties files. */
  function typedColumns(cols: ColumnDef[], file: string, pkg: string): ColumnDef[] {
    if (!cols.some((c) => c.data_type !== undefined && isJinja(c.data_type))) return cols;
    return cols.map((c) => (c.data_type !== undefined && isJinja(c.data_type) ? { ...c, data_type: String(jinja.renderValue(c.data_type, valueHooks(pkg), { file })).trim() } : c));
  }

  /** The line of a value in a properties file: the first line at or after `from` that holds its text. */
  function valueLine(path: string, from: number | undefined, text: string): number | undefined {
    const source = files.properties.find((f) => f.path === path) ?? files.packages.flatMap((p) => p.properties).find((f) => f.path === path);
    if (!source || from === undefined) return from;
    const lines = source.text.split('\n');
    const needle = text.split('\n')[0]!;
    for (let i = from - 1; i < lines.length; i++) if (lines[i]!.includes(needle)) return i + 1;
    return from;
  }

  /** A properties file's `config:`, its Jinja rendered natively as dbt renders schema files. */
  function renderedConfig(config: Record<string, unknown> | undefined, file: PropertiesSource | undefined, path: Array<string | number>, pkg: string): Record<string, unknown> | undefined {
    if (!config || !file) return config;
    return renderConfigTree(config, (text, keys) => jinja.renderValue(text, valueHooks(pkg), { file: file.path, line: file.lineOf([...path, ...keys]) }, { native: true }));
  }

  if (errors.length) throw MeshError.all(errors);
  const hooks = projectHooks(files, name);
  const restrictAccess = new Set([...(project['restrict-access'] ? [name] : []), ...files.packages.filter((p) => p.project['restrict-access'] === true).map((p) => p.name)]);
  const queryComment = queryCommentOf(project['query-comment'], (text, node) => jinja.compile(files.projectFilePath, text).render({ ...noNode(), globals: { node } }));
  return { name, root: files.root, files, target, nodes, rendered, templates, jinja, groups, macros, vars, env, hooks, varsFor, warnings, logs, restrictAccess, queryComment, broken };
}

/** A model the parse could not finish: its place in the project, no SQL and no refs. */
function brokenModel(n: { uniqueId: string; name: string; project: string; file: { path: string; text: string }; fqn: string[]; config: NodeConfig; where: { database: string; schema: string; alias: string }; version?: string }): ModelNode {
  return {
    unique_id: n.uniqueId, resource_type: 'model', name: n.name, package_name: n.project, original_file_path: n.file.path,
    fqn: n.fqn, description: '', tags: n.config.tags, meta: n.config.meta, config: n.config, columns: [], raw_code: n.file.text,
    refs: [], sources: [], depends_on: { nodes: [], macros: [] }, database: n.where.database, schema: n.where.schema, alias: n.where.alias,
    version: n.version, checksum: sha(n.file.text),
  };
}

/**
 * dbt's query-comment: a template rendered per node (`node` in its context), put before each statement,
 * or after with `append: true`. `null` (or no comment) turns it off; so does leaving the key out, where
 * dbt would add its own JSON comment: the engine adds nothing the project did not ask for.
 */
function queryCommentOf(config: QueryCommentConfig | undefined, render: (text: string, node: GraphNode) => string): ParsedProject['queryComment'] {
  if (config === undefined || config === null) return undefined;
  const template = typeof config === 'string' ? config : config.comment;
  if (!template) return undefined;
  const append = typeof config === 'object' && config.append === true;
  return (node) => {
    const text = isJinja(template) ? render(template, node).trim() : template;
    return text ? { text, append } : undefined;
  };
}

const LOOKS_LIKE_CALL = /^\s*(env_var|ref|var|source|doc)\s*\(.+\)\s*$/s;

/**
 * A generic test's arguments as its macro gets them: every string rendered natively (a string that is a
 * ref(), source(), var() or env_var() call as the expression it is), lists and dicts item by item, the
 * column name as written; as dbt renders them.
 */
function renderTestArguments(kwargs: Record<string, unknown>, render: (text: string) => unknown): Record<string, unknown> {
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return render(LOOKS_LIKE_CALL.test(value) ? `{{ ${value} }}` : value);
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    return value;
  };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(kwargs)) out[key] = key === 'column_name' ? value : walk(value);
  return out;
}

/** An installed package as a unit of the parse: its files and its own folder configs, rendered with its vars. */
function packageUnit(pkg: PackageFiles, jinja: JinjaEnvironment, valueHooks: (pkg: string) => RenderHooks): Unit {
  const tree = (t: Record<string, unknown> | undefined, key: string) =>
    renderConfigTree(t, (text, keys) => jinja.renderValue(text, valueHooks(pkg.name), { file: pkg.projectFile, line: pkg.projectLineOf([key, ...keys]) }, { native: true }));
  return {
    name: pkg.name,
    root: false,
    models: pkg.models,
    pythonModels: pkg.pythonModels,
    properties: pkg.properties,
    seeds: pkg.seeds,
    tests: pkg.tests,
    modelPaths: pkg.modelPaths,
    seedPaths: pkg.seedPaths,
    testPaths: pkg.testPaths,
    trees: { models: tree(pkg.project.models, 'models'), seeds: tree(pkg.project.seeds, 'seeds'), tests: tree(pkg.project.data_tests ?? pkg.project.tests, pkg.project.data_tests ? 'data_tests' : 'tests') },
  };
}

/**
 * dbt's on-run-start and on-run-end: each package's first (in name order), the root project's last, each in
 * the order written. A hook is SQL with Jinja, rendered when the run reaches it.
 */
function projectHooks(files: ProjectFiles, rootName: string): ProjectHooks {
  const out: ProjectHooks = { 'on-run-start': [], 'on-run-end': [] };
  const list = (value: unknown): string[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value.map(String) : [String(value)]);
  const sources = [
    ...[...files.packages].sort((a, b) => a.name.localeCompare(b.name)).map((p) => ({ name: p.name, project: p.project as Record<string, unknown>, file: p.projectFile, lineOf: p.projectLineOf })),
    { name: rootName, project: files.project as Record<string, unknown>, file: files.projectFilePath, lineOf: files.projectLineOf },
  ];
  for (const key of ['on-run-start', 'on-run-end'] as const) {
    for (const source of sources) {
      list(source.project[key]).forEach((sql, i) => {
        out[key].push({ package: source.name, sql, id: `operation.${source.name}.${source.name}-${key}-${i}`, file: source.file, line: source.lineOf([key, i]) ?? source.lineOf([key]) });
      });
    }
  }
  return out;
}

/**
 * The vars a node sees, as dbt scopes them: the package's own vars (its dbt_project.yml) lowest, then the
 * root project's global vars, then the root's `vars: {<package>: {...}}` for that package, then --vars.
 */
function scopedVars(
  declared: Record<string, unknown> | undefined,
  packageVars: Record<string, unknown> | undefined,
  pkg: string,
  root: string,
  packages: string[],
  overrides: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const scopes = new Set([root, ...packages]);
  const globals = (vars: Record<string, unknown> | undefined) => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(vars ?? {})) {
      if (scopes.has(key) && value && typeof value === 'object' && !Array.isArray(value)) continue;
      out[key] = value;
    }
    return out;
  };
  const scoped = (vars: Record<string, unknown> | undefined) => {
    const value = vars?.[pkg];
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  };
  return { ...globals(packageVars), ...scoped(packageVars), ...globals(declared), ...scoped(declared), ...(overrides ?? {}) };
}

/** What a dbt project declares that the engine does not run, said as warnings (errors are raised where they apply). */
function dbtWarnings(files: ProjectFiles): MeshError[] {
  const out: MeshError[] = [];
  const installed = new Set(files.packages.map((p) => p.name));
  const installedDirs = new Set(files.packages.map((p) => p.dir.split('/').pop()));
  for (const spec of files.dbtPackages) {
    if (spec.kind === 'local') continue;
    if (installed.has(spec.guess) || installedDirs.has(spec.guess)) continue;
    if (spec.guess === 'dbt_utils') continue;
    out.push(new MeshError('W_DBT_PACKAGE', `the dbt package '${spec.spec}' is not installed: its macros, tests and models are not available`, {
      location: { file: spec.file, line: spec.line },
      hint: `Install it under ${files.project['packages-install-path'] ?? 'dbt_packages'}/ (dbt deps does), or remove it from ${spec.file}. dbt_utils' most used macros and tests are built in when it is not installed.`,
    }));
  }
  for (const file of files.properties) {
    for (const key of ['semantic_models', 'metrics', 'saved_queries'] as const) {
      if (!(file.data as Record<string, unknown>)[key]) continue;
      out.push(new MeshError('W_DBT_IGNORED', `${key}: in ${file.path} are not read by the engine`, {
        location: { file: file.path, line: file.lineOf([key]) },
        hint: 'They are kept in the file for dbt; nothing is built from them.',
      }));
    }
  }
  return out;
}

/**
 * dbt-duckdb resolves a relative external_location against the folder dbt runs in, the project's; the
 * engine may run elsewhere (--project-dir), so the path is made absolute. A reader call such as
 * `read_csv('data/x.csv', delim=';')` keeps its options and gets its first path made absolute.
 */
function rootedLocation(location: string, root: string): string {
  const absolute = (path: string) => (/^[a-z0-9]+:\/\//i.test(path) || isAbsolute(path) ? path : join(root, path));
  const call = /^(\s*[A-Za-z_][A-Za-z0-9_]*\s*\(\s*)'((?:[^']|'')*)'/.exec(location);
  if (call) return `${call[1]}'${absolute(call[2]!.replaceAll("''", "'")).replaceAll("'", "''")}'${location.slice(call[0].length)}`;
  return absolute(location);
}

const MATERIALIZATIONS = ['view', 'table', 'incremental', 'ephemeral', 'external'];

/** Configs a model may carry in dbt that the engine would otherwise ignore, building something else. */
function refuseUnsupportedConfig(config: NodeConfig, file: string, origin: (key: string, value: unknown) => SourceLocation): void {
  const materialized: string = config.materialized;
  if (!MATERIALIZATIONS.includes(materialized)) {
    const guess = didYouMean(materialized, MATERIALIZATIONS);
    const known = ['snapshot', 'seed', 'materialized_view', 'dynamic_table', 'microbatch'].includes(materialized);
    const location = origin('materialized', materialized);
    const forModel = location.file === file ? '' : ` (set for ${file})`;
    throw new MeshError(known ? 'E_DBT_UNSUPPORTED' : 'E_CONFIG_INVALID', known ? `materialized='${materialized}' is not supported${forModel}` : `materialized='${materialized}' is not a materialization${forModel}`, {
      location,
      hint: guess && !known
        ? `Did you mean '${guess}'? The materializations are ${MATERIALIZATIONS.join(', ')}.`
        : materialized === 'snapshot'
          ? 'Snapshots are defined with {% snapshot %} blocks in files under snapshots/, or in YAML under snapshots: with a relation.'
          : `Use one of ${MATERIALIZATIONS.join(', ')}.`,
    });
  }
}
