import { MeshError } from '@mesh/errors';
import type { RefCall, SourceCall, TestNode } from '../types';
import { didYouMean } from '../util/did-you-mean';
import { parseLiteralTemplate } from './literal-calls';
import { createHash } from 'node:crypto';

export const GENERIC_TESTS = ['not_null', 'unique', 'accepted_values', 'relationships'] as const;
export type GenericTestName = (typeof GENERIC_TESTS)[number];

export interface TestSpecContext {
  project: string;
  /** The node the test is attached to (model, seed or source). */
  attachedId: string;
  attachedName: string;
  column?: string;
  file: string;
  /** The entry's line, looked up only when there is an error to report (lookups parse the file again). */
  line: () => number | undefined;
  /** How to reference the attached node from the test: a ref or a source call. */
  target: { ref: RefCall } | { source: SourceCall };
}

const REF_FNS = new Set(['ref', 'source']);

/** `to: ref('customers')` in a relationships test is a Jinja string; read the call without rendering. */
function parseTo(to: unknown, ctx: TestSpecContext): { ref: RefCall } | { source: SourceCall } {
  const text = String(to ?? '');
  const pieces = parseLiteralTemplate(`{{ ${text} }}`, REF_FNS, new Set());
  const call = pieces?.[0];
  if (call && typeof call === 'object' && 'fn' in call) {
    const args = call.args.map(String);
    if (call.fn === 'source' && args.length === 2) return { source: { source: args[0]!, table: args[1]! } };
    if (call.fn === 'ref' && (args.length === 1 || args.length === 2)) {
      const v = call.kwargs.v ?? call.kwargs.version;
      const ref: RefCall = args.length === 1 ? { name: args[0]! } : { project: args[0], name: args[1]! };
      if (v !== undefined && v !== null) ref.version = String(v);
      return { ref };
    }
  }
  throw new MeshError('E_TEST_ARGS', `relationships test on '${ctx.attachedName}': 'to' must be ref('model') or source('src', 'table'), got ${JSON.stringify(to)}`, {
    location: { file: ctx.file, line: ctx.line() },
    hint: "Write to: ref('customers') and field: customer_id.",
  });
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 10);
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
  const testName = name.replace(/^dbt\./, '');
  if (!(GENERIC_TESTS as readonly string[]).includes(testName)) {
    const guess = didYouMean(testName, GENERIC_TESTS);
    throw new MeshError('E_TEST_UNKNOWN', `unknown generic test '${name}' on '${ctx.attachedName}${ctx.column ? `.${ctx.column}` : ''}'`, {
      location: { file: ctx.file, line: ctx.line() },
      hint: guess ? `Did you mean '${guess}'?` : `Generic tests are ${GENERIC_TESTS.join(', ')}; write anything else as a singular test in tests/.`,
    });
  }
  const config = (args.config as Record<string, unknown> | undefined) ?? {};
  delete args.config;
  for (const key of ['severity', 'where', 'tags', 'enabled'] as const) {
    if (key in args) {
      config[key] = args[key];
      delete args[key];
    }
  }
  const columnName = (args.column_name as string | undefined) ?? ctx.column;
  if (!columnName) {
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
  if (testName === 'relationships') {
    if (!args.field) {
      throw new MeshError('E_TEST_ARGS', `relationships test on '${ctx.attachedName}.${columnName}' needs field:`, {
        location: { file: ctx.file, line: ctx.line() },
        hint: "Write relationships: { to: ref('customers'), field: customer_id }.",
      });
    }
    const to = parseTo(args.to, ctx);
    if ('ref' in to) refs.push(to.ref);
    else sources.push(to.source);
    args.to = to;
  }
  const base = `${testName}_${ctx.attachedName}_${columnName}`.replace(/[^A-Za-z0-9_]/g, '_');
  const unique = testName === 'accepted_values' || testName === 'relationships' ? `${base}__${shortHash(JSON.stringify(args))}` : base;
  const severity = String(config.severity ?? 'error').toLowerCase();
  return {
    unique_id: `test.${ctx.project}.${unique}`,
    resource_type: 'test',
    name: unique,
    package_name: ctx.project,
    original_file_path: ctx.file,
    fqn: [ctx.project, unique],
    description: '',
    tags: (config.tags as string[] | undefined) ?? [],
    meta: {},
    config: {
      severity: severity === 'warn' ? 'warn' : 'error',
      tags: (config.tags as string[] | undefined) ?? [],
      enabled: config.enabled !== false,
      where: config.where as string | undefined,
    },
    test_metadata: { name: testName, kwargs: { ...args, column_name: columnName } },
    column_name: columnName,
    attached_node: ctx.attachedId,
    raw_code: '',
    refs,
    sources,
    depends_on: { nodes: [], macros: [] },
    checksum: shortHash(`${ctx.attachedId}:${JSON.stringify(entry)}`),
  };
}
