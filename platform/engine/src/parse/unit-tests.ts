import { posix } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { MeshError } from '@mesh/errors';
import type { ProjectFiles, PropertiesSource, SourceFile } from '../load/load-project';
import type { UnitTestInputSpec } from '../load/schemas';
import type { GraphNode, ModelNode, UnitTestInput, UnitTestNode, UnitTestRows } from '../types';
import { didYouMean } from '../util/did-you-mean';
import { digest } from '../util/digest';
import { folderConfig, mergeConfig } from './folder-config';
import { parseRelationCall } from './relation-call';

type FixtureSpec = { format?: 'dict' | 'csv' | 'sql'; rows?: Array<Record<string, unknown>> | string; fixture?: string };

/** dbt reads CSV rows as text, an empty field as null. */
function csvRows(text: string): Array<Record<string, unknown>> {
  const rows = parseCsv(text.trim(), { columns: true, skip_empty_lines: true, relax_column_count: true }) as Array<Record<string, string>>;
  return rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === '' ? null : v])));
}

/**
 * dbt moves the first row without nulls to the top (some databases type a union by its first row);
 * the expected columns are that row's keys.
 */
function promoteFirstComplete<T>(rows: Array<Record<string, unknown>>, alongside?: T[]): { rows: Array<Record<string, unknown>>; alongside?: T[] } {
  const i = rows.findIndex((row) => Object.values(row).every((v) => v !== null && v !== undefined));
  if (i <= 0) return { rows, alongside };
  const swap = <U>(list: U[]) => {
    const out = [...list];
    [out[0], out[i]] = [out[i]!, out[0]!];
    return out;
  };
  return { rows: swap(rows), alongside: alongside && swap(alongside) };
}

interface UnitTestContext {
  files: ProjectFiles;
  project: string;
  /** The project's nodes parsed so far: models and seeds, to find the tested model and seed inputs. */
  nodes: GraphNode[];
  /** Models that are switched off: a unit test of one is off too. */
  disabledModels: ReadonlySet<string>;
  /** A test's `config:` with its Jinja rendered, as dbt renders the configs of properties files. */
  renderConfig?(config: Record<string, unknown> | undefined, file: PropertiesSource, path: Array<string | number>): Record<string, unknown> | undefined;
}

/**
 * dbt's `unit_tests:` of the properties files: one node per test (per version of a versioned model),
 * its inputs and expectation read into rows, fixture files resolved, and every mistake dbt would stop
 * at named with the file, line and key.
 */
export function parseUnitTests(ctx: UnitTestContext): UnitTestNode[] {
  const { files } = ctx;
  if (!files.properties.some((f) => f.data.unit_tests?.length)) return [];
  const fixtures = new Map<string, SourceFile>();
  for (const file of files.fixtures) fixtures.set(posix.basename(file.path), file);
  const models = new Map<string, ModelNode[]>();
  const seeds = new Set<string>();
  for (const node of ctx.nodes) {
    if (node.resource_type === 'model') models.set(node.name, [...(models.get(node.name) ?? []), node]);
    if (node.resource_type === 'seed') seeds.add(node.name);
  }
  const out: UnitTestNode[] = [];
  for (const file of files.properties) {
    (file.data.unit_tests ?? []).forEach((spec, index) => {
      out.push(...unitTestNodes(spec, { file, index, fixtures, models, seeds, ctx }));
    });
  }
  return out;
}

interface EntryContext {
  file: PropertiesSource;
  index: number;
  fixtures: Map<string, SourceFile>;
  models: Map<string, ModelNode[]>;
  seeds: Set<string>;
  ctx: UnitTestContext;
}

function unitTestNodes(spec: UnitTestInputSpec, e: EntryContext): UnitTestNode[] {
  const { file, index } = e;
  const path = (...rest: PropertyKey[]) => ['unit_tests', index, ...rest];
  function fail(at: PropertyKey[], message: string, hint: string): never {
    throw new MeshError('E_UNIT_TEST_CONFIG', `unit test ${spec.name}: ${message}`, { location: { file: file.path, line: file.lineOf(path(...at)) }, hint });
  }
  // `model: orders` tests every version of a versioned model; dbt also reads `model: orders 2` as one version.
  const [modelName, pinned] = spec.model.trim().split(/\s+/) as [string, string | undefined];
  const candidates = e.models.get(modelName);
  if (!candidates?.length && e.ctx.disabledModels.has(modelName)) return [];
  if (!candidates?.length) {
    const guess = didYouMean(modelName, e.models.keys());
    fail(['model'], `model '${modelName}' does not exist`, guess ? `Did you mean '${guess}'?` : 'Name a model of this project; unit tests test models.');
  }
  const versioned = candidates!.some((m) => m.version !== undefined);
  if (!versioned && (spec.versions?.include || spec.versions?.exclude)) {
    fail(['versions'], `versions: include or exclude is set, but '${modelName}' is not versioned`, 'Remove versions:, or version the model.');
  }
  let tested = candidates!;
  if (versioned) {
    if (pinned) tested = tested.filter((m) => m.version === pinned);
    else if (spec.versions?.include) tested = tested.filter((m) => spec.versions!.include!.includes(m.version!));
    else if (spec.versions?.exclude) tested = tested.filter((m) => !spec.versions!.exclude!.includes(m.version!));
    if (!tested.length) {
      fail(['versions'], `no version of '${modelName}' is selected to test`, `'${modelName}' has versions ${candidates!.map((m) => m.version).join(', ')}.`);
    }
  }

  const given: UnitTestInput[] = spec.given.map((g, gi) => {
    const call = parseRelationCall(g.input, true);
    if (!call) fail(['given', gi, 'input'], `input ${JSON.stringify(g.input)} is not a ref(), source() or this`, "Write input: ref('stg_orders'), input: source('raw', 'orders'), or input: this for an incremental model.");
    const rows = fixtureRows(g, ['given', gi], call!, e, fail);
    return { input: g.input.trim(), call: call!, rows, line: file.lineOf(path('given', gi)), ...(g.fixture ? { fixture: g.fixture } : {}) };
  });
  if (spec.expect.format !== 'sql' && spec.expect.rows === undefined && spec.expect.fixture === undefined) {
    fail(['expect'], 'expect has no rows', 'Give the rows the model should return under expect: rows: (or a fixture file).');
  }
  const expectRows = fixtureRows(spec.expect, ['expect'], undefined, e, fail);
  const overrides = {
    macros: spec.overrides?.macros ?? {},
    vars: spec.overrides?.vars ?? {},
    env_vars: spec.overrides?.env_vars ?? {},
  };
  const isIncremental = overrides.macros.is_incremental;
  if (isIncremental !== undefined && typeof isIncremental !== 'boolean') {
    fail(['overrides', 'macros', 'is_incremental'], 'overrides.macros.is_incremental must be true or false', 'Write is_incremental: true to test the incremental branch, false for the first build.');
  }

  const folders = file.path.split('/').slice(1, -1);
  const checksum = digest('sha256', JSON.stringify(spec), 'hex');
  return tested.map((model) => {
    if (/\bis_incremental\s*\(/.test(model.raw_code) && isIncremental === undefined) {
      fail(['overrides'], `model '${model.name}' calls is_incremental(), so the test must say which branch it tests`, 'Add overrides: {macros: {is_incremental: false}} (or true, with an input: this).');
    }
    if (isIncremental === true && !given.some((g) => 'this' in g.call)) {
      fail(['given'], `the incremental branch of '${model.name}' reads the table it builds, which the test does not give`, 'Add a given entry with input: this and the rows the table holds before the run.');
    }
    const suffix = model.version !== undefined ? `_v${model.version}` : '';
    const config: Record<string, unknown> = folderConfig(e.ctx.files.project.unit_tests, e.ctx.project, [...folders, model.name]);
    const own = spec.config as Record<string, unknown> | undefined;
    mergeConfig(config, e.ctx.renderConfig ? e.ctx.renderConfig(own, file, ['unit_tests', index, 'config']) : own);
    const node: UnitTestNode = {
      unique_id: `unit_test.${e.ctx.project}.${model.name}.${spec.name}${suffix}`,
      resource_type: 'unit_test',
      name: `${spec.name}${suffix}`,
      package_name: e.ctx.project,
      original_file_path: file.path,
      fqn: [e.ctx.project, ...folders, model.name, `${spec.name}${suffix}`],
      description: spec.description ?? '',
      tags: Array.isArray(config.tags) ? config.tags.map(String) : [],
      meta: (config.meta as Record<string, unknown> | undefined) ?? {},
      model: model.name,
      config: {
        enabled: config.enabled !== false,
        tags: Array.isArray(config.tags) ? config.tags.map(String) : [],
        meta: (config.meta as Record<string, unknown> | undefined) ?? {},
      },
      given,
      expect: { ...expectRows, line: file.lineOf(path('expect')), ...(spec.expect.fixture ? { fixture: spec.expect.fixture } : {}) },
      overrides,
      refs: [{ name: model.name, ...(model.version !== undefined ? { version: model.version } : {}) }],
      sources: [],
      depends_on: { nodes: [], macros: [] },
      checksum,
      line: file.lineOf(path()),
    };
    if (model.version !== undefined) node.version = model.version;
    if (spec.versions) node.versions = spec.versions;
    return node;
  }).filter((n) => n.config.enabled);
}

/** The rows of a `given` or `expect` entry in their format, read from the fixture file where one is named. */
function fixtureRows(
  g: FixtureSpec,
  at: PropertyKey[],
  call: UnitTestInput['call'] | undefined,
  e: EntryContext,
  fail: (at: PropertyKey[], message: string, hint: string) => never,
): UnitTestRows {
  const what = call ? `input ${JSON.stringify((g as { input?: string }).input ?? '')}` : 'expect';
  const format = g.format ?? 'dict';
  if (g.rows !== undefined && g.fixture !== undefined) fail([...at, 'fixture'], `${what} has both rows and a fixture`, 'Keep one: rows written here, or fixture: naming a file under tests/fixtures/.');
  const fixtureText = (ext: string): string => {
    const found = e.fixtures.get(`${g.fixture}${ext}`);
    if (!found) {
      const known = [...e.fixtures.keys()].filter((k) => k.endsWith(ext)).map((k) => k.slice(0, -ext.length));
      const guess = didYouMean(g.fixture!, known);
      fail([...at, 'fixture'], `fixture '${g.fixture}' has no file ${g.fixture}${ext} under ${(e.ctx.files.project['test-paths'] ?? ['tests']).map((p) => `${p}/fixtures/`).join(', ')}`, guess ? `Did you mean '${guess}'?` : `Write the rows to tests/fixtures/${g.fixture}${ext}.`);
    }
    return found!.text;
  };
  if (format === 'dict') {
    if (g.fixture !== undefined) fail([...at, 'format'], `${what} names a fixture file, which dict rows cannot come from`, "Set format: csv (for a .csv file) or format: sql (for a .sql file).");
    if (g.rows === undefined) {
      // A seed given without rows stands for its own rows, as dbt reads them from the seed's file.
      if (call && 'ref' in call && !call.ref.project && e.seeds.has(call.ref.name)) return { format: 'seed' };
      fail(at, `${what} has no rows`, 'Give rows: as a list of mappings, or format: csv / sql with rows or a fixture. Only a seed may be given without rows.');
    }
    if (!Array.isArray(g.rows)) fail([...at, 'rows'], `${what} has rows which do not match format dict`, 'Give a list of mappings ({id: 1, name: x}), or set format: csv for CSV text.');
    const list = g.rows as Array<Record<string, unknown>>;
    const lines = list.map((_, ri) => e.file.lineOf(['unit_tests', e.index, ...at, 'rows', ri]) ?? 0);
    const promoted = promoteFirstComplete(list, lines);
    return { format: 'dict', rows: promoted.rows, lines: promoted.alongside };
  }
  if (format === 'csv') {
    if (g.rows !== undefined && typeof g.rows !== 'string') fail([...at, 'rows'], `${what} has rows or fixtures which do not match format csv: expected text`, 'Write the CSV under rows: | with a header line, or name a file with fixture:.');
    if (g.rows === undefined && g.fixture === undefined) fail(at, `${what} has no rows`, 'Write the CSV under rows: |, or name a file with fixture:.');
    return { format: 'csv', rows: promoteFirstComplete(csvRows(g.fixture !== undefined ? fixtureText('.csv') : (g.rows as string))).rows };
  }
  if (g.rows !== undefined && typeof g.rows !== 'string') fail([...at, 'rows'], `${what} has rows or fixtures which do not match format sql: expected text`, 'Write a query under rows: |, or name a .sql file with fixture:.');
  if (g.rows === undefined && g.fixture === undefined) fail(at, `${what} has no rows`, 'Write a query under rows: |, or name a .sql file with fixture:.');
  return { format: 'sql', sql: (g.fixture !== undefined ? fixtureText('.sql') : (g.rows as string)).trim().replace(/;\s*$/, '') };
}
