import type { QualityRule, Relationship } from '@mesh/contract';
import { parseRelationshipTo, type RefCall, type TestNode } from '@mesh/engine';

/**
 * A dbt test as ODCS says it, so ODCS tools (datacontract-cli) run it as they are:
 * - accepted_values is the `invalidValues` metric with its validValues;
 * - relationships to a model of the same contract is a foreign key of the column;
 * - dbt_utils' unique_combination_of_columns is `duplicateValues` over the columns;
 * - dbt_utils' expression_is_true and accepted_range are SQL counts of the rows that break them;
 * - any other test stays a dbt test (`type: custom, engine: dbt`), for dbt or the mesh to run.
 * not_null and unique are the column's `required` and `unique`, not rules. A test filtered by `where`
 * promises nothing about the other rows, which a metric cannot say, so it stays a dbt test too.
 */

export interface RuleContext {
  /** The schema object (table) name of a model this contract holds, for a ref to it; undefined when it holds none. */
  tableOf(ref: RefCall): string | undefined;
}

const ARGUMENT_KEYS_LEFT_OUT = new Set(['column_name', 'model']);

function severity(test: TestNode): Pick<QualityRule, 'severity'> {
  return test.config.severity === 'warn' ? { severity: 'warning' } : {};
}

/** dbt 1.10 nests a test's arguments under `arguments:`; older projects write them beside the test name. */
function argsOf(test: TestNode): Record<string, unknown> {
  const kwargs = test.test_metadata?.kwargs ?? {};
  const nested = kwargs.arguments;
  return nested && typeof nested === 'object' && !Array.isArray(nested) ? { ...kwargs, ...(nested as Record<string, unknown>) } : kwargs;
}

/** The model a relationships test points at; `to` is written as dbt has it, `ref('customers')`. */
function refOf(written: unknown): RefCall | undefined {
  const to = typeof written === 'string' ? parseRelationshipTo(written) : written;
  return to && typeof to === 'object' && 'ref' in to ? (to as { ref: RefCall }).ref : undefined;
}

function quoted(value: unknown): string {
  return typeof value === 'number' ? String(value) : `'${String(value).replaceAll("'", "''")}'`;
}

function dbtTest(test: TestNode): QualityRule {
  const meta = test.test_metadata!;
  const args = Object.fromEntries(Object.entries(argsOf(test)).filter(([k]) => !ARGUMENT_KEYS_LEFT_OUT.has(k) && k !== 'arguments'));
  const name = meta.namespace ? `${meta.namespace}.${meta.name}` : meta.name;
  return { type: 'custom', engine: 'dbt', implementation: { test: name, ...args, ...(test.config.where ? { where: test.config.where } : {}) }, ...severity(test) };
}

export function ruleOfTest(test: TestNode, ctx: RuleContext): { quality?: QualityRule; relationship?: Relationship } {
  const meta = test.test_metadata;
  if (!meta || meta.name === 'not_null' || meta.name === 'unique') return {};
  if (test.config.where) return { quality: dbtTest(test) };
  const args = argsOf(test);
  const utils = meta.namespace === 'dbt_utils' || meta.namespace === undefined;
  if (meta.name === 'accepted_values' && Array.isArray(args.values)) {
    return { quality: { type: 'library', metric: 'invalidValues', arguments: { validValues: args.values }, mustBe: 0, ...severity(test) } };
  }
  if (meta.name === 'relationships' && !meta.namespace) {
    const ref = refOf(args.to);
    const table = ref ? ctx.tableOf(ref) : undefined;
    if (table && test.column_name && typeof args.field === 'string') return { relationship: { type: 'foreignKey', to: `${table}.${args.field}` } };
    return { quality: dbtTest(test) };
  }
  if (utils && meta.name === 'unique_combination_of_columns' && Array.isArray(args.combination_of_columns)) {
    return { quality: { type: 'library', metric: 'duplicateValues', arguments: { properties: args.combination_of_columns }, mustBe: 0, ...severity(test) } };
  }
  if (utils && meta.name === 'expression_is_true' && typeof args.expression === 'string') {
    const expression = test.column_name ? `${test.column_name} ${args.expression}` : args.expression;
    return { quality: { type: 'sql', query: `SELECT COUNT(*) FROM {model} WHERE NOT (${expression})`, mustBe: 0, description: `expression_is_true: ${expression}`, ...severity(test) } };
  }
  if (utils && meta.name === 'accepted_range' && test.column_name && (args.min_value !== undefined || args.max_value !== undefined)) {
    const inclusive = args.inclusive !== false;
    const bounds = [
      ...(args.min_value !== undefined ? [`{column} ${inclusive ? '>=' : '>'} ${quoted(args.min_value)}`] : []),
      ...(args.max_value !== undefined ? [`{column} ${inclusive ? '<=' : '<'} ${quoted(args.max_value)}`] : []),
    ];
    return { quality: { type: 'sql', query: `SELECT COUNT(*) FROM {model} WHERE NOT (${bounds.join(' AND ')})`, mustBe: 0, description: `accepted_range: ${bounds.join(' and ').replaceAll('{column}', test.column_name)}`, ...severity(test) } };
  }
  return { quality: dbtTest(test) };
}

/** A check constraint as a rule: the rows that break it, counted, must be none. */
export function ruleOfCheck(expression: string): QualityRule {
  return { type: 'sql', query: `SELECT COUNT(*) FROM {model} WHERE NOT (${expression})`, mustBe: 0, description: `check: ${expression}` };
}
