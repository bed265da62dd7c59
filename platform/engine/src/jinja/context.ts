import { createHash } from 'node:crypto';
import { MeshError } from '@mesh/errors';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { RefCall, SourceCall } from '../types';
import { Relation } from '../parse/relation';
import { Table } from './agate';
import { columnApi, DbtColumn } from './column';
import { datetimeModule, pytzModule, PyDateTime, UTC } from './datetime';
import { MacroReturn } from './errors';
import type { Introspection } from './introspection';
import type { MacroContext } from './macro-api';
import { reModule } from './re-module';
import { PyTuple, isPlainObject, pyStr, pyTruthy, splitArgs } from './python';
import { toPlain } from './filters';

/**
 * dbt's Jinja context: the functions and values every template sees (`ref`, `source`, `config`, `var`,
 * `env_var`, `this`, `target`, `execute`, `adapter`, `api`, `modules`, `exceptions`, `flags`, `return`, ...).
 * Each reads the render in progress, so one context serves every node of a project.
 */

/** What a render lets the template do: the parse stage answers refs with placeholders, the run stage with relations. */
export interface RenderHooks {
  ref(call: RefCall): Relation;
  source(call: SourceCall): Relation;
  config(values: Record<string, unknown>): void;
  thisRelation: Relation;
  isIncremental: boolean;
  vars: Readonly<Record<string, unknown>>;
  env: Readonly<Record<string, string | undefined>>;
  /** `{{ log(msg, info=True) }}`: messages dbt would print. */
  log?(message: string): void;
  /** The package of the node rendering: its own macros come first, as in dbt. The root project by default. */
  package?: string;
  /** dbt's `execute`: false while parsing (the default), true at run time. */
  execute?: boolean;
  /** The database's answers at run time; without it, introspection answers as dbt's parse does (nothing). */
  introspection?: Introspection;
  /** Told when the template reads `execute` or asks the database: the node must render again at run time. */
  onDynamic?(): void;
  /** Told of each macro a render calls, by unique id (`macro.dbt_utils.star`), for depends_on.macros. */
  onMacro?(uniqueId: string): void;
  /** The node as templates see it in `model`. */
  model?: Record<string, unknown>;
  /** `config.get(key)`: the node's config so far. */
  configValue?(key: string): unknown;
  /** Where a var is set, to place an error in the Jinja of its value. */
  varSource?(name: string): { file: string; line?: number } | undefined;
  /**
   * The clock `modules.datetime.datetime.now()` reads, in milliseconds: a node's renders at run time share one
   * instant, so a replayed render asks the database the same questions.
   */
  now?(): number;
  /** Names a hook's render adds to the context (`results` in on-run-end), seen by its macros too. */
  globals?: Record<string, unknown>;
  /**
   * Macros replaced by a value for this render, as a unit test's `overrides: macros:` replace them:
   * `current_timestamp: "'2024-01-01'"` makes every call return that text (`dbt.` names too).
   */
  macros?: Readonly<Record<string, unknown>>;
}

/** One render in progress. */
export interface RenderState {
  readonly hooks: RenderHooks;
  readonly pkg: string;
  readonly results: Map<string, { response: unknown; table: Table; data: unknown[][] } | null>;
  dynamic: boolean;
}

export interface ContextHost {
  state(): RenderState;
  readonly projectName: string;
  readonly target: Record<string, unknown>;
  readonly flags: Record<string, unknown>;
  readonly invocationId: string;
  readonly runStartedAt: PyDateTime;
  readonly graph: Record<string, unknown>;
  templateContext(): Record<string, unknown>;
  /** dbt's `render(text)`: the text rendered as a template in the render's own context. */
  renderString(text: string): string;
  dispatch(name: string, namespace?: string): (...args: unknown[]) => unknown;
  macroContext(): MacroContext;
  /** A var's value, its Jinja rendered in the node's context as dbt renders it when read. */
  renderVar(name: string, text: string): unknown;
  translateType(label: string): string;
  markDynamic(): void;
}

function usage(fn: string, message: string, hint: string): MeshError {
  return new MeshError('E_JINJA_CALL', `${fn}(): ${message}`, { hint });
}

const isJinja = (text: string) => text.includes('{{') || text.includes('{%');

/** `config(...)` with dbt's `config.get`, `config.require` and `config.set`. */
function configObject(host: ContextHost): (...raw: unknown[]) => string {
  const call = (...raw: unknown[]): string => {
    const { args, kwargs } = splitArgs(raw);
    const first = args[0];
    const values = first && typeof first === 'object' ? { ...(first as object), ...kwargs } : kwargs;
    host.state().hooks.config(values);
    return '';
  };
  const read = (key: unknown) => host.state().hooks.configValue?.(String(key));
  return Object.assign(call, {
    get: (key: unknown, fallback: unknown = null) => {
      const value = read(key);
      return value === undefined ? fallback : value;
    },
    require: (key: unknown) => {
      const value = read(key);
      if (value === undefined && host.state().hooks.execute) {
        throw new MeshError('E_CONFIG_MISSING', `the config '${String(key)}' is required and not set`, { hint: `Set ${String(key)} in the model's config() or its properties file.` });
      }
      return value ?? '';
    },
    set: (key: unknown, value: unknown) => call({ [String(key)]: value }),
    meta_get: (key: unknown, fallback: unknown = null) => {
      const meta = read('meta') as Record<string, unknown> | undefined;
      return meta && String(key) in meta ? meta[String(key)] : fallback;
    },
  });
}

function exceptions(host: ContextHost): Record<string, unknown> {
  const raise = (code: string, hint: string) => (message: unknown) => {
    throw new MeshError(code, pyStr(message), { hint });
  };
  return {
    raise_compiler_error: raise('E_COMPILER_ERROR', 'A macro raised this error on purpose; read its message.'),
    raise_not_implemented: raise('E_DBT_NOT_IMPLEMENTED', 'The macro has no implementation for this database.'),
    raise_database_error: raise('E_DATABASE_ERROR', 'A macro raised this error on purpose; read its message.'),
    raise_fail_fast_error: raise('E_COMPILER_ERROR', 'A macro raised this error on purpose; read its message.'),
    raise_contract_error: (yaml: unknown, sql: unknown) => {
      throw new MeshError('E_CONTRACT', `the model's columns do not match its contract: declared ${pyStr(yaml)}, built ${pyStr(sql)}`);
    },
    column_type_missing: (...raw: unknown[]) => {
      const { args, kwargs } = splitArgs(raw);
      throw new MeshError('E_CONTRACT', `contracted columns need a data_type: ${pyStr(kwargs.column_names ?? args[0])}`, { hint: 'Give each column a data_type in the properties file.' });
    },
    warn: (message: unknown) => {
      host.state().hooks.log?.(`warning: ${pyStr(message)}`);
      return '';
    },
  };
}

function adapterObject(host: ContextHost): Record<string, unknown> {
  const ctx = () => host.macroContext();
  const relationFrom = (raw: unknown[]) => {
    const { args, kwargs } = splitArgs(raw);
    return { database: pyStr(kwargs.database ?? args[0] ?? host.target.database), schema: pyStr(kwargs.schema ?? args[1]), identifier: pyStr(kwargs.identifier ?? args[2]) };
  };
  const columnsOf = (relation: unknown): DbtColumn[] => {
    if (!(relation instanceof Relation)) return [];
    return ctx().ask({ kind: 'columns', relation: relation.path }).map((c) => new DbtColumn(c.name, c.type));
  };
  return {
    dispatch: (...raw: unknown[]) => {
      const { args, kwargs } = splitArgs(raw);
      const name = String(kwargs.macro_name ?? args[0]);
      const namespace = (kwargs.macro_namespace ?? args[1]) as string | null | undefined;
      if (kwargs.packages !== undefined) {
        throw new MeshError('E_JINJA_CALL', `adapter.dispatch('${name}', packages=...) is no longer supported by dbt`, { hint: "Use adapter.dispatch('name', 'namespace') and the project's dispatch: config." });
      }
      return host.dispatch(name, namespace ?? undefined);
    },
    quote: (name: unknown) => `"${pyStr(name).replaceAll('"', '""')}"`,
    quote_as_configured: (name: unknown) => `"${pyStr(name).replaceAll('"', '""')}"`,
    quote_seed_column: (name: unknown, quote: unknown) => (quote === false ? pyStr(name) : `"${pyStr(name).replaceAll('"', '""')}"`),
    type: () => String(host.target.type),
    get_relation: (...raw: unknown[]) => {
      const r = relationFrom(raw);
      const found = ctx().ask({ kind: 'relation', relation: r });
      return found ? ctx().relation(r.database, r.schema, r.identifier, found.kind) : null;
    },
    get_columns_in_relation: columnsOf,
    get_columns_in_table: (schema: unknown, identifier: unknown) => columnsOf(new Relation(String(host.target.database), pyStr(schema), pyStr(identifier))),
    get_missing_columns: (from: unknown, to: unknown) => {
      const have = new Set(columnsOf(to).map((c) => c.name.toLowerCase()));
      return columnsOf(from).filter((c) => !have.has(c.name.toLowerCase()));
    },
    already_exists: (schema: unknown, name: unknown) => Boolean(ctx().ask({ kind: 'relation', relation: { database: String(host.target.database), schema: pyStr(schema), identifier: pyStr(name) } })),
    check_schema_exists: (database: unknown, schema: unknown) =>
      ctx().ask({ kind: 'relations', database: pyStr(database), schemaPattern: pyStr(schema), identifierPattern: '%', exclude: '' }).length > 0,
    execute: (...raw: unknown[]) => {
      const { args, kwargs } = splitArgs(raw);
      const fetch = pyTruthy(kwargs.fetch ?? args[2]);
      const c = ctx();
      if (!c.execute) return [null, Table.empty()];
      const answer = c.ask({ kind: 'statement', sql: pyStr(kwargs.sql ?? args[0]), fetch, ...(pyTruthy(kwargs.auto_begin ?? args[1]) ? { autoBegin: true } : {}) });
      return [{ _message: 'OK', code: 'OK', rows_affected: answer.rowsAffected ?? -1 }, new Table(fetch ? answer : { columns: [], rows: [] })];
    },
    create_schema: (relation: unknown) => c0(ctx().call('create_schema', [relation])),
    drop_schema: (relation: unknown) => c0(ctx().call('drop_schema', [relation])),
    drop_relation: (relation: unknown) => c0(ctx().call('drop_relation', [relation])),
    truncate_relation: (relation: unknown) => c0(ctx().call('truncate_relation', [relation])),
    rename_relation: (from: unknown, to: unknown) => c0(ctx().call('rename_relation', [from, to])),
    list_relations_without_caching: (relation: unknown) => ctx().call('list_relations_without_caching', [relation]),
    expand_target_column_types: () => '',
    commit: () => {
      const c = ctx();
      if (c.execute) c.ask({ kind: 'commit' });
      return '';
    },
    cache_added: () => '',
    cache_dropped: () => '',
    cache_renamed: () => '',
    behavior: new Proxy({}, { get: () => ({ no_warn: false, setting: false }) }),
    get Relation() {
      return relationApi(host);
    },
    get Column() {
      return columnApi((label) => host.translateType(label));
    },
    config: { get quoting() { return { database: true, schema: true, identifier: true }; } },
  };
}

function c0(_: unknown): string {
  return '';
}

function relationApi(host: ContextHost): Record<string, unknown> {
  return {
    create: (...raw: unknown[]) => {
      const { args, kwargs } = splitArgs(raw);
      const part = (name: string, i: number, fallback: string) => {
        const v = kwargs[name] ?? args[i];
        return v === undefined || v === null ? fallback : pyStr(v);
      };
      const relation = new Relation(part('database', 0, String(host.target.database ?? '')), part('schema', 1, String(host.target.schema ?? 'main')), part('identifier', 2, ''));
      relation.type = (kwargs.type ?? args[3] ?? null) as Relation['type'];
      return relation;
    },
    add_ephemeral_prefix: (name: unknown) => `__dbt__cte__${pyStr(name)}`,
  };
}

/** `zip`, `set`, `tojson`, ... as dbt's context has them. */
function utilities(): Record<string, unknown> {
  return {
    zip: (...lists: unknown[]) => {
      const arrays = lists.map((l) => (Array.isArray(l) ? l : []));
      const n = Math.min(...arrays.map((a) => a.length));
      return Array.from({ length: n }, (_, i) => PyTuple.from_(arrays.map((a) => a[i])));
    },
    set: (value: unknown) => [...new Set(Array.isArray(value) ? value : [])],
    set_strict: (value: unknown) => [...new Set(value as unknown[])],
    tojson: (value: unknown, fallback?: unknown) => {
      try {
        return JSON.stringify(toPlain(value));
      } catch {
        return fallback ?? null;
      }
    },
    fromjson: (text: unknown, fallback?: unknown) => {
      try {
        return JSON.parse(pyStr(text));
      } catch {
        return fallback ?? null;
      }
    },
    toyaml: (value: unknown) => stringifyYaml(toPlain(value)),
    fromyaml: (text: unknown, fallback?: unknown) => {
      try {
        return parseYaml(pyStr(text));
      } catch {
        return fallback ?? null;
      }
    },
    local_md5: (text: unknown) => createHash('md5').update(pyStr(text)).digest('hex'),
    range: (...raw: unknown[]) => {
      const [a, b, c] = raw.map(Number);
      const [start, stop, step] = raw.length === 1 ? [0, a!, 1] : [a!, b!, c ?? 1];
      const out: number[] = [];
      for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(i);
      return out;
    },
    dict: (...raw: unknown[]) => {
      const { args, kwargs } = splitArgs(raw);
      const base = args[0];
      const out: Record<string, unknown> = isPlainObject(base) ? { ...base } : Array.isArray(base) ? Object.fromEntries(base as Array<[string, unknown]>) : {};
      return Object.assign(out, kwargs);
    },
    namespace: (...raw: unknown[]) => {
      const { args, kwargs } = splitArgs(raw);
      return Object.assign({}, ...args.filter(isPlainObject), kwargs);
    },
    try_or_compiler_error: (message: unknown, fn: unknown, ...args: unknown[]) => {
      try {
        return (fn as (...a: unknown[]) => unknown)(...args);
      } catch {
        throw new MeshError('E_COMPILER_ERROR', pyStr(message));
      }
    },
    diff_of_two_dicts: (a: unknown, b: unknown) => {
      const left = (a ?? {}) as Record<string, unknown[]>;
      const right = (b ?? {}) as Record<string, unknown[]>;
      const out: Record<string, unknown[]> = {};
      for (const [k, v] of Object.entries(left)) {
        const other = new Set((right[k] ?? []).map((x) => pyStr(x).toLowerCase()));
        const missing = (v ?? []).filter((x) => !other.has(pyStr(x).toLowerCase()));
        if (missing.length) out[k] = missing;
      }
      return out;
    },
  };
}

/** The context object: every dbt context member, each reading the render in progress. */
export function createContext(host: ContextHost): Record<string, unknown> {
  const state = () => host.state();
  const hooks = () => state().hooks;

  const ref = (...raw: unknown[]): Relation => {
    const { args, kwargs } = splitArgs(raw);
    const version = kwargs.v ?? kwargs.version;
    if (args.length < 1 || args.length > 2 || args.some((a) => typeof a !== 'string' && !(a instanceof String))) {
      throw usage('ref', 'expects a model name, or a package and a model name', "Write ref('model') or ref('package', 'model').");
    }
    const [a, b] = args.map(String);
    const call: RefCall = b === undefined ? { name: a! } : { project: a, name: b };
    if (version !== undefined && version !== null) call.version = String(version);
    return hooks().ref(call);
  };
  const source = (...raw: unknown[]): Relation => {
    const { args } = splitArgs(raw);
    if (args.length !== 2 || args.some((a) => typeof a !== 'string' && !(a instanceof String))) {
      throw usage('source', 'expects a source name and a table name', "Write source('source_name', 'table_name').");
    }
    return hooks().source({ source: String(args[0]), table: String(args[1]) });
  };
  const config = configObject(host);
  const varFn = (...raw: unknown[]): unknown => {
    const { args } = splitArgs(raw);
    const name = pyStr(args[0]);
    const vars = hooks().vars;
    if (Object.hasOwn(vars, name)) {
      const value = vars[name];
      return typeof value === 'string' && isJinja(value) ? host.renderVar(name, value) : value;
    }
    if (args.length > 1) return args[1];
    throw new MeshError('E_VAR_MISSING', `required var '${name}' is not set`, {
      hint: `Set it under vars: in the project file, pass --vars '{${name}: ...}', or give a default: var('${name}', ...).`,
    });
  };
  const envVar = (...raw: unknown[]): unknown => {
    const { args } = splitArgs(raw);
    const name = pyStr(args[0]);
    const value = hooks().env[name];
    if (value !== undefined) return value;
    if (args.length > 1) return args[1];
    throw new MeshError('E_ENV_VAR_MISSING', `environment variable '${name}' is not set`, {
      hint: `Export ${name} before running, or give a default: env_var('${name}', ...).`,
    });
  };
  const log = (...raw: unknown[]): string => {
    const { args, kwargs } = splitArgs(raw);
    const info = kwargs.info ?? args[1];
    if (info === true) hooks().log?.(pyStr(args[0]));
    return '';
  };
  const modules = {
    datetime: datetimeModule(() => PyDateTime.fromUtcMillis(host.state().hooks.now?.() ?? Date.now(), UTC)),
    pytz: pytzModule,
    re: reModule,
  };
  const adapter = adapterObject(host);
  const builtins = { ref, source, config };

  const context: Record<string, unknown> = {
    ...utilities(),
    ref,
    source,
    config,
    var: varFn,
    env_var: envVar,
    is_incremental: () => hooks().isIncremental,
    log,
    print: (...raw: unknown[]) => {
      hooks().log?.(pyStr(splitArgs(raw).args[0]));
      return '';
    },
    return: (value: unknown) => {
      throw new MacroReturn(value);
    },
    store_result: (...raw: unknown[]) => {
      const { args, kwargs } = splitArgs(raw);
      const table = (kwargs.agate_table ?? args[2] ?? Table.empty()) as Table;
      state().results.set(pyStr(kwargs.name ?? args[0]), { response: kwargs.response ?? args[1] ?? null, table, data: table.rows.values().map((r) => r.values()) });
      return '';
    },
    store_raw_result: (...raw: unknown[]) => {
      const { args, kwargs } = splitArgs(raw);
      const table = (kwargs.agate_table ?? args[4] ?? Table.empty()) as Table;
      state().results.set(pyStr(kwargs.name ?? args[0]), {
        response: { _message: kwargs.message ?? args[1] ?? null, code: kwargs.code ?? args[2] ?? null, rows_affected: kwargs.rows_affected ?? args[3] ?? null },
        table,
        data: table.rows.values().map((r) => r.values()),
      });
      return '';
    },
    load_result: (name: unknown) => {
      const key = pyStr(name);
      const results = state().results;
      if (!results.has(key)) return null;
      const result = results.get(key);
      // dbt hands a result out once (except 'main'); a second load is an error there.
      if (result === null) throw new MeshError('E_JINJA_CALL', `load_result('${key}'): the result was already loaded`, { hint: 'Keep the result in a variable: {% set result = load_result(...) %}.' });
      if (key !== 'main') results.set(key, null);
      return result;
    },
    write: () => '',
    render: (text: unknown) => host.renderString(pyStr(text)),
    modules,
    exceptions: exceptions(host),
    adapter,
    api: { get Relation() { return relationApi(host); }, get Column() { return columnApi((label) => host.translateType(label)); } },
    builtins,
    caller: undefined,
    invocation_args_dict: {},
    dbt_metadata_envs: {},
    selected_resources: [],
  };
  const getters: Record<string, () => unknown> = {
    this: () => hooks().thisRelation,
    target: () => host.target,
    flags: () => host.flags,
    execute: () => {
      host.markDynamic();
      return hooks().execute === true;
    },
    model: () => hooks().model ?? {},
    graph: () => host.graph,
    context: () => host.templateContext(),
    project_name: () => host.projectName,
    database: () => host.target.database,
    schema: () => host.target.schema,
    invocation_id: () => host.invocationId,
    run_started_at: () => host.runStartedAt,
    dbt_version: () => '1.12.0',
    thread_id: () => 'Thread-1',
  };
  for (const [name, get] of Object.entries(getters)) Object.defineProperty(context, name, { get, enumerable: true, configurable: true });
  return context;
}
