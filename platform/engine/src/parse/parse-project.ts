import { isAbsolute, join, posix } from 'node:path';
import { latestVersion } from '@mesh/model-versions';
import { MeshError, type SourceLocation } from '@mesh/errors';
import type { ProjectFiles, PropertiesSource } from '../load/load-project';
import type { GroupInput, NodeConfigInput, QueryCommentConfig } from '../load/schemas';
import type { QueryComment } from '../execute/adapter';
import type { ExternalSpec, GraphNode, ModelNode, NodeConfig, RefCall, SourceCall, SourceNode, TestNode } from '../types';
import { folderConfig, mergeConfig, nameConfig } from './folder-config';
import { columns, indexModelProperties, modelTests, versionColumnInputs, versionColumns, type ModelProps } from './model-properties';
import { relationNamer, type NamedNode } from './relation-naming';
import { configOrigin } from './config-origin';
import { plainHooks } from './plain-hooks';
import { pythonConfigCalls } from './python-models';
import { isCommentOnly } from '../util/sql-text';
import { didYouMean } from '../util/did-you-mean';
import { genericTestNode, testConfig, type TestSpecContext } from './generic-tests';
import { DBT_UTILS_MACROS } from './dbt-natives';
import { JinjaEnvironment, type CompiledTemplate, type RenderHooks } from './jinja';
import { FilteredRelation, PlaceholderRelation, Relation } from './relation';
import { resolveTarget, type ResolvedTarget } from './target';
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
  /** The folder the command runs in: where a dbt project's relative paths start (default: the process's). */
  cwd?: string;
}

/** SQL rendered at parse time; refs, sources and `this` are placeholders until the graph is resolved. */
export interface RenderedSql {
  sql: string;
  refs: RefCall[];
  sources: SourceCall[];
}

export interface ParsedProject {
  name: string;
  root: string;
  files: ProjectFiles;
  target: ResolvedTarget;
  nodes: GraphNode[];
  rendered: Map<string, RenderedSql>;
  /** Each model's template, compiled on first use (incremental runs render again at run time). */
  templates: Map<string, () => CompiledTemplate>;
  jinja: JinjaEnvironment;
  groups: GroupInput[];
  macros: Array<{ name: string; path: string }>;
  vars: Record<string, unknown>;
  env: Record<string, string | undefined>;
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


export function parseProject(files: ProjectFiles, options: ParseOptions = {}): ParsedProject {
  const project = files.project;
  const name = project.name;
  const vars = projectVars(project.vars, name, options.vars);
  const env = options.env ?? process.env;
  const jinja = new JinjaEnvironment();
  jinja.cache = files.cache;
  const warnings = [...files.warnings, ...dbtWarnings(files)];
  const logs: string[] = [];
  /** Hooks for templates that belong to no node: a profile's values, the naming macros. */
  const noNode = () => plainHooks(vars, env, (message) => logs.push(message));
  const profile = files.profile;
  const target = resolveTarget(project, files.root, options.target, {
    profile,
    render: profile ? (text) => jinja.compile(profile.path, text).render(noNode()) : undefined,
    cwd: options.cwd,
  });
  warnings.push(...target.notes);
  if (profile && !profile.profile && profile.from !== 'home' && !project.targets) {
    warnings.push(new MeshError('W_PROFILE_MISSING', `${profile.path} has no profile '${profile.profileName}'; the build uses ${target.path}`, {
      location: { file: profile.path },
      hint: `Add a profile named '${profile.profileName}' (or set profile: in dbt_project.yml to one the file has).`,
    }));
  }
  jinja.target = { name: target.name, type: target.type, schema: target.schema, database: target.database, threads: target.threads, profile_name: project.profile ?? name };
  for (const key of ['on-run-start', 'on-run-end'] as const) {
    const hooks = project[key];
    if (hooks === undefined || hooks === null || (Array.isArray(hooks) && hooks.length === 0)) continue;
    throw new MeshError('E_DBT_UNSUPPORTED', `${key} hooks are not supported`, {
      location: { file: files.projectFilePath, line: files.projectLineOf([key]) },
      hint: 'DuckDB has no grants or warehouses to set up; put setup SQL in a model or a macro the models call, or remove the hooks.',
    });
  }
  const macros: Array<{ name: string; path: string }> = [];
  for (const file of files.macros) {
    for (const macro of jinja.addMacros(file.path, file.text)) macros.push({ name: macro, path: file.path });
  }
  const ownMacros = new Map(macros.map((m) => [m.name, m.path]));
  const namer = relationNamer({
    style: files.dbt ? 'dbt' : 'mesh',
    targetSchema: target.schema,
    targetDatabase: target.database,
    projectMacro: (macro) => {
      const path = ownMacros.get(macro);
      return path === undefined ? undefined : (args) => jinja.callMacroPositional(macro, args, noNode(), path);
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

  const nodes: GraphNode[] = [];
  const rendered = new Map<string, RenderedSql>();
  const templates = new Map<string, () => CompiledTemplate>();
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

  /** Renders a template in parse mode: refs become placeholders and are recorded in order. */
  const renderForParse = (template: CompiledTemplate | ((hooks: RenderHooks) => string), thisRelation: Relation, config: Record<string, unknown>, trace?: { configCalls: Array<Record<string, unknown>>; env: Record<string, string | null> }): RenderedSql => {
    const refs: RefCall[] = [];
    const sources: SourceCall[] = [];
    const refKeys = new Map<string, number>();
    const sourceKeys = new Map<string, number>();
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
        trace?.configCalls.push(values);
        mergeConfig(config, values);
      },
      thisRelation: new PlaceholderRelation(THIS_TOKEN, thisRelation.database, thisRelation.schema, thisRelation.identifier),
      isIncremental: false,
      vars,
      log: (message) => logs.push(message),
      env: trace
        ? new Proxy(env, {
            get: (all, name) => {
              const value = all[name as string];
              if (typeof name === 'string') trace.env[name] = value ?? null;
              return value;
            },
          })
        : env,
    };
    return { sql: typeof template === 'function' ? template(hooks) : template.render(hooks), refs, sources };
  };

  /**
   * dbt's partial parsing for SQL files: a render is reused when the file, the target, the project's vars and
   * macros, and the model's own relation are unchanged and the env vars it read have the same values.
   */
  const projectContext = contentHash(JSON.stringify([vars, files.macros.map((m) => m.text), target.database, target.schema, target.name]));
  const renderCached = (path: string, text: string, thisRel: Relation, config: Record<string, unknown>): RenderedSql => {
    const key = `${projectContext}:${contentHash(text)}:${thisRel.schema}.${thisRel.identifier}`;
    const hit = files.cache.render(key, env);
    if (hit) {
      for (const values of hit.configCalls) mergeConfig(config, values);
      return { sql: hit.sql, refs: hit.refs, sources: hit.sources };
    }
    const trace = { configCalls: [] as Array<Record<string, unknown>>, env: {} as Record<string, string | null> };
    const result = renderForParse(jinja.compile(path, text), thisRel, config, trace);
    files.cache.storeRender(key, { ...result, ...trace });
    return result;
  };

  // The project's own generic tests: `{% test name %}` blocks became macros named test_<name>.
  const customTests = new Set(macros.filter((m) => m.name.startsWith('test_')).map((m) => m.name.slice('test_'.length)));
  const testTree = project.data_tests ?? project.tests;
  /** Folder configs for tests from the project file, by the folders of the file that declares them. */
  const testDefaults = (path: string, roots: string[]): Record<string, unknown> => {
    const root = roots.find((p) => path.startsWith(`${p.replace(/\/+$/, '')}/`));
    const folders = (root ? path.slice(root.replace(/\/+$/, '').length + 1) : path).split('/').slice(0, -1);
    return folderConfig(testTree, name, folders);
  };
  /** Where a test keeps its failing rows: dbt names the audit schema as it names a model's. */
  const auditSchema = (config: TestNode['config'], node: { unique_id: string; name: string; original_file_path: string; fqn: string[]; tags: string[] }): void => {
    if (!config.store_failures) return;
    if (namer.style === 'mesh') config.schema ??= 'main_dbt_test__audit';
    else config.schema = namer.schema(config.schema ?? 'dbt_test__audit', { ...node, resource_type: 'test', package_name: name, path: node.original_file_path, config: { ...config } });
  };
  // A properties file declares a test per column: its folder configs are worked out once per file.
  const genericTestRoots = [...files.modelPaths, ...files.seedPaths];
  const genericTestDefaults = new Map<string, Record<string, unknown>>();
  const addTest = (entry: unknown, ctx: Omit<TestSpecContext, 'defaults' | 'customTests'>) => attempt(() => {
    let defaults = genericTestDefaults.get(ctx.file);
    if (!defaults) genericTestDefaults.set(ctx.file, (defaults = testDefaults(ctx.file, genericTestRoots)));
    const node = genericTestNode(entry, { ...ctx, defaults, customTests });
    if (!node.config.enabled) return;
    auditSchema(node.config, node);
    addNode(node);
    const meta = node.test_metadata!;
    if (meta.namespace || !customTests.has(meta.name)) return;
    // A {% test %} macro gets the tested relation as `model`, as in dbt, plus the entry's arguments.
    const result = renderForParse((hooks) => {
      const relation = 'ref' in ctx.target ? hooks.ref(ctx.target.ref) : hooks.source(ctx.target.source);
      const model = node.config.where ? new FilteredRelation(relation, node.config.where) : relation;
      return jinja.callMacro(`test_${meta.name}`, { ...meta.kwargs, model }, hooks, ctx.file);
    }, new Relation(target.database, target.schema, node.alias), {});
    node.refs = result.refs;
    node.sources = result.sources;
    rendered.set(node.unique_id, result);
  });

  // Models
  const modelProps = indexModelProperties(files.properties);
  // Fifty models share a folder: its folder config is worked out once, and each model gets a copy to merge into.
  const folderConfigs = new Map<string, Record<string, unknown>>();
  const modelFolderConfig = (folders: string[]): Record<string, unknown> => {
    const key = folders.join('/');
    let shared = folderConfigs.get(key);
    if (!shared) folderConfigs.set(key, (shared = folderConfig(project.models, name, folders)));
    return copyConfig(shared);
  };
  const placeOf = (path: string, roots: string[]) => {
    const root = roots.find((p) => path.startsWith(`${p.replace(/\/+$/, '')}/`)) ?? '';
    const relInside = path.slice(root.length + 1);
    return { relInside, folders: relInside.split('/').slice(0, -1) };
  };
  const used = new Set<string>();
  /** Models switched off (enabled: false): their unit tests are off too, as in dbt. */
  const disabledModels = new Set<string>();
  for (const file of files.models) attempt(() => {
    const { relInside, folders } = placeOf(file.path, files.modelPaths);
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
    const layer = namer.style === 'mesh' && (LAYERS as readonly string[]).includes(folders[0] ?? '') ? folders[0] : undefined;
    const fqn = [name, ...folders, modelName, ...(version ? [`v${version}`] : [])];
    const uniqueId = `model.${name}.${modelName}${version ? `.v${version}` : ''}`;

    const config = modelFolderConfig(folders);
    mergeConfig(config, nameConfig(project.models, name, folders, modelName, version));
    mergeConfig(config, entry?.props.config as Record<string, unknown> | undefined);
    mergeConfig(config, entry?.version?.props.config as Record<string, unknown> | undefined);
    if (entry?.props.access) config.access ??= entry.props.access;
    if (entry?.props.group) config.group ??= entry.props.group;

    const placed = (cfg: Record<string, unknown>) => {
      const named: NamedNode = {
        unique_id: uniqueId, name: modelName, resource_type: 'model', package_name: name, original_file_path: file.path,
        path: relInside, fqn, version, tags: (cfg.tags as string[] | undefined) ?? [], config: cfg,
      };
      return { schema: namer.schema(cfg.schema, named, layer), alias: namer.alias(cfg.alias, named), database: namer.database(cfg.database, named), keys: [cfg.schema, cfg.alias, cfg.database] };
    };
    const preliminary = placed(config);
    const thisRel = new Relation(preliminary.database, preliminary.schema, preliminary.alias);
    let result: RenderedSql;
    let where: typeof preliminary;
    let finalConfig: NodeConfig;
    let externalFiles: ExternalSpec | undefined;
    try {
      result = renderCached(file.path, file.text, thisRel, config);
      // config() calls in the model may move it; the names are worked out again only then.
      where = [config.schema, config.alias, config.database].every((v, i) => v === preliminary.keys[i]) ? preliminary : placed(config);
      finalConfig = normalizeConfig(config, { schema: namer.style === 'mesh' ? where.schema : target.schema });
      if (finalConfig.materialized === ('seed' as string)) finalConfig.materialized = 'table';
      if (!finalConfig.enabled) {
        disabledModels.add(modelName);
        return;
      }
      const origin = (key: string, value: unknown) => configOrigin(key, value, { files, model: file, entry, folders, name: modelName });
      refuseUnsupportedConfig(finalConfig, file.path, origin);
      if (finalConfig.materialized === 'external') {
        const config = finalConfig;
        externalFiles = externalSpec(config, {
          identifier: where.alias,
          externalRoot: target.externalRoot,
          cwd: process.cwd(),
          warn: (w) => warnings.push(w),
          locate: (key) => {
            const line = configKeyLine(file.text, key);
            return line ? { file: file.path, line } : origin(key, config[key]);
          },
        });
      }
    } catch (error) {
      if (!(error instanceof MeshError) || config.enabled === false) throw error;
      // The node stays in the graph with what is known of it, so a selection can leave it out; the
      // error is raised only if the command selects it.
      const stubConfig = normalizeConfig(config, { schema: namer.style === 'mesh' ? preliminary.schema : target.schema });
      addNode(brokenModel({ uniqueId, name: modelName, project: name, file, fqn, config: stubConfig, where: preliminary, version }));
      broken.set(uniqueId, error);
      return;
    }

    const modelColumns = entry ? versionColumns(entry.props, entry.version) : [];
    const node: ModelNode = {
      unique_id: uniqueId,
      resource_type: 'model',
      name: modelName,
      package_name: name,
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
      depends_on: { nodes: [], macros: [] },
      database: where.database,
      schema: where.schema,
      alias: where.alias,
      version,
      latest_version: entry?.props.versions?.length ? latestVersion(entry.props.versions.map((v) => v.v), entry.props.latest_version) : undefined,
      deprecation_date: entry?.version?.props.deprecation_date ?? entry?.props.deprecation_date,
      checksum: sha(file.text),
    };
    if (externalFiles) node.externalFiles = externalFiles;
    if (isCommentOnly(result.sql)) {
      warnings.push(new MeshError('W_MODEL_EMPTY', `model ${modelName} has no SQL: ${file.path} holds only comments`, {
        location: { file: file.path, line: 1 }, node: uniqueId,
        hint: 'Write the model\'s select statement, or delete the file; building it fails, as it does in dbt.',
      }));
    }
    addNode(node);
    rendered.set(uniqueId, result);
    templates.set(uniqueId, () => jinja.compile(file.path, file.text));

    // Generic tests from the properties file; a version's tests are named after the version (`<model>_v<v>`).
    if (entry) {
      const propsFile = entry.file;
      const ref: RefCall = { name: modelName, ...(version ? { version } : {}) };
      const attachedName = version ? `${modelName}_v${version}` : modelName;
      const ctx = { project: name, attachedId: uniqueId, attachedName, file: propsFile.path, target: { ref } };
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
  for (const file of files.pythonModels) attempt(() => {
    const { folders } = placeOf(file.path, files.modelPaths);
    const base = posix.basename(file.path, '.py');
    const entry = modelProps.get(base);
    if (entry) used.add(base);
    const config = modelFolderConfig(folders);
    mergeConfig(config, nameConfig(project.models, name, folders, base));
    mergeConfig(config, entry?.props.config as Record<string, unknown> | undefined);
    mergeConfig(config, pythonConfigCalls(file.text));
    if (config.enabled === false) return;
    const uniqueId = `model.${name}.${base}`;
    addNode(brokenModel({ uniqueId, name: base, project: name, file, fqn: [name, ...folders, base], config: normalizeConfig(config, { schema: target.schema }), where: { database: target.database, schema: target.schema, alias: base } }));
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
  for (const file of files.properties) (file.data.seeds ?? []).forEach((props, index) => seedProps.set(props.name, { props, file, index }));
  for (const file of files.seeds) attempt(() => {
    const { relInside, folders } = placeOf(file.path, files.seedPaths);
    const seedName = posix.basename(file.path, '.csv');
    const entry = seedProps.get(seedName);
    const config: Record<string, unknown> = folderConfig(project.seeds, name, folders);
    mergeConfig(config, nameConfig(project.seeds, name, folders, seedName));
    mergeConfig(config, entry?.props.config as NodeConfigInput as Record<string, unknown> | undefined);
    const uniqueId = `seed.${name}.${seedName}`;
    const fqn = [name, ...folders, seedName];
    const named: NamedNode = { unique_id: uniqueId, name: seedName, resource_type: 'seed', package_name: name, original_file_path: file.path, path: relInside, fqn, tags: (config.tags as string[] | undefined) ?? [], config };
    const layer = namer.style === 'mesh' && (LAYERS as readonly string[]).includes(folders[0] ?? '') ? folders[0] : undefined;
    const schema = namer.schema(config.schema, named, layer);
    const finalConfig = normalizeConfig(config, { schema: namer.style === 'mesh' ? schema : target.schema });
    finalConfig.materialized = 'seed';
    if (!finalConfig.enabled) return;
    const seedColumns = columns(entry?.props.columns);
    addNode({
      unique_id: uniqueId,
      resource_type: 'seed',
      name: seedName,
      package_name: name,
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
      const ctx = { project: name, attachedId: uniqueId, attachedName: seedName, file: entry.file.path, target: { ref: { name: seedName } } };
      for (const t of tests) addTest(t, { ...ctx, line: () => entry.file.lineOf(['seeds', entry.index]) });
      (entry.props.columns ?? []).forEach((col, ci) => {
        for (const t of [...(col.tests ?? []), ...(col.data_tests ?? [])]) {
          addTest(t, { ...ctx, column: col.name, line: () => entry.file.lineOf(['seeds', entry.index, 'columns', ci]) });
        }
      });
    }
  });

  attempt(() => parseSnapshots({
    files,
    project: name,
    database: target.database,
    render: (path, text, thisRel, config) => renderCached(path, text, thisRel, config),
    normalize: (config) => normalizeConfig(config, { schema: target.schema }),
    place: (config, node) => {
      const named: NamedNode = { ...node, resource_type: 'snapshot', package_name: name, tags: (config.tags as string[] | undefined) ?? [], config };
      return { schema: namer.schema(config.schema, named), alias: namer.alias(config.alias, named), database: namer.database(config.database, named) };
    },
    columns,
    add: (node, result, text, props) => {
      addNode(node);
      rendered.set(node.unique_id, result);
      templates.set(node.unique_id, () => jinja.compile(node.original_file_path, text));
      if (!props) return;
      const { entry, file, index } = props;
      const ctx = { project: name, attachedId: node.unique_id, attachedName: node.name, file: file.path, target: { ref: { name: node.name } } };
      for (const t of [...(entry.tests ?? []), ...(entry.data_tests ?? [])]) addTest(t, { ...ctx, line: () => file.lineOf(['snapshots', index]) });
      (entry.columns ?? []).forEach((col, ci) => {
        for (const t of [...(col.tests ?? []), ...(col.data_tests ?? [])]) {
          addTest(t, { ...ctx, column: col.name, line: () => file.lineOf(['snapshots', index, 'columns', ci]) });
        }
      });
    },
  }));

  // Sources
  const renderText = (file: string, text: string): string =>
    text.includes('{{') || text.includes('{%') ? renderForParse(jinja.compile(file, text), new Relation('', '', ''), {}).sql : text;
  // dbt-duckdb reads a relative external_location from the folder dbt runs in; the mesh's own projects
  // from the project folder, wherever the build is started.
  const locationRoot = files.dbt ? (options.cwd ?? process.cwd()) : files.root;
  for (const file of files.properties) {
    (file.data.sources ?? []).forEach((source, si) => {
      source.tables.forEach((table, ti) => attempt(() => {
        const uniqueId = `source.${name}.${source.name}.${table.name}`;
        // dbt-duckdb reads external_location from the table's config or meta (or its source's); a dbt
        // project's table-level key is not dbt's, so it is said and left alone, as dbt leaves it.
        if (table.external_location !== undefined && files.dbt) {
          warnings.push(new MeshError('W_SOURCE_KEY', `source ${source.name}.${table.name}: external_location beside the table's name is not read by dbt-duckdb; it is ignored`, {
            location: { file: file.path, line: file.lineOf(['sources', si, 'tables', ti, 'external_location']) },
            hint: 'Put it under the table\'s config: (config: {external_location: ...}) or meta:, where dbt-duckdb reads it.',
          }));
        }
        let location = (files.dbt ? undefined : table.external_location) ?? table.config?.external_location ?? (table.meta?.external_location as string | undefined) ?? source.config?.external_location ?? (source.meta?.external_location as string | undefined);
        if (location) {
          // dbt-duckdb formats the location with the table's name, identifier, schema, database and meta keys.
          const fields: Record<string, unknown> = {
            ...source.meta, ...source.config, ...table.meta, ...table.config,
            name: table.name, identifier: table.identifier ?? table.name, schema: source.schema ?? source.name, database: source.database ?? target.database,
          };
          location = renderText(file.path, location).replace(/\{(\w+)\}/g, (whole, key: string) => (fields[key] === undefined ? whole : String(fields[key])));
          location = rootedLocation(location, locationRoot);
        }
        const node: SourceNode = {
          unique_id: uniqueId,
          resource_type: 'source',
          name: table.name,
          source_name: source.name,
          package_name: name,
          original_file_path: file.path,
          patch_path: file.path,
          fqn: [name, ...file.path.split('/').slice(1, -1), source.name, table.name],
          description: table.description ?? source.description ?? '',
          tags: [...(source.tags ?? []), ...(table.tags ?? [])],
          meta: { ...(source.meta ?? {}), ...(table.meta ?? {}) },
          identifier: table.identifier ?? table.name,
          database: source.database ?? target.database,
          schema: source.schema ?? source.name,
          columns: columns(table.columns),
          external_location: location,
          loader: source.loader,
        };
        addNode(node);
        const ctx = { project: name, attachedId: uniqueId, attachedName: `${source.name}_${table.name}`, file: file.path, target: { source: { source: source.name, table: table.name } } };
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
  const testRoots = files.project['test-paths'] ?? ['tests'];
  for (const file of files.tests) attempt(() => {
    const testName = posix.basename(file.path, '.sql');
    const { folders } = placeOf(file.path, testRoots);
    const template = jinja.compile(file.path, file.text);
    const config: Record<string, unknown> = testDefaults(file.path, testRoots);
    const result = renderForParse(template, new Relation(target.database, target.schema, testName), config);
    const testConf = testConfig(config, { file: file.path, line: () => 1, test: testName });
    const uniqueId = `test.${name}.${testName}`;
    const node: TestNode = {
      unique_id: uniqueId,
      resource_type: 'test',
      name: testName,
      alias: typeof config.alias === 'string' ? config.alias : testName,
      package_name: name,
      original_file_path: file.path,
      fqn: [name, ...folders, testName],
      description: '',
      tags: testConf.tags,
      meta: {},
      config: testConf,
      raw_code: file.text,
      refs: result.refs,
      sources: result.sources,
      depends_on: { nodes: [], macros: [] },
      checksum: sha(file.text),
    };
    auditSchema(testConf, node);
    addNode(node);
    rendered.set(uniqueId, result);
  });

  attempt(() => {
    for (const node of parseUnitTests({ files, project: name, nodes, disabledModels })) addNode(node);
  });

  if (errors.length) throw MeshError.all(errors);
  const groups = files.properties.flatMap((f) => f.data.groups ?? []);
  const restrictAccess = new Set(project['restrict-access'] ? [name] : []);
  const queryComment = queryCommentOf(project['query-comment'], (text, node) => jinja.compile(files.projectFilePath, text).render({ ...noNode(), context: { node } }));
  return { name, root: files.root, files, target, nodes, rendered, templates, jinja, groups, macros, vars, env, warnings, logs, restrictAccess, queryComment, broken };
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
    const text = template.includes('{{') || template.includes('{%') ? render(template, node).trim() : template;
    return text ? { text, append } : undefined;
  };
}

/**
 * The project's vars as dbt scopes them: top-level vars for every package, `vars: {<project>: {...}}`
 * for this project only, and --vars over both.
 */
function projectVars(declared: Record<string, unknown> | undefined, project: string, overrides: Record<string, unknown> | undefined): Record<string, unknown> {
  const all = { ...(declared ?? {}) };
  const scoped = all[project];
  if (scoped && typeof scoped === 'object' && !Array.isArray(scoped)) {
    delete all[project];
    Object.assign(all, scoped);
  }
  return { ...all, ...(overrides ?? {}) };
}

/** What a dbt project declares that the engine does not run, said as warnings (errors are raised where they apply). */
function dbtWarnings(files: ProjectFiles): MeshError[] {
  const out: MeshError[] = [];
  for (const pkg of files.dbtPackages) {
    if (pkg.name === 'dbt_utils') continue;
    out.push(new MeshError('W_DBT_PACKAGE', `the dbt package '${pkg.name}' is not installed: its macros, tests and models are not available`, {
      location: { file: pkg.file, line: pkg.line },
      hint: `Copy the macros and tests the project uses into macros/, or remove the package. dbt_utils needs nothing: ${Object.keys(DBT_UTILS_MACROS).join(', ')} and its common tests are built in.`,
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
  for (const key of ['pre-hook', 'post-hook', 'pre_hook', 'post_hook']) {
    const hook = config[key];
    if (hook === undefined || hook === null || (Array.isArray(hook) && hook.length === 0)) continue;
    throw new MeshError('E_DBT_UNSUPPORTED', `${key} is not supported`, {
      location: { file },
      hint: 'DuckDB has no grants; fold what the hook does into the model\'s SQL, or remove the hook.',
    });
  }
}
