import { columnsInRelationMacro, fixed, macro, relationsInSchemaMacro, type MacroDialect } from '@mesh/engine';

/**
 * Trino's spellings of dbt's macros, as dbt-trino writes them, for dispatch to find before dbt's `default__`
 * ones. Introspection answers through the engine's adapter capabilities. No driver is loaded.
 */

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const truthy = (v: unknown): boolean => v !== undefined && v !== null && v !== false && v !== '' && v !== 0;
const ts = (x: string): string => `CAST(${x} AS TIMESTAMP)`;

const TYPE_LABELS: Readonly<Record<string, string>> = { STRING: 'VARCHAR', FLOAT: 'DOUBLE' };

export const trinoDialect: MacroDialect = {
  adapterType: 'trino',
  packageName: 'dbt_trino',
  translateType: (label) => TYPE_LABELS[label.toUpperCase()] ?? label,
  macros: {
    trino__any_value: macro(['expression'], (a) => `min(${str(a.expression)})`),
    trino__bool_or: macro(['expression'], (a) => `bool_or(${str(a.expression)})`),
    trino__array_construct: macro(['inputs', 'data_type'], (a) =>
      (Array.isArray(a.inputs) && a.inputs.length ? `array[ ${a.inputs.map(str).join(' , ')} ]` : 'null')),
    trino__array_concat: macro(['array_1', 'array_2'], (a) => `concat(${str(a.array_1)}, ${str(a.array_2)})`),
    trino__array_append: macro(['array', 'new_element'], (a, ctx) =>
      ctx.call('array_concat', [a.array, ctx.call('array_construct', [[a.new_element]])])),
    trino__type_float: fixed('double'),
    trino__type_string: fixed('varchar'),
    trino__type_numeric: fixed('decimal(28, 6)'),
    trino__type_int: fixed('integer'),
    trino__date_trunc: macro(['datepart', 'date'], (a) => `date_trunc('${str(a.datepart)}', ${str(a.date)})`),
    trino__dateadd: macro(['datepart', 'interval', 'from_date_or_timestamp'], (a) =>
      `date_add('${str(a.datepart)}', ${str(a.interval)}, ${str(a.from_date_or_timestamp)})`),
    trino__datediff: macro(['first_date', 'second_date', 'datepart'], (a, ctx) => {
      const first = str(a.first_date);
      const second = str(a.second_date);
      const diff = (part: string): string => str(ctx.call('datediff', [a.first_date, a.second_date, part]));
      switch (a.datepart) {
        case 'year': return `(year(${ts(second)}) - year(${ts(first)}))`;
        case 'quarter': return `(${diff('year')} * 4) + quarter(${ts(second)}) - quarter(${ts(first)})`;
        case 'month': return `(${diff('year')} * 12) + month(${ts(second)}) - month(${ts(first)})`;
        case 'day': return `((to_milliseconds((CAST(${ts(second)} AS DATE) - CAST(${ts(first)} AS DATE)))) / 86400000)`;
        case 'week': return `(${diff('day')} / 7 + case when dow(${ts(first)}) <= dow(${ts(second)}) then case when ${first} <= ${second} then 0 else -1 end else case when ${first} <= ${second} then 1 else 0 end end)`;
        case 'hour': return `(${diff('day')} * 24 + hour(${ts(second)}) - hour(${ts(first)}))`;
        case 'minute': return `(${diff('hour')} * 60 + minute(${ts(second)}) - minute(${ts(first)}))`;
        case 'second': return `(${diff('minute')} * 60 + second(${ts(second)}) - second(${ts(first)}))`;
        case 'millisecond': return `(to_milliseconds((${ts(second)} - ${ts(first)})))`;
        default:
          if (ctx.execute) ctx.call('exceptions.raise_compiler_error', [`Unsupported datepart for macro datediff in Trino: '${str(a.datepart)}'`]);
          return '';
      }
    }),
    trino__hash: macro(['field'], (a) => `lower(to_hex(md5(to_utf8(cast(${str(a.field)} as varchar)))))`),
    trino__listagg: macro(['measure', 'delimiter_text', 'order_by_clause', 'limit_num'], (a) => {
      const order = truthy(a.order_by_clause) ? ` ${str(a.order_by_clause)}` : '';
      const collected = `array_agg(${str(a.measure)}${order})`;
      const limited = truthy(a.limit_num) ? `slice(${collected}, 1, ${str(a.limit_num)})` : collected;
      return `array_join(${limited}, ${str(a.delimiter_text)})`;
    }),
    trino__right: macro(['string_text', 'length_expression'], (a) =>
      `case when ${str(a.length_expression)} = 0 then '' else substr(${str(a.string_text)}, -1 * (${str(a.length_expression)})) end`),
    trino__safe_cast: macro(['field', 'type'], (a) => `try_cast(${str(a.field)} as ${str(a.type)})`),
    trino__split_part: macro(['string_text', 'delimiter_text', 'part_number'], (a, ctx) =>
      Number(a.part_number) >= 0
        ? ctx.call('dbt.default__split_part', [a.string_text, a.delimiter_text, a.part_number])
        : ctx.call('dbt._split_part_negative', [a.string_text, a.delimiter_text, a.part_number])),
    trino__current_timestamp: fixed('current_timestamp'),
    trino__snapshot_string_as_time: macro(['timestamp'], (a) => `timestamp '${str(a.timestamp)}'`),
    trino__get_columns_in_relation: columnsInRelationMacro(),
    trino__list_relations_without_caching: relationsInSchemaMacro('varchar', 'relation'),
  },
};
