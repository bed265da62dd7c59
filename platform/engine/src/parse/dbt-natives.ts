import { MeshError } from '@mesh/errors';
import { Relation } from './relation';

/**
 * Native versions of the dbt and dbt_utils macros that most dbt projects call. dbt projects get them
 * from packages (dbt_utils) or adapters (dbt-duckdb); the engine runs on DuckDB only, so each one is a
 * small function that writes the DuckDB SQL those packages would have produced. Anything else in those
 * namespaces is refused by name rather than guessed at.
 */

export type Keywords = Record<string, unknown>;

/** What a native macro may read besides its arguments. */
export interface NativeContext {
  vars: Readonly<Record<string, unknown>>;
}

export type NativeMacro = (args: unknown[], kwargs: Keywords, ctx: NativeContext) => unknown;

function unsupported(call: string, why: string, hint: string): MeshError {
  return new MeshError('E_DBT_UNSUPPORTED', `${call} is not supported: ${why}`, { hint });
}

/** Python-style binding of positional and keyword arguments to a macro's parameters. */
function bind(macro: string, params: Array<[string, unknown?]>, args: unknown[], kwargs: Keywords): Record<string, unknown> {
  if (args.length > params.length) {
    throw new MeshError('E_JINJA_CALL', `${macro}() takes ${params.length} arguments, got ${args.length}`, {
      hint: `Its parameters are ${params.map(([p]) => p).join(', ')}.`,
    });
  }
  const out: Record<string, unknown> = {};
  params.forEach(([name, fallback], i) => {
    out[name] = i < args.length ? args[i] : Object.hasOwn(kwargs, name) ? kwargs[name] : fallback;
  });
  for (const key of Object.keys(kwargs)) {
    if (!params.some(([p]) => p === key)) {
      throw new MeshError('E_JINJA_CALL', `${macro}() got an unexpected argument '${key}'`, {
        hint: `Its parameters are ${params.map(([p]) => p).join(', ')}.`,
      });
    }
  }
  for (const [name, fallback] of params) {
    if (out[name] === undefined && fallback === undefined && params.length > 0) {
      throw new MeshError('E_JINJA_CALL', `${macro}() is missing the argument '${name}'`, {
        hint: `Its parameters are ${params.map(([p]) => p).join(', ')}.`,
      });
    }
  }
  return out;
}

const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;
const ident = (s: string) => `"${s.replaceAll('"', '""')}"`;

function stringList(macro: string, arg: string, value: unknown): string[] {
  if (value === null || value === undefined || value === false) return [];
  if (!Array.isArray(value)) {
    throw new MeshError('E_JINJA_CALL', `${macro}(): ${arg} must be a list, got ${JSON.stringify(value)}`, {
      hint: `Write ${arg}=['a', 'b'].`,
    });
  }
  return value.map(String);
}

/**
 * dbt_utils.star: the relation's columns except some. dbt_utils asks the database for the column list
 * at compile time; DuckDB can select "every column but" itself, so the engine needs no database to
 * compile. `COLUMNS(...)` keeps the table's column order and renames with prefix/suffix as star does.
 */
const star: NativeMacro = (args, kwargs) => {
  const a = bind('dbt_utils.star', [['from'], ['relation_alias', false], ['except', []], ['prefix', ''], ['suffix', ''], ['quote_identifiers', true]], args, kwargs);
  if (!(a.from instanceof Relation)) {
    throw new MeshError('E_JINJA_CALL', `dbt_utils.star(): from must be a relation (ref() or source()), got ${JSON.stringify(a.from)}`, {
      hint: "Write dbt_utils.star(from=ref('model')); a CTE name is not a relation.",
    });
  }
  const except = stringList('dbt_utils.star', 'except', a.except).map((c) => c.toLowerCase());
  const alias = a.relation_alias ? String(a.relation_alias) : undefined;
  const rename = a.prefix || a.suffix ? ` AS ${ident(`${String(a.prefix ?? '')}\\0${String(a.suffix ?? '')}`)}` : '';
  let columns: string;
  if (alias) {
    columns = except.length ? `COLUMNS(${ident(alias)}.* EXCLUDE (${except.map(ident).join(', ')}))` : `COLUMNS(${ident(alias)}.*)`;
  } else {
    columns = except.length ? `COLUMNS(c -> lower(c) NOT IN (${except.map(quote).join(', ')}))` : 'COLUMNS(*)';
  }
  return `${columns}${rename}`;
};

/** dbt_utils.generate_surrogate_key: md5 of the fields cast to text, joined with '-', nulls replaced. */
const generateSurrogateKey: NativeMacro = (args, kwargs, ctx) => {
  const a = bind('dbt_utils.generate_surrogate_key', [['field_list']], args, kwargs);
  const fields = stringList('dbt_utils.generate_surrogate_key', 'field_list', a.field_list);
  const nullsAsEmpty = ctx.vars.surrogate_key_treat_nulls_as_empty_strings === true;
  const nullValue = nullsAsEmpty ? "''" : "'_dbt_utils_surrogate_key_null_'";
  const parts = fields.map((f) => `coalesce(cast(${f} as varchar), ${nullValue})`);
  return `md5(cast(concat(${parts.join(", '-', ")}) as varchar))`;
};

const INTERVALS: Record<string, string> = {
  second: 'interval 1 second', minute: 'interval 1 minute', hour: 'interval 1 hour', day: 'interval 1 day',
  week: 'interval 1 week', month: 'interval 1 month', quarter: 'interval 3 month', year: 'interval 1 year',
};

/** dbt_utils.date_spine: one row per datepart from start_date (included) to end_date (excluded). */
const dateSpine: NativeMacro = (args, kwargs) => {
  const a = bind('dbt_utils.date_spine', [['datepart'], ['start_date'], ['end_date']], args, kwargs);
  const datepart = String(a.datepart).toLowerCase();
  const interval = INTERVALS[datepart];
  if (!interval) {
    throw new MeshError('E_JINJA_CALL', `dbt_utils.date_spine(): unknown datepart '${datepart}'`, {
      hint: `Use one of ${Object.keys(INTERVALS).join(', ')}.`,
    });
  }
  // dbt-duckdb's dateadd turns dates into timestamps; the spine has the same type.
  return `select range as ${ident(`date_${datepart}`)} from range(cast(${String(a.start_date)} as timestamp), cast(${String(a.end_date)} as timestamp), ${interval})`;
};

export const DBT_UTILS_MACROS: Readonly<Record<string, NativeMacro>> = {
  star,
  generate_surrogate_key: generateSurrogateKey,
  date_spine: dateSpine,
};

/** Why a dbt_utils macro that is not native is refused: most need the database while compiling. */
const DBT_UTILS_REFUSALS: Readonly<Record<string, string>> = {
  surrogate_key: 'it was renamed generate_surrogate_key in dbt_utils 1.0 (nulls are handled differently)',
  get_column_values: 'it queries the database while compiling',
  get_relations_by_pattern: 'it queries the database while compiling',
  get_relations_by_prefix: 'it queries the database while compiling',
  get_filtered_columns_in_relation: 'it queries the database while compiling',
  get_query_results_as_dict: 'it queries the database while compiling',
  union_relations: 'it reads the column lists of the relations from the database while compiling',
  pivot: 'it is usually fed by get_column_values, which queries the database while compiling',
  unpivot: 'it reads the column list of the relation from the database while compiling',
};

const CROSS_DB_MOVED = new Set(['datediff', 'dateadd', 'date_trunc', 'current_timestamp', 'type_string', 'type_int', 'concat', 'hash', 'safe_cast', 'split_part', 'any_value', 'last_day']);

export function dbtUtilsRefusal(name: string): MeshError {
  const why = DBT_UTILS_REFUSALS[name];
  if (why) {
    return unsupported(`dbt_utils.${name}`, why, name === 'surrogate_key'
      ? "Write dbt_utils.generate_surrogate_key(['a', 'b']) instead."
      : 'List the values or relations in the model (or in a var), or compute them in SQL.');
  }
  if (CROSS_DB_MOVED.has(name)) {
    return unsupported(`dbt_utils.${name}`, 'dbt_utils 1.0 moved the cross-database macros to the dbt namespace', `Write dbt.${name}(...) instead.`);
  }
  return unsupported(`dbt_utils.${name}`, 'the engine implements only some dbt_utils macros natively', `Natively available: dbt_utils.${Object.keys(DBT_UTILS_MACROS).join(', dbt_utils.')}; write the SQL in the model or in a project macro instead.`);
}

/** dbt's cross-database macros (`dbt.dateadd`, `dbt.type_string`, ...) as dbt-duckdb renders them. */
const fixed = (sql: string): NativeMacro => () => sql;
export const DBT_MACROS: Readonly<Record<string, NativeMacro>> = {
  type_string: fixed('varchar'),
  type_int: fixed('integer'),
  type_bigint: fixed('bigint'),
  type_float: fixed('float'),
  type_numeric: fixed('numeric(28,6)'),
  type_boolean: fixed('boolean'),
  type_timestamp: fixed('timestamp'),
  current_timestamp: fixed('now()'),
  dateadd: (args, kwargs) => {
    const a = bind('dbt.dateadd', [['datepart'], ['interval'], ['from_date_or_timestamp']], args, kwargs);
    return `date_add(${String(a.from_date_or_timestamp)}, interval (${String(a.interval)}) ${String(a.datepart)})`;
  },
  datediff: (args, kwargs) => {
    const a = bind('dbt.datediff', [['first_date'], ['second_date'], ['datepart']], args, kwargs);
    return `date_diff('${String(a.datepart)}', ${String(a.first_date)}::timestamp, ${String(a.second_date)}::timestamp)`;
  },
  date_trunc: (args, kwargs) => {
    const a = bind('dbt.date_trunc', [['datepart'], ['date']], args, kwargs);
    return `date_trunc('${String(a.datepart)}', ${String(a.date)})`;
  },
  concat: (args, kwargs) => `concat(${stringList('dbt.concat', 'fields', bind('dbt.concat', [['fields']], args, kwargs).fields).join(', ')})`,
  hash: (args, kwargs) => `md5(cast(${String(bind('dbt.hash', [['field']], args, kwargs).field)} as varchar))`,
  safe_cast: (args, kwargs) => {
    const a = bind('dbt.safe_cast', [['field'], ['type']], args, kwargs);
    return `try_cast(${String(a.field)} as ${String(a.type)})`;
  },
  split_part: (args, kwargs) => {
    const a = bind('dbt.split_part', [['string_text'], ['delimiter_text'], ['part_number']], args, kwargs);
    return `split_part(${String(a.string_text)}, ${String(a.delimiter_text)}, ${String(a.part_number)})`;
  },
  string_literal: (args, kwargs) => quote(String(bind('dbt.string_literal', [['value']], args, kwargs).value)),
  escape_single_quotes: (args, kwargs) => String(bind('dbt.escape_single_quotes', [['expression']], args, kwargs).expression).replaceAll("'", "''"),
};

export function dbtMacroRefusal(name: string): MeshError {
  return unsupported(`dbt.${name}`, 'the engine implements only some of dbt\'s built-in macros natively', `Natively available: dbt.${Object.keys(DBT_MACROS).join(', dbt.')}; write the SQL directly instead.`);
}

/** Functions of dbt's Jinja context that need the database while compiling; the engine compiles without one. */
export const REFUSED_FUNCTIONS: Readonly<Record<string, { why: string; hint: string }>> = {
  run_query: {
    why: 'it runs a query while compiling, and the engine compiles without a database',
    hint: 'Compute the values in SQL (a join or a subquery), or list them in a var.',
  },
  statement: {
    why: '{% call statement %} runs a query while compiling, and the engine compiles without a database',
    hint: 'Compute the values in SQL (a join or a subquery), or list them in a var.',
  },
  load_result: {
    why: 'it reads the result of {% call statement %}, which is not supported',
    hint: 'Compute the values in SQL (a join or a subquery), or list them in a var.',
  },
};

/** `adapter.*`: quoting works; dispatch and database introspection are refused with a way out. */
export const ADAPTER_REFUSALS: Readonly<Record<string, { why: string; hint: string }>> = {
  dispatch: {
    why: 'the engine runs on DuckDB only, so there is nothing to dispatch between',
    hint: "Call the implementation directly: replace adapter.dispatch('name', 'package')(args) with duckdb__name(args) or default__name(args).",
  },
  get_columns_in_relation: {
    why: 'it reads the database while compiling',
    hint: 'List the columns in the model, or select them with dbt_utils.star(from=ref(...), except=[...]).',
  },
  get_relation: {
    why: 'it reads the database while compiling',
    hint: 'Refer to the relation with ref() or source().',
  },
};

export function refusedFunction(call: string, entry: { why: string; hint: string }): MeshError {
  return unsupported(call, entry.why, entry.hint);
}

/** Generic tests of dbt_utils that the engine writes as SQL itself (compile/test-sql.ts). */
export const DBT_UTILS_TESTS = [
  'expression_is_true', 'unique_combination_of_columns', 'accepted_range', 'not_constant', 'at_least_one', 'not_empty_string',
] as const;
