import { MeshError } from '@mesh/errors';
import type { RefCall, SourceCall, TestNode } from '../types';
import { didYouMean } from '../util/did-you-mean';
import { parseRelationCall } from './relation-call';
import { DBT_UTILS_TESTS } from './dbt-natives';
import { mergeConfig } from './folder-config';
import { digest } from '../util/digest';
import { modelArgument, synthesizeTestNames, testHash } from './test-names';

export const GENERIC_TESTS = ['not_null', 'unique', 'accepted_values', 'relationships'] as const;
export type GenericTestName = (typeof GENERIC_TESTS)[number];

/** Tests that check one column and so need one. */
const COLUMN_TESTS = new Set<string>([...GENERIC_TESTS, 'accepted_range', 'not_constant', 'at_least_one', 'not_empty_string']);

/** Configs a test takes, under `config:` or (older dbt) beside its arguments. */
const TEST_CONFIG_KEYS = ['severity', 'where', 'tags', 'enabled', 'warn_if', 'error_if', 'store_failures', 'store_failures_as', 'fail_calc', 'limit', 'schema', 'alias', 'meta', 'database', 'sql_header'] as const;

/** `>10`, `!=0`, `= 0`: how dbt's warn_if and error_if compare the failure count. */
const THRESHOLD = /^\s*(==|=|!=|<>|>=|<=|>|<)\s*-?\d+(\.\d+)?\s*$/;

/**
 * A test's config from its entry, the project's `data_tests:` folder configs (`defaults`) and dbt's
 * defaults. warn_if and error_if are checked here so a typo fails at compile time, not mid-build.
 */
export function testConfig(raw: Record<string, unknown>, where: { file: string; line: () => number | undefined; test: string }): TestNode['config'] {
  for (const key of ['warn_if', 'error_if'] as const) {
    if (raw[key] !== undefined && !THRESHOLD.test(String(raw[key]))) {
      throw new MeshError('E_TEST_CONFIG', `test ${where.test}: ${key} must compare the failure count with a number, got ${JSON.stringify(raw[key])}`, {
        location: { file: where.file, line: where.line() },
        hint: `Write ${key}: ">10" (or "!=0", ">=5", "=0").`,
      });
    }
  }
  const tags = raw.tags === undefined ? [] : Array.isArray(raw.tags) ? raw.tags.map(String) : [String(raw.tags)];
  const storeFailures = raw.store_failures === true || raw.store_failures === 'true' || raw.store_failures_as === 'table';
  // Optional keys are added after the literal, not spread into it: one object shape for every test.
  const config: TestNode['config'] = {
    severity: String(raw.severity ?? 'error').toLowerCase() === 'warn' ? 'warn' : 'error',
    tags,
    enabled: raw.enabled !== false,
    where: raw.where === undefined || raw.where === null ? undefined : String(raw.where),
    warn_if: String(raw.warn_if ?? '!=0').trim(),
    error_if: String(raw.error_if ?? '!=0').trim(),
    fail_calc: String(raw.fail_calc ?? 'count(*)'),
  };
  if (raw.limit !== undefined && raw.limit !== null) config.limit = Number(raw.limit);
  if (storeFailures) {
    config.store_failures = true;
    // The schema as configured; the parse stage names the relation's schema from it (see auditSchema).
    if (raw.schema !== undefined && raw.schema !== null) config.schema = String(raw.schema);
  }
  return config;
}

export interface TestSpecContext {
  project: string;
  /** The node the test is attached to (model, seed or source). */
  attachedId: string;
  attachedName: string;
  column?: string;
  file: string;
  /** The folders of the properties file below its model or seed path, as dbt's fqn has them. */
  folders?: string[];
  /** The entry's line, looked up only when there is an error to report (lookups parse the file again). */
  line: () => number | undefined;
  /** How to reference the attached node from the test: a ref or a source call. */
  target: { ref: RefCall } | { source: SourceCall };
  /** Configs from the project file's `data_tests:` folder configs. */
  defaults?: Record<string, unknown>;
  /**
   * Where a `{% test name %}` macro is, for a test named `name` (or `namespace.name`): the project's own first,
   * then installed packages', as dbt looks them up.
   */
  resolveTest?(name: string, namespace?: string): { package: string } | undefined;
  /** Installed packages that define a `{% test name %}` macro, to suggest the prefixed name. */
  packagesWithTest?(name: string): string[];
  /** Renders Jinja in a string argument (natively, as dbt renders a test's arguments). */
  renderArgument?(text: string): unknown;
}

/** `to: ref('customers')` in a relationships test is a Jinja string; read the call without rendering. */
export function parseRelationshipTo(to: unknown): { ref: RefCall } | { source: SourceCall } | undefined {
  const call = parseRelationCall(String(to ?? ''));
  return call && !('this' in call) ? call : undefined;
}

function parseTo(to: unknown, ctx: TestSpecContext): { ref: RefCall } | { source: SourceCall } {
  const parsed = parseRelationshipTo(to);
  if (parsed) return parsed;
  throw new MeshError('E_TEST_ARGS', `relationships test on '${ctx.attachedName}': 'to' must be ref('model') or source('src', 'table'), got ${JSON.stringify(to)}`, {
    location: { file: ctx.file, line: ctx.line() },
    hint: "Write to: ref('customers') and field: customer_id.",
  });
}

function shortHash(text: string): string {
  return digest('sha256', text, 'hex').slice(0, 10);
}

function unknownTest(name: string, ctx: TestSpecContext): MeshError {
  const where = `'${ctx.attachedName}${ctx.column ? `.${ctx.column}` : ''}'`;
  const namespace = name.includes('.') ? name.slice(0, name.indexOf('.')) : undefined;
  const known = [...GENERIC_TESTS, ...DBT_UTILS_TESTS.map((t) => `dbt_utils.${t}`)];
  const guess = didYouMean(name, known);
  let hint: string;
  const holders = namespace ? [] : (ctx.packagesWithTest?.(name) ?? []);
  if (holders.length) hint = `The test is in the package ${holders[0]}: name it ${holders[0]}.${name}, as dbt needs it.`;
  else if (guess) hint = `Did you mean '${guess}'?`;
  else if (namespace === 'dbt_utils') hint = `Install dbt_utils under dbt_packages/ (dbt deps) for all its tests; without it the engine has ${DBT_UTILS_TESTS.join(', ')}.`;
  else if (namespace) hint = `Install the ${namespace} package under dbt_packages/ (dbt deps does), or define the test in a {% test ${name.slice(namespace.length + 1)} %} block.`;
  else hint = `Generic tests are ${GENERIC_TESTS.join(', ')}, the {% test %} blocks of the project and its installed packages, and dbt_utils' when it is installed; write anything else as a singular test in tests/.`;
  return new MeshError('E_TEST_UNKNOWN', `unknown generic test '${name}' on ${where}`, { location: { file: ctx.file, line: ctx.line() }, hint });
}

const configSources = new WeakMap<TestNode, { defaults: Record<string, unknown>; yaml: Record<string, unknown>; where: Parameters<typeof testConfig>[1] }>();

/**
 * A generic test's config once its `{% test %}` macro has rendered: what the macro set with `config()` sits
 * between the project's folder configs and the test's own YAML config, as in dbt.
 */
export function withMacroConfig(node: TestNode, macroConfig: Record<string, unknown>): TestNode['config'] {
  const sources = configSources.get(node);
  if (!sources || !Object.keys(macroConfig).length) return node.config;
  const raw: Record<string, unknown> = { ...sources.defaults };
  mergeConfig(raw, macroConfig);
  mergeConfig(raw, sources.yaml);
  return testConfig(raw, sources.where);
}

/** Turns one YAML test entry (`unique`, `{accepted_values: {values: [...]}}`) into a test node. */
export function genericTestNode(entry: unknown, ctx: TestSpecContext): TestNode {
  let name: string;
  let args: Record<string, unknown> = {};
  if (typeof entry === 'string') name = entry;
  else {
    const [key, value] = Object.entries(entry as Record<string, unknown>)[0]!;
    name = key;
    args = { ...((value as Record<string, unknown> | null) ?? {}) };
    // dbt 1.10 nests arguments under `arguments:`.
    if (args.arguments && typeof args.arguments === 'object') args = { ...args, ...(args.arguments as object) };
    delete args.arguments;
  }
  const bare = name.replace(/^dbt\./, '');
  const dot = bare.indexOf('.');
  const namespace = dot > 0 ? bare.slice(0, dot) : undefined;
  const testName = namespace ? bare.slice(dot + 1) : bare;
  const builtIn = !namespace && (GENERIC_TESTS as readonly string[]).includes(testName);
  // A {% test %} macro of the project or an installed package; an installed dbt_utils wins over the engine's.
  const macro = builtIn ? undefined : ctx.resolveTest?.(testName, namespace);
  const native = !macro && namespace === 'dbt_utils' && (DBT_UTILS_TESTS as readonly string[]).includes(testName);
  if (!builtIn && !macro && !native) throw unknownTest(name, ctx);

  // A {% test %} macro's arguments are rendered when the macro renders (their refs are the test's); the
  // engine's own tests get theirs rendered here. The test's name and hash are of the arguments as written.
  const written: Record<string, unknown> = { ...args };
  if (ctx.renderArgument && !macro) {
    for (const [key, value] of Object.entries(args)) {
      if (key !== 'config' && typeof value === 'string' && (value.includes('{{') || value.includes('{%')) && !(testName === 'relationships' && key === 'to')) args[key] = ctx.renderArgument(value);
    }
  }
  const rawConfig: Record<string, unknown> = { ...(ctx.defaults ?? {}) };
  const yamlConfig: Record<string, unknown> = {};
  mergeConfig(rawConfig, args.config as Record<string, unknown> | undefined);
  mergeConfig(yamlConfig, args.config as Record<string, unknown> | undefined);
  delete args.config;
  for (const key of TEST_CONFIG_KEYS) {
    if (key in args) {
      mergeConfig(rawConfig, { [key]: args[key] });
      mergeConfig(yamlConfig, { [key]: args[key] });
      delete args[key];
    }
  }
  const customName = typeof args.name === 'string' ? args.name : undefined;
  delete args.name;
  const description = typeof args.description === 'string' ? args.description : '';
  delete args.description;
  const columnName = (args.column_name as string | undefined) ?? ctx.column;
  if (!columnName && COLUMN_TESTS.has(testName)) {
    throw new MeshError('E_TEST_ARGS', `${testName} test on '${ctx.attachedName}' needs a column`, {
      location: { file: ctx.file, line: ctx.line() },
      hint: 'Put the test under the column it checks, or give column_name:.',
    });
  }
  const refs: RefCall[] = [];
  const sources: SourceCall[] = [];
  if ('ref' in ctx.target) refs.push(ctx.target.ref);
  else sources.push(ctx.target.source);
  if (testName === 'accepted_values' && !Array.isArray(args.values)) {
    throw new MeshError('E_TEST_ARGS', `accepted_values test on '${ctx.attachedName}.${columnName}' needs values: [...]`, {
      location: { file: ctx.file, line: ctx.line() },
      hint: "Write accepted_values: { values: ['a', 'b'] }.",
    });
  }
  if (testName === 'relationships' && builtIn) {
    if (!args.field) {
      throw new MeshError('E_TEST_ARGS', `relationships test on '${ctx.attachedName}.${columnName}' needs field:`, {
        location: { file: ctx.file, line: ctx.line() },
        hint: "Write relationships: { to: ref('customers'), field: customer_id }.",
      });
    }
    const to = parseTo(args.to, ctx);
    if ('ref' in to) refs.push(to.ref);
    else sources.push(to.source);
  }
  if (native) checkDbtUtilsArgs(testName, namespace, args, ctx);
  // dbt's names: `<namespace>_source_<test>_<target>_<arguments>`, a shortened alias past 63 characters,
  // and a hash of the test's metadata in the unique id.
  const kwargs: Record<string, unknown> = { ...args };
  const asWritten: Record<string, unknown> = Object.fromEntries(Object.keys(args).map((key) => [key, written[key]]));
  if (columnName) kwargs.column_name = asWritten.column_name = columnName;
  const testType = `${namespace ? `${namespace}_` : ''}${'source' in ctx.target ? 'source_' : ''}${testName}`;
  const names = customName ? { name: customName, alias: customName } : synthesizeTestNames(testType, ctx.attachedName, asWritten);
  kwargs.model = asWritten.model = modelArgument(ctx.target);
  const unique = names.name;
  const rawConfigWithAlias = names.alias !== names.name && rawConfig.alias === undefined ? { ...rawConfig, alias: names.alias } : rawConfig;
  const config = testConfig(rawConfigWithAlias, { file: ctx.file, line: ctx.line, test: unique });
  const hash = testHash(unique, { namespace, name: testName, kwargs: asWritten });
  const node: TestNode = {
    unique_id: `test.${ctx.project}.${unique}.${hash}`,
    resource_type: 'test',
    name: unique,
    alias: String(rawConfigWithAlias.alias ?? unique),
    package_name: ctx.project,
    original_file_path: ctx.file,
    fqn: [ctx.project, ...(ctx.folders ?? ctx.file.split('/').slice(1, -1)), unique],
    description,
    tags: config.tags,
    meta: {},
    config,
    test_metadata: namespace ? { name: testName, kwargs, namespace } : { name: testName, kwargs },
    ...(macro ? { macro_package: macro.package } : {}),
    column_name: columnName,
    attached_node: ctx.attachedId,
    raw_code: '',
    refs,
    sources,
    depends_on: { nodes: [], macros: [] },
    checksum: shortHash(`${ctx.attachedId}:${JSON.stringify(entry)}`),
  };
  const yamlWithAlias = rawConfigWithAlias === rawConfig ? yamlConfig : { ...yamlConfig, alias: names.alias };
  configSources.set(node, { defaults: ctx.defaults ?? {}, yaml: yamlWithAlias, where: { file: ctx.file, line: ctx.line, test: unique } });
  return node;
}

/** The arguments each dbt_utils test needs, checked before anything runs. */
function checkDbtUtilsArgs(test: string, namespace: string | undefined, args: Record<string, unknown>, ctx: TestSpecContext): void {
  if (namespace !== 'dbt_utils') return;
  const fail = (message: string, hint: string) => new MeshError('E_TEST_ARGS', `dbt_utils.${test} test on '${ctx.attachedName}': ${message}`, { location: { file: ctx.file, line: ctx.line() }, hint });
  if (test === 'expression_is_true' && typeof args.expression !== 'string') {
    throw fail('needs expression:', 'Write dbt_utils.expression_is_true: { expression: "amount >= 0" }.');
  }
  if (test === 'unique_combination_of_columns' && (!Array.isArray(args.combination_of_columns) || args.combination_of_columns.length === 0)) {
    throw fail('needs combination_of_columns: [...]', 'Write dbt_utils.unique_combination_of_columns: { combination_of_columns: [a, b] }.');
  }
  if (test === 'accepted_range' && args.min_value === undefined && args.max_value === undefined) {
    throw fail('needs min_value: or max_value:', 'Write dbt_utils.accepted_range: { min_value: 0, max_value: 100 }.');
  }
}
