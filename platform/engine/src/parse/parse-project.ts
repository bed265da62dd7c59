import { isAbsolute, join, posix } from 'node:path';
import { MeshError } from '@mesh/errors';
import type { ProjectFiles, PropertiesSource } from '../load/load-project';
import type { ColumnInput, GroupInput, ModelPropertiesInput, NodeConfigInput } from '../load/schemas';
import type { ColumnDef, GraphNode, ModelNode, NodeConfig, RefCall, SourceCall, SourceNode, TestNode } from '../types';
import { folderConfig, mergeConfig } from './folder-config';
import { genericTestNode, testConfig, type TestSpecContext } from './generic-tests';
import { DBT_UTILS_MACROS } from './dbt-natives';
import { JinjaEnvironment, type CompiledTemplate, type RenderHooks } from './jinja';
import { FilteredRelation, PlaceholderRelation, Relation } from './relation';
import { resolveTarget, type ResolvedTarget } from './target';
import { loadedAt, tableFreshness } from './source-freshness';
import { contentHash } from '../load/parse-cache';
import { digest } from '../util/digest';

export const LAYERS = ['bronze', 'silver', 'gold'] as const;

export interface ParseOptions {
  vars?: Record<string, unknown>;
  env?: Record<string, string | undefined>;
  target?: string;
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
}

export const PLACEHOLDER = /\u0001([RST])(\d*)\u0001/g;
const refToken = (i: number) => `\u0001R${i}\u0001`;
const sourceToken = (i: number) => `\u0001S${i}\u0001`;
const THIS_TOKEN = '\u0001T\u0001';

function sha(text: string): string {
  return digest('sha256', text, 'hex');
}

function columns(input: ColumnInput[] | undefined): ColumnDef[] {
  return (input ?? []).map((c) => ({
    name: c.name,
    description: c.description ?? '',
    data_type: c.data_type,
    constraints: (c.constraints ?? []).map((k) => ({ type: k.type, expression: k.expression, name: k.name })),
    tags: [...(c.tags ?? []), ...(c.config?.tags ?? [])],
    meta: { ...(c.meta ?? {}), ...(c.config?.meta ?? {}) },
  }));
}

interface ModelProps {
  props: ModelPropertiesInput;
  file: PropertiesSource;
  index: number;
  /** For a versioned model file: its version and that version's properties. */
  version?: { v: string; props: NonNullable<ModelPropertiesInput['versions']>[number]; index: number };
}

/** Index of model properties by the SQL file base name they describe (versions: `<name>_v<v>` or defined_in). */
function indexModelProperties(files: PropertiesSource[]): Map<string, ModelProps> {
  const out = new Map<string, ModelProps>();
  const claim = (key: string, value: ModelProps) => {
    const existing = out.get(key);
    if (existing) {
      throw new MeshError('E_DUPLICATE_PROPERTIES', `model '${key}' is described twice`, {
        location: { file: value.file.path, line: value.file.lineOf(['models', value.index]) },
        hint: `It is also described in ${existing.file.path}; keep one entry.`,
      });
    }
    out.set(key, value);
  };
  for (const file of files) {
    (file.data.models ?? []).forEach((props, index) => {
      if (!props.versions?.length) {
        claim(props.name, { props, file, index });
        return;
      }
      props.versions.forEach((vp, vi) => {
        claim(vp.defined_in ?? `${props.name}_v${vp.v}`, { props, file, index, version: { v: vp.v, props: vp, index: vi } });
      });
    });
  }
  return out;
}

/** Columns of one version: dbt's `include: all` / `exclude:` over the model's columns, plus overrides. */
function versionColumns(base: ColumnDef[], entries: NonNullable<NonNullable<ModelPropertiesInput['versions']>[number]['columns']> | undefined): ColumnDef[] {
  if (!entries) return base;
  let result: ColumnDef[] = [];
  const overrides: ColumnInput[] = [];
  for (const entry of entries) {
    if ('include' in entry) {
      const include = entry.include;
      const exclude = new Set(entry.exclude ?? []);
      const names = include === 'all' || include === '*' ? base.map((c) => c.name) : Array.isArray(include) ? include : [include];
      result = base.filter((c) => names.includes(c.name) && !exclude.has(c.name));
    } else overrides.push(entry);
  }
  for (const col of columns(overrides)) {
    const i = result.findIndex((c) => c.name === col.name);
    if (i >= 0) result[i] = col;
    else result.push(col);
  }
  return result;
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
  const target = resolveTarget(project, files.root, options.target);
  const vars = projectVars(project.vars, name, options.vars);
  const env = options.env ?? process.env;
  const jinja = new JinjaEnvironment();
  jinja.cache = files.cache;
  jinja.target = { name: target.name, type: target.type, schema: 'main', database: target.database, threads: target.threads, profile_name: project.profile ?? name };
  const warnings = dbtWarnings(files);
  for (const key of ['on-run-start', 'on-run-end'] as const) {
    const hooks = project[key];
    if (hooks === undefined || hooks === null || (Array.isArray(hooks) && hooks.length === 0)) continue;
    throw new MeshError('E_DBT_UNSUPPORTED', `${key} hooks are not supported`, {
      location: { file: files.projectFilePath, line: files.projectLineOf([key]) },
      hint: 'DuckDB has no grants or warehouses to set up; put setup SQL in a model or a macro the models call, or remove the hooks.',
    });
  }
  const logs: string[] = [];
  const macros: Array<{ name: string; path: string }> = [];
  for (const file of files.macros) {
    for (const macro of jinja.addMacros(file.path, file.text)) macros.push({ name: macro, path: file.path });
  }

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
        return new PlaceholderRelation(refToken(i), target.database, 'main', call.name);
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
  const projectContext = contentHash(JSON.stringify([vars, files.macros.map((m) => m.text), target.database, target.name]));
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
  // A properties file declares a test per column: its folder configs are worked out once per file.
  const genericTestRoots = [...files.modelPaths, ...files.seedPaths];
  const genericTestDefaults = new Map<string, Record<string, unknown>>();
  const addTest = (entry: unknown, ctx: Omit<TestSpecContext, 'defaults' | 'customTests'>) => {
    let defaults = genericTestDefaults.get(ctx.file);
    if (!defaults) genericTestDefaults.set(ctx.file, (defaults = testDefaults(ctx.file, genericTestRoots)));
    const node = genericTestNode(entry, { ...ctx, defaults, customTests });
    if (!node.config.enabled) return;
    addNode(node);
    const meta = node.test_metadata!;
    if (meta.namespace || !customTests.has(meta.name)) return;
    // A {% test %} macro gets the tested relation as `model`, as in dbt, plus the entry's arguments.
    const result = renderForParse((hooks) => {
      const relation = 'ref' in ctx.target ? hooks.ref(ctx.target.ref) : hooks.source(ctx.target.source);
      const model = node.config.where ? new FilteredRelation(relation, node.config.where) : relation;
      return jinja.callMacro(`test_${meta.name}`, { ...meta.kwargs, model }, hooks, ctx.file);
    }, new Relation(target.database, 'main', node.name), {});
    node.refs = result.refs;
    node.sources = result.sources;
    rendered.set(node.unique_id, result);
  };

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
  const used = new Set<string>();
  for (const file of files.models) {
    const modelPath = files.modelPaths.find((p) => file.path.startsWith(`${p.replace(/\/+$/, '')}/`)) ?? '';
    const relInside = file.path.slice(modelPath.length + 1);
    const folders = relInside.split('/').slice(0, -1);
    const base = posix.basename(file.path, '.sql');
    const entry = modelProps.get(base);
    if (entry) used.add(base);
    const modelName = entry?.props.name ?? base;
    const version = entry?.version?.v;
    const layer = (LAYERS as readonly string[]).includes(folders[0] ?? '') ? folders[0] : undefined;

    const config = modelFolderConfig(folders);
    mergeConfig(config, entry?.props.config as Record<string, unknown> | undefined);
    mergeConfig(config, entry?.version?.props.config as Record<string, unknown> | undefined);
    if (entry?.props.access) config.access ??= entry.props.access;
    if (entry?.props.group) config.group ??= entry.props.group;

    const preliminary = normalizeConfig(config, { schema: layer });
    const thisRel = new Relation(target.database, preliminary.schema, preliminary.alias ?? base);
    const result = renderCached(file.path, file.text, thisRel, config);
    const finalConfig = normalizeConfig(config, { schema: layer });
    if (finalConfig.materialized === ('seed' as string)) finalConfig.materialized = 'table';
    if (!finalConfig.enabled) continue;
    refuseUnsupportedConfig(finalConfig, file.path);

    const baseColumns = columns(entry?.props.columns);
    const modelColumns = entry?.version ? versionColumns(baseColumns, entry.version.props.columns as never) : baseColumns;
    const uniqueId = `model.${name}.${modelName}${version ? `.v${version}` : ''}`;
    const node: ModelNode = {
      unique_id: uniqueId,
      resource_type: 'model',
      name: modelName,
      package_name: name,
      original_file_path: file.path,
      patch_path: entry?.file.path,
      fqn: [name, ...folders, modelName, ...(version ? [`v${version}`] : [])],
      description: entry?.version?.props.description ?? entry?.props.description ?? '',
      tags: finalConfig.tags,
      meta: finalConfig.meta,
      config: finalConfig,
      columns: modelColumns,
      raw_code: file.text,
      refs: result.refs,
      sources: result.sources,
      depends_on: { nodes: [], macros: [] },
      database: target.database,
      schema: finalConfig.schema,
      alias: finalConfig.alias ?? base,
      version,
      latest_version: entry?.props.versions?.length
        ? (entry.props.latest_version ?? entry.props.versions.map((v) => v.v).sort((a, b) => Number(b) - Number(a))[0])
        : undefined,
      deprecation_date: entry?.version?.props.deprecation_date ?? entry?.props.deprecation_date,
      checksum: sha(file.text),
    };
    addNode(node);
    rendered.set(uniqueId, result);
    templates.set(uniqueId, () => jinja.compile(file.path, file.text));

    // Generic tests from the properties file
    if (entry) {
      const propsFile = entry.file;
      const path = ['models', entry.index];
      const ref: RefCall = { name: modelName, ...(version ? { version } : {}) };
      const tests = [
        ...(entry.props.tests ?? []), ...(entry.props.data_tests ?? []),
        ...(entry.version?.props.tests ?? []), ...(entry.version?.props.data_tests ?? []),
      ];
      for (const t of tests) {
        addTest(t, { project: name, attachedId: uniqueId, attachedName: modelName, file: propsFile.path, line: () => propsFile.lineOf(path), target: { ref } });
      }
      (entry.props.columns ?? []).forEach((col, ci) => {
        if (!modelColumns.some((c) => c.name === col.name)) return;
        for (const t of [...(col.tests ?? []), ...(col.data_tests ?? [])]) {
          addTest(t, {
            project: name, attachedId: uniqueId, attachedName: `${modelName}${version ? `_v${version}` : ''}`, column: col.name,
            file: propsFile.path, line: () => propsFile.lineOf([...path, 'columns', ci]), target: { ref },
          });
        }
      });
    }
  }

  for (const [key, entry] of modelProps) {
    if (!used.has(key)) {
      throw new MeshError('E_PROPERTIES_ORPHAN', `properties describe model '${key}', but there is no ${key}.sql`, {
        location: { file: entry.file.path, line: entry.file.lineOf(['models', entry.index, 'name']) },
        hint: entry.version ? `Create ${key}.sql for version ${entry.version.v}, or set defined_in:.` : `Create ${key}.sql under a model path, or fix the name.`,
      });
    }
  }

  // Seeds
  const seedProps = new Map<string, { props: NonNullable<PropertiesSource['data']['seeds']>[number]; file: PropertiesSource; index: number }>();
  for (const file of files.properties) (file.data.seeds ?? []).forEach((props, index) => seedProps.set(props.name, { props, file, index }));
  for (const file of files.seeds) {
    const seedPath = files.seedPaths.find((p) => file.path.startsWith(`${p.replace(/\/+$/, '')}/`)) ?? '';
    const folders = file.path.slice(seedPath.length + 1).split('/').slice(0, -1);
    const seedName = posix.basename(file.path, '.csv');
    const entry = seedProps.get(seedName);
    const config: Record<string, unknown> = folderConfig(project.seeds, name, folders);
    mergeConfig(config, entry?.props.config as NodeConfigInput as Record<string, unknown> | undefined);
    const finalConfig = normalizeConfig(config, { schema: (LAYERS as readonly string[]).includes(folders[0] ?? '') ? folders[0] : undefined });
    finalConfig.materialized = 'seed';
    if (!finalConfig.enabled) continue;
    const uniqueId = `seed.${name}.${seedName}`;
    const seedColumns = columns(entry?.props.columns);
    addNode({
      unique_id: uniqueId,
      resource_type: 'seed',
      name: seedName,
      package_name: name,
      original_file_path: file.path,
      patch_path: entry?.file.path,
      fqn: [name, ...folders, seedName],
      description: entry?.props.description ?? '',
      tags: finalConfig.tags,
      meta: finalConfig.meta,
      config: finalConfig,
      columns: seedColumns,
      raw_code: '',
      refs: [],
      sources: [],
      depends_on: { nodes: [], macros: [] },
      database: target.database,
      schema: finalConfig.schema,
      alias: finalConfig.alias ?? seedName,
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
  }

  // Sources
  const renderText = (file: string, text: string): string =>
    text.includes('{{') || text.includes('{%') ? renderForParse(jinja.compile(file, text), new Relation('', '', ''), {}).sql : text;
  for (const file of files.properties) {
    (file.data.sources ?? []).forEach((source, si) => {
      source.tables.forEach((table, ti) => {
        const uniqueId = `source.${name}.${source.name}.${table.name}`;
        let location = table.external_location ?? table.config?.external_location ?? (table.meta?.external_location as string | undefined) ?? source.config?.external_location ?? (source.meta?.external_location as string | undefined);
        if (location) {
          location = renderText(file.path, location)
            .replaceAll('{name}', table.name)
            .replaceAll('{identifier}', table.identifier ?? table.name)
            .replaceAll('{schema}', source.schema ?? source.name);
          location = rootedLocation(location, files.root);
        }
        const node: SourceNode = {
          unique_id: uniqueId,
          resource_type: 'source',
          name: table.name,
          source_name: source.name,
          package_name: name,
          original_file_path: file.path,
          patch_path: file.path,
          fqn: [name, source.name, table.name],
          description: table.description ?? source.description ?? '',
          tags: [...(source.tags ?? []), ...(table.tags ?? [])],
          meta: { ...(source.meta ?? {}), ...(table.meta ?? {}) },
          identifier: table.identifier ?? table.name,
          database: source.database ?? target.database,
          schema: source.schema ?? source.name,
          columns: columns(table.columns),
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
        const ctx = { project: name, attachedId: uniqueId, attachedName: `${source.name}_${table.name}`, file: file.path, target: { source: { source: source.name, table: table.name } } };
        for (const t of [...(table.tests ?? []), ...(table.data_tests ?? [])]) addTest(t, { ...ctx, line: () => file.lineOf(['sources', si, 'tables', ti]) });
        (table.columns ?? []).forEach((col, ci) => {
          for (const t of [...(col.tests ?? []), ...(col.data_tests ?? [])]) {
            addTest(t, { ...ctx, column: col.name, line: () => file.lineOf(['sources', si, 'tables', ti, 'columns', ci]) });
          }
        });
      });
    });
  }

  // Singular tests
  const testRoots = files.project['test-paths'] ?? ['tests'];
  for (const file of files.tests) {
    const testName = posix.basename(file.path, '.sql');
    const template = jinja.compile(file.path, file.text);
    const config: Record<string, unknown> = testDefaults(file.path, testRoots);
    const result = renderForParse(template, new Relation(target.database, 'main', testName), config);
    const testConf = testConfig(config, { file: file.path, line: () => 1, test: testName });
    const uniqueId = `test.${name}.${testName}`;
    const node: TestNode = {
      unique_id: uniqueId,
      resource_type: 'test',
      name: testName,
      package_name: name,
      original_file_path: file.path,
      fqn: [name, testName],
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
    addNode(node);
    rendered.set(uniqueId, result);
  }

  const groups = files.properties.flatMap((f) => f.data.groups ?? []);
  return { name, root: files.root, files, target, nodes, rendered, templates, jinja, groups, macros, vars, env, warnings, logs };
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
    for (const key of ['unit_tests', 'semantic_models', 'metrics', 'saved_queries'] as const) {
      if (!(file.data as Record<string, unknown>)[key]) continue;
      out.push(new MeshError('W_DBT_IGNORED', `${key}: in ${file.path} ${key === 'unit_tests' ? 'are not run' : 'are not read'} by the engine`, {
        location: { file: file.path, line: file.lineOf([key]) },
        hint: key === 'unit_tests' ? 'Turn each unit test into a singular test in tests/ (a query returning the rows that are wrong).' : 'They are kept in the file for dbt; nothing is built from them.',
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

const MATERIALIZATIONS = new Set(['view', 'table', 'incremental', 'ephemeral']);

/** Configs a model may carry in dbt that the engine would otherwise ignore, building something else. */
function refuseUnsupportedConfig(config: NodeConfig, file: string): void {
  const materialized: string = config.materialized;
  if (!MATERIALIZATIONS.has(materialized)) {
    throw new MeshError('E_DBT_UNSUPPORTED', `materialized='${materialized}' is not supported`, {
      location: { file },
      hint: materialized === 'external'
        ? "Build it as a table; to write files, export the published table (COPY ... TO) outside the build."
        : 'Use one of view, table, incremental or ephemeral.',
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
