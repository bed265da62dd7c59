import { Relation, Table, columnsInRelationMacro, fixed, macro, relationsInSchemaMacro, runStatement, type MacroContext, type MacroDialect } from '@mesh/engine';

/**
 * DuckDB's spellings of dbt's macros, as dbt-duckdb writes them: dispatch finds `duckdb__dateadd` before dbt's
 * `default__dateadd`. The introspection macros answer through the engine's adapter capabilities (columns of
 * a relation, relations of a schema), so a template's question reaches DuckDB the same way from every macro.
 * This module loads no database driver: compiling needs the dialect, not a connection.
 */

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const truthy = (v: unknown): boolean => v !== undefined && v !== null && v !== false && v !== '' && v !== 0;

function relationArg(ctx: MacroContext, name: string, value: unknown): Relation {
  if (value instanceof Relation) return value;
  ctx.warn(`${name}() expects a relation`);
  return ctx.relation(String(ctx.target.database), 'main', str(value));
}

const statement = (ctx: MacroContext, sql: string): string => {
  runStatement(ctx, sql, false);
  return '';
};

export const duckdbDialect: MacroDialect = {
  adapterType: 'duckdb',
  packageName: 'dbt_duckdb',
  translateType: (label) => (label.toUpperCase() === 'STRING' ? 'TEXT' : label),
  macros: {
    duckdb__any_value: macro(['expression'], (a) => `arbitrary(${str(a.expression)})`),
    duckdb__date: macro(['year', 'month', 'day'], (a) => `make_date(${str(a.year)}, ${str(a.month)}, ${str(a.day)})`),
    // Literal and expression intervals alike: the value times a one-unit interval. DuckDB has no quarter
    // interval (three months) and WEEK is spelled as seven days, as dbt-duckdb does.
    duckdb__dateadd: macro(['datepart', 'interval', 'from_date_or_timestamp'], (a) => {
      const unit = str(a.datepart).toLowerCase();
      const from = str(a.from_date_or_timestamp);
      const n = str(a.interval);
      if (unit === 'quarter') return `(${from} + (cast(${n} as bigint) * 3) * interval 1 month)`;
      if (unit === 'week') return `(${from} + (cast(${n} as bigint) * 7) * interval 1 day)`;
      return `(${from} + cast(${n} as bigint) * interval 1 ${unit})`;
    }),
    duckdb__datediff: macro(['first_date', 'second_date', 'datepart'], (a, ctx) => {
      const first = str(a.first_date);
      const second = str(a.second_date);
      if (a.datepart === 'week') {
        const days = str(ctx.call('datediff', [a.first_date, a.second_date, 'day']));
        return `(${days} // 7 + case when date_part('dow', (${first})::timestamp) <= date_part('dow', (${second})::timestamp) then case when ${first} <= ${second} then 0 else -1 end else case when ${first} <= ${second} then 1 else 0 end end)`;
      }
      return `(date_diff('${str(a.datepart)}', ${first}::timestamp, ${second}::timestamp ))`;
    }),
    duckdb__generate_series: macro(['upper_bound'], (a) => `select generate_series as generated_number from generate_series(1, ${str(a.upper_bound)})`),
    duckdb__last_day: macro(['date', 'datepart'], (a, ctx) => {
      if (a.datepart === 'quarter') {
        const truncated = ctx.call('dbt.date_trunc', [a.datepart, a.date]);
        const next = ctx.call('dbt.dateadd', ['month', '3', truncated]);
        return `cast(${str(ctx.call('dbt.dateadd', ['day', '-1', next]))} as date)`;
      }
      return ctx.call('dbt.default_last_day', [a.date, a.datepart]);
    }),
    duckdb__listagg: macro(['measure', 'delimiter_text', 'order_by_clause', 'limit_num'], (a) => {
      const order = truthy(a.order_by_clause) ? ` ${str(a.order_by_clause)}` : '';
      if (truthy(a.limit_num)) return `list_aggr((array_agg(${str(a.measure)}${order}))[1:${str(a.limit_num)}], 'string_agg', ${str(a.delimiter_text)})`;
      return `string_agg(${str(a.measure)}, ${str(a.delimiter_text)}${order})`;
    }),
    duckdb__split_part: macro(['string_text', 'delimiter_text', 'part_number'], (a) => `string_split(${str(a.string_text)}, ${str(a.delimiter_text)})[ ${str(a.part_number)} ]`),
    duckdb__current_timestamp: fixed('now()'),
    duckdb__snapshot_get_time: macro([], (_, ctx) => `${str(ctx.call('current_timestamp'))}::timestamp`),
    duckdb__get_columns_in_relation: columnsInRelationMacro(),
    duckdb__list_relations_without_caching: relationsInSchemaMacro('VARCHAR'),
    duckdb__make_temp_relation: macro(['base_relation', 'suffix'], (a, ctx) => {
      const base = relationArg(ctx, 'make_temp_relation', a.base_relation);
      const stamp = str(ctx.call('py_current_timestring'));
      return base.incorporate({ path: { identifier: `${base.identifier}${str(a.suffix)}${stamp}`, schema: null, database: null }, __keywords: true });
    }),
    duckdb__create_schema: macro(['relation'], (a, ctx) => statement(ctx, `create schema if not exists ${relationArg(ctx, 'create_schema', a.relation).without_identifier().render()}`)),
    duckdb__drop_schema: macro(['relation'], (a, ctx) => statement(ctx, `drop schema if exists ${relationArg(ctx, 'drop_schema', a.relation).without_identifier().render()} cascade`)),
    duckdb__drop_relation: macro(['relation'], (a, ctx) => {
      const r = relationArg(ctx, 'drop_relation', a.relation);
      return statement(ctx, `drop ${r.type ?? 'table'} if exists ${r.render()} cascade`);
    }),
    duckdb__rename_relation: macro(['from_relation', 'to_relation'], (a, ctx) => {
      const from = relationArg(ctx, 'rename_relation', a.from_relation);
      const to = relationArg(ctx, 'rename_relation', a.to_relation);
      return statement(ctx, `alter ${to.type ?? 'table'} ${from.render()} rename to "${to.identifier.replaceAll('"', '""')}"`);
    }),
    duckdb__list_schemas: macro(['database'], (a, ctx) => {
      const where = a.database === null || a.database === undefined ? '' : ` where lower(catalog_name) = '${str(a.database).toLowerCase().replaceAll("'", "''")}'`;
      return runStatement(ctx, `select schema_name from system.information_schema.schemata${where}`, true)?.table ?? Table.empty();
    }),
    duckdb__check_schema_exists: macro(['information_schema', 'schema'], (a, ctx) => {
      const database = a.information_schema instanceof Relation ? a.information_schema.database : str(ctx.target.database);
      const sql = `select count(*) from system.information_schema.schemata where lower(schema_name) = '${str(a.schema).toLowerCase().replaceAll("'", "''")}' and lower(catalog_name) = '${database.toLowerCase().replaceAll("'", "''")}'`;
      return runStatement(ctx, sql, true)?.table ?? Table.empty();
    }),
  },
};
