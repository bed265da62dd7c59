import { MeshError } from '@mesh/errors';
import { listArgument, macro, type NativeMacro } from '../jinja/macro-api';
import { pyStr, pyTruthy } from '../jinja/python';
import { Relation } from './relation';

/**
 * Stand-ins for the dbt_utils macros most projects call, registered as the `dbt_utils` package only when that
 * package is not installed (an installed dbt_utils always runs as its own code). Each behaves as dbt_utils 1.x
 * does: `star` asks the database for the relation's columns at run time, as dbt_utils does, so it is exact
 * inside GROUP BY and when every column is excluded; `generate_surrogate_key` goes through dbt's `hash` and
 * `concat` as dbt_utils does.
 */

function relationOf(macroName: string, value: unknown): Relation {
  if (value instanceof Relation) return value;
  throw new MeshError('E_COMPILER_ERROR', `Macro ${macroName} expected a Relation but received the value: ${pyStr(value)}`, {
    hint: "Pass ref('model') or source('name', 'table'); a CTE's name is not a relation.",
  });
}

function notEphemeral(macroName: string, relation: Relation): void {
  if (!relation.is_cte) return;
  throw new MeshError('E_COMPILER_ERROR', `The \`${macroName}\` macro cannot be used with ephemeral models, as it relies on the information schema. \`${relation.identifier.replace(/^__dbt__cte__/, '')}\` is an ephemeral model. Consider making it a view or table instead.`);
}

const star = macro(
  ['from', ['relation_alias', false], ['except', []], ['prefix', ''], ['suffix', ''], ['quote_identifiers', true], ['unquote_aliases', false], ['rename', {}]],
  (a, ctx) => {
    const from = relationOf('star', a.from);
    notEphemeral('star', from);
    // dbt_utils does not query the database while parsing; `*` stands in until the node renders at run time.
    if (!ctx.execute) return '*';
    const except = listArgument('dbt_utils.star', 'except', a.except).map((c) => pyStr(c).toLowerCase());
    const columns = ctx.ask({ kind: 'columns', relation: from.path }).map((c) => c.name).filter((c) => !except.includes(c.toLowerCase()));
    const rename = Object.fromEntries(Object.entries((a.rename ?? {}) as Record<string, unknown>).map(([k, v]) => [k.toLowerCase(), pyStr(v)]));
    if (!columns.length) {
      return (ctx.lookup('flags') as { WHICH?: string }).WHICH === 'compile'
        ? '*\n/* No columns were returned. Maybe the relation doesn\'t exist yet\nor all columns were excluded. This star is only output during\ndbt compile, and exists to keep SQLFluff happy. */'
        : '/* no columns returned from star() macro */';
    }
    const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
    const alias = pyTruthy(a.relation_alias) ? `${pyStr(a.relation_alias)}.` : '';
    const prefix = pyStr(a.prefix);
    const suffix = pyStr(a.suffix);
    return columns.map((col) => {
      const renamed = rename[col.toLowerCase()];
      const affixed = prefix !== '' || suffix !== '';
      if (pyTruthy(a.quote_identifiers)) {
        const as = renamed !== undefined ? ` as ${renamed}` : pyTruthy(a.unquote_aliases) ? ` as ${(prefix + col + suffix).trim()}` : affixed ? ` as ${quote(prefix + col + suffix)}` : '';
        return `${alias}${quote(col)}${as}`;
      }
      const as = renamed !== undefined ? ` as ${renamed}` : affixed ? ` as ${(prefix + col + suffix).trim()}` : '';
      return `${alias}${col.trim()}${as}`;
    }).join(',\n  ');
  },
);

const generateSurrogateKey = macro(['field_list'], (a, ctx) => {
  const fields = listArgument('dbt_utils.generate_surrogate_key', 'field_list', a.field_list);
  const empty = (ctx.call('var', ['surrogate_key_treat_nulls_as_empty_strings', false]) as unknown) === true;
  const nullValue = empty ? '' : '_dbt_utils_surrogate_key_null_';
  const type = pyStr(ctx.call('dbt.type_string'));
  const parts: string[] = [];
  fields.forEach((field, i) => {
    parts.push(`coalesce(cast(${pyStr(field)} as ${type}), '${nullValue}')`);
    if (i < fields.length - 1) parts.push("'-'");
  });
  return ctx.call('dbt.hash', [ctx.call('dbt.concat', [parts])]);
});

const INTERVALS: Record<string, string> = {
  second: 'interval 1 second', minute: 'interval 1 minute', hour: 'interval 1 hour', day: 'interval 1 day',
  week: 'interval 1 week', month: 'interval 1 month', quarter: 'interval 3 month', year: 'interval 1 year',
};

/**
 * dbt_utils.date_spine: one row per datepart from start_date (included) to end_date (excluded), as timestamps
 * (dbt's dateadd turns dates into timestamps on DuckDB). dbt_utils counts the intervals with a query first;
 * DuckDB's range() gives the same rows without one.
 */
const dateSpine = macro(['datepart', 'start_date', 'end_date'], (a) => {
  const datepart = pyStr(a.datepart).toLowerCase();
  const interval = INTERVALS[datepart];
  if (!interval) {
    throw new MeshError('E_JINJA_CALL', `dbt_utils.date_spine(): unknown datepart '${datepart}'`, { hint: `Use one of ${Object.keys(INTERVALS).join(', ')}.` });
  }
  return `select range as "date_${datepart}" from range(cast(${pyStr(a.start_date)} as timestamp), cast(${pyStr(a.end_date)} as timestamp), ${interval})`;
});

const surrogateKey = macro(['field_list'], () => {
  throw new MeshError('E_COMPILER_ERROR', 'dbt_utils.surrogate_key has been replaced by dbt_utils.generate_surrogate_key (nulls are handled differently)', {
    hint: "Write dbt_utils.generate_surrogate_key(['a', 'b']); set the var surrogate_key_treat_nulls_as_empty_strings: true to keep the old keys.",
  });
}, true);

export const DBT_UTILS_STANDINS: Readonly<Record<string, NativeMacro>> = {
  star,
  generate_surrogate_key: generateSurrogateKey,
  date_spine: dateSpine,
  surrogate_key: surrogateKey,
};

/** Generic tests of dbt_utils that the engine writes as SQL itself (compile/test-sql.ts) when dbt_utils is not installed. */
export const DBT_UTILS_TESTS = [
  'expression_is_true', 'unique_combination_of_columns', 'accepted_range', 'not_constant', 'at_least_one', 'not_empty_string',
] as const;
