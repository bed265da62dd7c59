import { MeshError } from '@mesh/errors';
import { Table } from './agate';
import { DbtColumn } from './column';
import { fixed, listArgument, macro, type MacroContext, type NativeMacro } from './macro-api';
import { pyStr, pyTruthy } from './python';
import { Relation } from '../parse/relation';

/**
 * dbt's own macro library, the `dbt` package every project and package calls into: the cross-database
 * macros (`dateadd`, `type_string`, `concat`, ...), which dispatch to the adapter's spelling and fall back to
 * dbt's `default__` one; and the adapter helpers packages build on (`statement`, `run_query`,
 * `get_columns_in_relation`, `load_relation`, `make_temp_relation`, ...). Each behaves as dbt-core's macro of
 * that name; the text they render is SQL, the values they return are what dbt's return.
 */

type Params = NativeMacro['params'];

/** `name(args)` that returns `adapter.dispatch(name, 'dbt')(args)`, as each of dbt's cross-database macros does. */
function dispatcher(name: string, params: Params): NativeMacro {
  const names = params.map((p) => (typeof p === 'string' ? p : p[0]));
  return macro(params, (args, ctx) => ctx.dispatch(name, 'dbt')(...names.map((n) => args[n])));
}

const str = (v: unknown) => pyStr(v);

/** The SQL of a statement's caller block, as dbt's statement macro reads it. */
function callerSql(ctx: MacroContext, caller: unknown): string {
  return caller === undefined ? '' : str(ctx.invoke(caller));
}

/** Results stored by name for load_result, per render (dbt keeps them per node). */
export interface StatementResults {
  store(name: string, result: { response: unknown; table: Table; data: unknown[][] }): void;
  load(name: string): { response: unknown; table: Table; data: unknown[][] } | undefined;
}

/** Runs a statement at the database through the render's introspection, or nothing while parsing. */
export function runStatement(ctx: MacroContext, sql: string, fetch: boolean, autoBegin = false): { response: Record<string, unknown>; table: Table } | undefined {
  if (!ctx.execute) return undefined;
  const answer = ctx.ask({ kind: 'statement', sql, fetch, ...(autoBegin ? { autoBegin } : {}) });
  const table = new Table(fetch ? answer : { columns: [], rows: [] });
  const rows = answer.rowsAffected ?? (fetch ? answer.rows.length : -1);
  return { response: { _message: `OK ${rows}`, code: 'OK', rows_affected: rows }, table };
}

const CROSS_DATABASE: Record<string, NativeMacro> = {
  any_value: dispatcher('any_value', ['expression']),
  default__any_value: macro(['expression'], (a) => `any_value(${str(a.expression)})`),
  array_append: dispatcher('array_append', ['array', 'new_element']),
  default__array_append: macro(['array', 'new_element'], (a) => `array_append(${str(a.array)}, ${str(a.new_element)})`),
  array_concat: dispatcher('array_concat', ['array_1', 'array_2']),
  default__array_concat: macro(['array_1', 'array_2'], (a) => `array_cat(${str(a.array_1)}, ${str(a.array_2)})`),
  array_construct: macro([['inputs', []], 'data_type'], (a, ctx) => ctx.dispatch('array_construct', 'dbt')(a.inputs, a.data_type ?? ctx.translateType('integer'))),
  default__array_construct: macro(['inputs', 'data_type'], (a) => {
    const inputs = listArgument('array_construct', 'inputs', a.inputs);
    return inputs.length ? `array[ ${inputs.map(str).join(' , ')} ]` : `array[]::${str(a.data_type)}[]`;
  }),
  bool_or: dispatcher('bool_or', ['expression']),
  default__bool_or: macro(['expression'], (a) => `bool_or(${str(a.expression)})`),
  cast: dispatcher('cast', ['field', 'type']),
  default__cast: macro(['field', 'type'], (a) => `cast(${str(a.field)} as ${str(a.type)})`),
  cast_bool_to_text: dispatcher('cast_bool_to_text', ['field']),
  default__cast_bool_to_text: macro(['field'], (a, ctx) => `cast(${str(a.field)} as ${ctx.translateType('string')})`),
  concat: dispatcher('concat', ['fields']),
  default__concat: macro(['fields'], (a) => listArgument('concat', 'fields', a.fields).map(str).join(' || ')),
  date: dispatcher('date', ['year', 'month', 'day']),
  default__date: macro(['year', 'month', 'day'], (a) => {
    const iso = `${String(a.year).padStart(4, '0')}-${String(a.month).padStart(2, '0')}-${String(a.day).padStart(2, '0')}`;
    return `to_date('${iso}', 'YYYY-MM-DD')`;
  }),
  date_trunc: dispatcher('date_trunc', ['datepart', 'date']),
  default__date_trunc: macro(['datepart', 'date'], (a) => `date_trunc('${str(a.datepart)}', ${str(a.date)})`),
  dateadd: dispatcher('dateadd', ['datepart', 'interval', 'from_date_or_timestamp']),
  default__dateadd: macro(['datepart', 'interval', 'from_date_or_timestamp'], (a) => `dateadd(${str(a.datepart)}, ${str(a.interval)}, ${str(a.from_date_or_timestamp)})`),
  datediff: dispatcher('datediff', ['first_date', 'second_date', 'datepart']),
  default__datediff: macro(['first_date', 'second_date', 'datepart'], (a) => `datediff(${str(a.datepart)}, ${str(a.first_date)}, ${str(a.second_date)})`),
  equals: dispatcher('equals', ['expr1', 'expr2']),
  // dbt's behaviour flag enable_truthy_nulls_equals_macro is off by default: a plain comparison.
  default__equals: macro(['expr1', 'expr2'], (a) => `(${str(a.expr1)} = ${str(a.expr2)})`),
  escape_single_quotes: dispatcher('escape_single_quotes', ['expression']),
  default__escape_single_quotes: macro(['expression'], (a) => str(a.expression).replaceAll("'", "''")),
  except: dispatcher('except', []),
  default__except: fixed('except'),
  intersect: dispatcher('intersect', []),
  default__intersect: fixed('intersect'),
  hash: dispatcher('hash', ['field']),
  default__hash: macro(['field'], (a, ctx) => `md5(cast(${str(a.field)} as ${ctx.translateType('string')}))`),
  last_day: dispatcher('last_day', ['date', 'datepart']),
  default_last_day: macro(['date', 'datepart'], (a, ctx) => {
    const truncated = ctx.call('dbt.date_trunc', [a.datepart, a.date]);
    const next = ctx.call('dbt.dateadd', [a.datepart, '1', truncated]);
    return `cast(${str(ctx.call('dbt.dateadd', ['day', '-1', next]))} as date)`;
  }),
  default__last_day: macro(['date', 'datepart'], (a, ctx) => ctx.call('dbt.default_last_day', [a.date, a.datepart])),
  length: dispatcher('length', ['expression']),
  default__length: macro(['expression'], (a) => `length(${str(a.expression)})`),
  listagg: macro(['measure', ['delimiter_text', "','"], ['order_by_clause', null], ['limit_num', null]], (a, ctx) =>
    ctx.dispatch('listagg', 'dbt')(a.measure, a.delimiter_text, a.order_by_clause, a.limit_num)),
  default__listagg: macro(['measure', 'delimiter_text', 'order_by_clause', 'limit_num'], (a) => {
    const order = pyTruthy(a.order_by_clause) ? ` within group (${str(a.order_by_clause)})` : '';
    if (pyTruthy(a.limit_num)) return `array_to_string(array_slice(array_agg(${str(a.measure)})${order}, 0, ${str(a.limit_num)}), ${str(a.delimiter_text)})`;
    return `listagg(${str(a.measure)}, ${str(a.delimiter_text)})${order}`;
  }),
  string_literal: dispatcher('string_literal', ['value']),
  default__string_literal: macro(['value'], (a) => `'${str(a.value)}'`),
  position: dispatcher('position', ['substring_text', 'string_text']),
  default__position: macro(['substring_text', 'string_text'], (a) => `position(${str(a.substring_text)} in ${str(a.string_text)})`),
  replace: dispatcher('replace', ['field', 'old_chars', 'new_chars']),
  default__replace: macro(['field', 'old_chars', 'new_chars'], (a) => `replace(${str(a.field)}, ${str(a.old_chars)}, ${str(a.new_chars)})`),
  right: dispatcher('right', ['string_text', 'length_expression']),
  default__right: macro(['string_text', 'length_expression'], (a) => `right(${str(a.string_text)}, ${str(a.length_expression)})`),
  safe_cast: dispatcher('safe_cast', ['field', 'type']),
  default__safe_cast: macro(['field', 'type'], (a) => `cast(${str(a.field)} as ${str(a.type)})`),
  split_part: dispatcher('split_part', ['string_text', 'delimiter_text', 'part_number']),
  default__split_part: macro(['string_text', 'delimiter_text', 'part_number'], (a) => `split_part(${str(a.string_text)}, ${str(a.delimiter_text)}, ${str(a.part_number)})`),
  _split_part_negative: macro(['string_text', 'delimiter_text', 'part_number'], (a) => {
    const s = str(a.string_text);
    const d = str(a.delimiter_text);
    return `split_part(${s}, ${d}, length(${s}) - length(replace(${s}, ${d}, '')) + 2 + ${str(a.part_number)})`;
  }),
  current_timestamp: dispatcher('current_timestamp', []),
  default__current_timestamp: macro([], (_, ctx) => {
    throw new MeshError('E_DBT_NOT_IMPLEMENTED', `current_timestamp macro not implemented for adapter ${String(ctx.target.type)}`);
  }),
  current_timestamp_backcompat: dispatcher('current_timestamp_backcompat', []),
  default__current_timestamp_backcompat: fixed('current_timestamp::timestamp'),
  current_timestamp_in_utc_backcompat: dispatcher('current_timestamp_in_utc_backcompat', []),
  default__current_timestamp_in_utc_backcompat: macro([], (_, ctx) => ctx.dispatch('current_timestamp_backcompat', 'dbt')()),
  py_current_timestring: macro([], (_, ctx) => (ctx.call('modules.datetime.datetime.now') as { strftime(f: string): string }).strftime('%Y%m%d%H%M%S%f')),
  snapshot_get_time: dispatcher('snapshot_get_time', []),
  default__snapshot_get_time: macro([], (_, ctx) => ctx.call('current_timestamp')),
};

/** The type_* family: `api.Column.translate_type` of a label, so each database spells its own type. */
const TYPES: Record<string, NativeMacro> = {};
for (const [name, label] of [['string', 'string'], ['timestamp', 'timestamp'], ['float', 'float'], ['bigint', 'bigint'], ['int', 'integer'], ['boolean', 'boolean']] as const) {
  TYPES[`type_${name}`] = dispatcher(`type_${name}`, []);
  TYPES[`default__type_${name}`] = macro([], (_, ctx) => ctx.translateType(label));
}
TYPES.type_numeric = dispatcher('type_numeric', []);
TYPES.default__type_numeric = fixed('numeric(28,6)');

/** dbt's date spine: a series as long as the number of intervals, which it asks the database for at run time. */
const SERIES: Record<string, NativeMacro> = {
  get_intervals_between: dispatcher('get_intervals_between', ['start_date', 'end_date', 'datepart']),
  default__get_intervals_between: macro(['start_date', 'end_date', 'datepart'], (a, ctx) => {
    const result = runStatement(ctx, `select ${str(ctx.call('dbt.datediff', [a.start_date, a.end_date, a.datepart]))}`, true);
    const first = result?.table.rows.values()[0];
    return first ? first.pyGetItem(0) : 1;
  }),
  date_spine: dispatcher('date_spine', ['datepart', 'start_date', 'end_date']),
  default__date_spine: macro(['datepart', 'start_date', 'end_date'], (a, ctx) => {
    const intervals = ctx.call('dbt.get_intervals_between', [a.start_date, a.end_date, a.datepart]);
    const series = ctx.call('dbt.generate_series', [intervals]);
    const column = `date_${str(a.datepart)}`;
    const add = ctx.call('dbt.dateadd', [a.datepart, 'row_number() over (order by 1) - 1', a.start_date]);
    return `with rawdata as (\n${str(series)}\n),\nall_periods as (\n  select (${str(add)}) as ${column}\n  from rawdata\n),\nfiltered as (\n  select *\n  from all_periods\n  where ${column} <= ${str(a.end_date)}\n)\nselect * from filtered`;
  }),
  get_powers_of_two: dispatcher('get_powers_of_two', ['upper_bound']),
  default__get_powers_of_two: macro(['upper_bound'], (a) => {
    const bound = Number(a.upper_bound);
    if (!(bound > 0)) throw new MeshError('E_COMPILER_ERROR', 'upper bound must be positive');
    for (let i = 1; i < 100; i++) if (bound <= 2 ** i) return i;
    return undefined;
  }),
  generate_series: dispatcher('generate_series', ['upper_bound']),
  default__generate_series: macro(['upper_bound'], (a, ctx) => {
    const n = Number(ctx.call('dbt.get_powers_of_two', [a.upper_bound]));
    const terms = Array.from({ length: n }, (_, i) => `p${i}.generated_number * power(2, ${i})`).join(' + ');
    const joins = Array.from({ length: n }, (_, i) => `p as p${i}`).join(' cross join ');
    return `with p as (\n  select 0 as generated_number union all select 1\n), unioned as (\n  select ${terms} + 1 as generated_number\n  from ${joins}\n)\nselect *\nfrom unioned\nwhere generated_number <= ${str(a.upper_bound)}\norder by generated_number`;
  }),
};

function relationArg(name: string, value: unknown): Relation {
  if (value instanceof Relation) return value;
  throw new MeshError('E_JINJA_CALL', `${name}(): expected a relation (ref(), source() or api.Relation.create()), got ${pyStr(value)}`, {
    hint: 'Pass a relation, not a string with its name.',
  });
}

/** Statements, results and relations: what dbt's adapter macros give the packages built on them. */
export function adapterMacros(results: () => StatementResults): Record<string, NativeMacro> {
  return {
    statement: macro([['name', null], ['fetch_result', false], ['auto_begin', true], ['language', 'sql']], (a, ctx) => {
      if (!ctx.execute) return '';
      if (a.language !== 'sql') throw new MeshError('E_DBT_UNSUPPORTED', `statement(language='${str(a.language)}') is not supported: only SQL statements run`);
      const sql = callerSql(ctx, a.caller);
      // As dbt's statement does: auto_begin opens a transaction that adapter.commit() (or the materialization) ends.
      const result = runStatement(ctx, sql, a.fetch_result === true, a.auto_begin !== false);
      if (a.name !== null && a.name !== undefined && result) {
        results().store(String(a.name), { ...result, data: result.table.rows.values().map((r) => r.values()) });
      }
      return '';
    }),
    noop_statement: macro([['name', null], ['message', null], ['code', null], ['rows_affected', null], ['res', null]], (a, ctx) => {
      callerSql(ctx, a.caller);
      if (a.name !== null && a.name !== undefined) {
        const table = a.res instanceof Table ? a.res : Table.empty();
        results().store(String(a.name), { response: { _message: a.message, code: a.code, rows_affected: a.rows_affected }, table, data: table.rows.values().map((r) => r.values()) });
      }
      return '';
    }),
    run_query: macro(['sql'], (a, ctx) => runStatement(ctx, str(a.sql), true)?.table),
    get_columns_in_relation: dispatcher('get_columns_in_relation', ['relation']),
    default__get_columns_in_relation: macro(['relation'], (_, ctx) => {
      throw new MeshError('E_DBT_NOT_IMPLEMENTED', `get_columns_in_relation macro not implemented for adapter ${String(ctx.target.type)}`);
    }),
    sql_convert_columns_in_relation: macro(['table'], (a) => {
      const table = a.table as Table | undefined;
      return table ? table.rows.values().map((row) => DbtColumn.create(...row.values())) : [];
    }),
    get_list_of_column_names: macro(['columns'], (a) => listArgument('get_list_of_column_names', 'columns', a.columns).map((c) => (c as DbtColumn).name)),
    get_empty_subquery_sql: macro(['select_sql', ['select_sql_header', null]], (a, ctx) => ctx.dispatch('get_empty_subquery_sql', 'dbt')(a.select_sql, a.select_sql_header)),
    default__get_empty_subquery_sql: macro(['select_sql', ['select_sql_header', null]], (a) =>
      `${a.select_sql_header === null || a.select_sql_header === undefined ? '' : `${str(a.select_sql_header)}\n`}select * from (\n${str(a.select_sql)}\n) as __dbt_sbq\nwhere false\nlimit 0`),
    get_columns_in_query: dispatcher('get_columns_in_query', ['select_sql']),
    default__get_columns_in_query: macro(['select_sql'], (a, ctx) => {
      const result = runStatement(ctx, str(ctx.call('get_empty_subquery_sql', [a.select_sql])), true);
      return result ? result.table.column_names : [];
    }),
    make_temp_relation: macro(['base_relation', ['suffix', '__dbt_tmp']], (a, ctx) => ctx.dispatch('make_temp_relation', 'dbt')(a.base_relation, a.suffix)),
    default__make_temp_relation: macro(['base_relation', 'suffix'], (a) => {
      const base = relationArg('make_temp_relation', a.base_relation);
      return base.incorporate({ path: { identifier: `${base.identifier}${str(a.suffix)}` }, __keywords: true });
    }),
    make_intermediate_relation: macro(['base_relation', ['suffix', '__dbt_tmp']], (a, ctx) => ctx.dispatch('make_intermediate_relation', 'dbt')(a.base_relation, a.suffix)),
    default__make_intermediate_relation: macro(['base_relation', 'suffix'], (a, ctx) => ctx.call('default__make_temp_relation', [a.base_relation, a.suffix])),
    make_backup_relation: macro(['base_relation', 'backup_relation_type', ['suffix', '__dbt_backup']], (a, ctx) => ctx.dispatch('make_backup_relation', 'dbt')(a.base_relation, a.backup_relation_type, a.suffix)),
    default__make_backup_relation: macro(['base_relation', 'backup_relation_type', 'suffix'], (a) => {
      const base = relationArg('make_backup_relation', a.base_relation);
      return base.incorporate({ path: { identifier: `${base.identifier}${str(a.suffix)}` }, type: a.backup_relation_type, __keywords: true });
    }),
    load_cached_relation: macro(['relation'], (a, ctx) => {
      const r = relationArg('load_cached_relation', a.relation);
      return ctx.call('adapter.get_relation', [], { database: r.database, schema: r.schema, identifier: r.identifier });
    }),
    load_relation: macro(['relation'], (a, ctx) => ctx.call('load_cached_relation', [a.relation])),
    get_or_create_relation: dispatcher('get_or_create_relation', ['database', 'schema', 'identifier', 'type']),
    default__get_or_create_relation: macro(['database', 'schema', 'identifier', 'type'], (a, ctx) => {
      const found = ctx.call('adapter.get_relation', [], { database: a.database, schema: a.schema, identifier: a.identifier });
      if (found) return [true, found];
      return [false, ctx.relation(str(a.database), str(a.schema), str(a.identifier), (a.type as 'table' | 'view' | undefined) ?? null)];
    }),
    truncate_relation: dispatcher('truncate_relation', ['relation']),
    default__truncate_relation: macro(['relation'], (a, ctx) => {
      runStatement(ctx, `truncate table ${relationArg('truncate_relation', a.relation).render()}`, false);
      return '';
    }),
    drop_relation: dispatcher('drop_relation', ['relation']),
    default__drop_relation: macro(['relation'], (a, ctx) => {
      const r = relationArg('drop_relation', a.relation);
      runStatement(ctx, `drop ${r.type ?? 'table'} if exists ${r.render()} cascade`, false);
      return '';
    }),
    drop_relation_if_exists: macro(['relation'], (a, ctx) => {
      if (a.relation) ctx.call('adapter.drop_relation', [a.relation]);
      return '';
    }),
    rename_relation: dispatcher('rename_relation', ['from_relation', 'to_relation']),
    default__rename_relation: macro(['from_relation', 'to_relation'], (a, ctx) => {
      const from = relationArg('rename_relation', a.from_relation);
      const to = relationArg('rename_relation', a.to_relation);
      runStatement(ctx, `alter table ${from.render()} rename to ${to.include({ database: false, schema: false, __keywords: true }).render()}`, false);
      return '';
    }),
    create_schema: dispatcher('create_schema', ['relation']),
    default__create_schema: macro(['relation'], (a, ctx) => {
      runStatement(ctx, `create schema if not exists ${relationArg('create_schema', a.relation).without_identifier().render()}`, false);
      return '';
    }),
    drop_schema: dispatcher('drop_schema', ['relation']),
    default__drop_schema: macro(['relation'], (a, ctx) => {
      runStatement(ctx, `drop schema if exists ${relationArg('drop_schema', a.relation).without_identifier().render()} cascade`, false);
      return '';
    }),
    list_relations_without_caching: dispatcher('list_relations_without_caching', ['schema_relation']),
    check_schema_exists: dispatcher('check_schema_exists', ['information_schema', 'schema']),
    list_schemas: dispatcher('list_schemas', ['database']),
  };
}

/** dbt's config helpers that tests and materializations of packages call. */
const CONFIG_HELPERS: Record<string, NativeMacro> = {
  should_store_failures: macro([], (_, ctx) => {
    const value = (ctx.lookup('config') as { get(k: string): unknown }).get('store_failures');
    return value === null || value === undefined ? (ctx.lookup('flags') as Record<string, unknown>).STORE_FAILURES : value;
  }),
  should_full_refresh: macro([], (_, ctx) => {
    const value = (ctx.lookup('config') as { get(k: string): unknown }).get('full_refresh');
    return value === null || value === undefined ? (ctx.lookup('flags') as Record<string, unknown>).FULL_REFRESH : value;
  }),
  get_where_subquery: dispatcher('get_where_subquery', ['relation']),
  default__get_where_subquery: macro(['relation'], (a, ctx) => {
    const where = (ctx.lookup('config') as { get(k: string, d: unknown): unknown }).get('where', '');
    return pyTruthy(where) ? `(select * from ${str(a.relation)} where ${str(where)}) dbt_subquery` : a.relation;
  }),
};

/** dbt's naming macros, which projects override (`generate_schema_name` most of all). */
const NAMING: Record<string, NativeMacro> = {
  generate_schema_name: macro(['custom_schema_name', ['node', null]], (a, ctx) => ctx.dispatch('generate_schema_name', 'dbt')(a.custom_schema_name, a.node)),
  default__generate_schema_name: macro(['custom_schema_name', ['node', null]], (a, ctx) => {
    const schema = str(ctx.target.schema);
    return a.custom_schema_name === null || a.custom_schema_name === undefined ? schema : `${schema}_${str(a.custom_schema_name).trim()}`;
  }),
  generate_schema_name_for_env: macro(['custom_schema_name', ['node', null]], (a, ctx) =>
    ctx.target.name === 'prod' && a.custom_schema_name !== null && a.custom_schema_name !== undefined ? str(a.custom_schema_name).trim() : str(ctx.target.schema)),
  generate_alias_name: macro([['custom_alias_name', null], ['node', null]], (a, ctx) => ctx.dispatch('generate_alias_name', 'dbt')(a.custom_alias_name, a.node)),
  default__generate_alias_name: macro([['custom_alias_name', null], ['node', null]], (a) => {
    if (a.custom_alias_name !== null && a.custom_alias_name !== undefined) return str(a.custom_alias_name).trim();
    const node = (a.node ?? {}) as { name?: unknown; version?: unknown };
    return node.version !== null && node.version !== undefined ? `${str(node.name)}_v${str(node.version).replaceAll('.', '_')}` : str(node.name);
  }),
  generate_database_name: macro([['custom_database_name', null], ['node', null]], (a, ctx) => ctx.dispatch('generate_database_name', 'dbt')(a.custom_database_name, a.node)),
  default__generate_database_name: macro([['custom_database_name', null], ['node', null]], (a, ctx) =>
    a.custom_database_name === null || a.custom_database_name === undefined ? str(ctx.target.database) : str(a.custom_database_name).trim()),
};

/** The whole `dbt` package: every macro above, by name. */
export function globalMacros(results: () => StatementResults): Record<string, NativeMacro> {
  return { ...CROSS_DATABASE, ...TYPES, ...SERIES, ...adapterMacros(results), ...CONFIG_HELPERS, ...NAMING };
}
