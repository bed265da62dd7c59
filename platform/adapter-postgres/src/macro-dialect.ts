import { columnsInRelationMacro, fixed, macro, relationsInSchemaMacro, type MacroDialect } from '@mesh/engine';

/**
 * PostgreSQL's spellings of dbt's macros, as dbt-postgres writes them, for dispatch to find before dbt's
 * `default__` ones. Introspection answers through the engine's adapter capabilities. No driver is loaded.
 */

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const truthy = (v: unknown): boolean => v !== undefined && v !== null && v !== false && v !== '' && v !== 0;

export const postgresDialect: MacroDialect = {
  adapterType: 'postgres',
  packageName: 'dbt_postgres',
  translateType: (label) => (label.toUpperCase() === 'STRING' ? 'TEXT' : label),
  macros: {
    postgres__any_value: macro(['expression'], (a) => `min(${str(a.expression)})`),
    postgres__dateadd: macro(['datepart', 'interval', 'from_date_or_timestamp'], (a) =>
      `${str(a.from_date_or_timestamp)} + ((interval '1 ${str(a.datepart)}') * (${str(a.interval)}))`),
    postgres__datediff: macro(['first_date', 'second_date', 'datepart'], (a) => {
      const first = str(a.first_date);
      const second = str(a.second_date);
      const years = `(date_part('year', (${second})::date) - date_part('year', (${first})::date))`;
      const months = `(${years} * 12 + date_part('month', (${second})::date) - date_part('month', (${first})::date))`;
      const days = `((${second})::date - (${first})::date)`;
      const hours = `(${days} * 24 + date_part('hour', (${second})::timestamp) - date_part('hour', (${first})::timestamp))`;
      const minutes = `(${hours} * 60 + date_part('minute', (${second})::timestamp) - date_part('minute', (${first})::timestamp))`;
      const seconds = `(${minutes} * 60 + floor(date_part('second', (${second})::timestamp)) - floor(date_part('second', (${first})::timestamp)))`;
      switch (str(a.datepart).toLowerCase()) {
        case 'year': return years;
        case 'quarter': return `(${years} * 4 + date_part('quarter', (${second})::date) - date_part('quarter', (${first})::date))`;
        case 'month': return months;
        case 'day': return days;
        case 'week': return `(${days} / 7 + case when date_part('dow', (${first})::timestamp) <= date_part('dow', (${second})::timestamp) then case when ${first} <= ${second} then 0 else -1 end else case when ${first} <= ${second} then 1 else 0 end end)`;
        case 'hour': return hours;
        case 'minute': return minutes;
        case 'second': return seconds;
        default: return `datediff(${str(a.datepart)}, ${first}, ${second})`;
      }
    }),
    postgres__listagg: macro(['measure', 'delimiter_text', 'order_by_clause', 'limit_num'], (a) => {
      const order = truthy(a.order_by_clause) ? ` ${str(a.order_by_clause)}` : '';
      if (truthy(a.limit_num)) return `array_to_string((array_agg(${str(a.measure)}${order}))[1:${str(a.limit_num)}], ${str(a.delimiter_text)})`;
      return `string_agg(${str(a.measure)}, ${str(a.delimiter_text)}${order})`;
    }),
    postgres__split_part: macro(['string_text', 'delimiter_text', 'part_number'], (a, ctx) =>
      Number(a.part_number) >= 0
        ? ctx.call('dbt.default__split_part', [a.string_text, a.delimiter_text, a.part_number])
        : ctx.call('dbt._split_part_negative', [a.string_text, a.delimiter_text, a.part_number])),
    postgres__last_day: macro(['date', 'datepart'], (a, ctx) => {
      if (a.datepart === 'quarter') {
        const next = ctx.call('dbt.dateadd', ['month', '3', ctx.call('dbt.date_trunc', [a.datepart, a.date])]);
        return `cast(${str(ctx.call('dbt.dateadd', ['day', '-1', next]))} as date)`;
      }
      return ctx.call('dbt.default_last_day', [a.date, a.datepart]);
    }),
    postgres__current_timestamp: fixed('now()'),
    postgres__snapshot_get_time: macro([], (_, ctx) => `${str(ctx.call('current_timestamp'))}::timestamp without time zone`),
    postgres__get_columns_in_relation: columnsInRelationMacro(),
    postgres__list_relations_without_caching: relationsInSchemaMacro('text'),
  },
};
