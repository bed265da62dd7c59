import { MeshError } from '@mesh/errors';
import type { Dag } from '../graph/dag';
import type { Resolution } from '../graph/resolve-refs';
import type { ParsedProject } from '../parse/parse-project';
import { PlaceholderRelation } from '../parse/relation';
import type { GraphNode, ModelNode, RefCall, SourceCall, UnitTestInput, UnitTestNode, UnitTestRows } from '../types';
import { quoteIdent } from './relations';

/** One input of a unit test as it runs: the CTE the model reads instead, and the relation it stands for. */
export interface UnitTestFixture {
  /** The CTE's name, as dbt names an input: `__dbt__cte__<name>`. */
  cte: string;
  /** The real relation, as compiled SQL names it: its columns type the rows. */
  relation: string;
  /** The relation's name in messages (`raw_orders`, `raw.orders`). */
  name: string;
  rows: UnitTestRows;
  input: string;
  line?: number;
}

/** A unit test compiled: the tested model's SQL reading fixtures, and the fixtures to build at run time. */
export interface UnitTestPlan {
  model: string;
  /** The model's SQL, rendered with the test's overrides, each ref and source naming its fixture's CTE. */
  sql: string;
  inputs: UnitTestFixture[];
}

const sameRef = (a: RefCall, b: RefCall) => a.name === b.name && (a.project ?? '') === (b.project ?? '');

export interface UnitTestCompileContext {
  parsed: ParsedProject;
  dag: Dag;
  resolution: Resolution;
  relationName(node: GraphNode): string;
}

/**
 * Renders the tested model again as dbt does for a unit test: vars, env vars and macros overridden,
 * is_incremental() as the test says, and every ref, source and `this` the test gives replaced by a CTE
 * of its rows. A ref or source the model reads that the test does not give is refused, as dbt refuses it.
 */
export function compileUnitTest(node: UnitTestNode, ctx: UnitTestCompileContext): UnitTestPlan {
  const { parsed, dag, resolution } = ctx;
  const modelId = resolution.refTargets.get(node.unique_id)?.[0];
  const model = modelId ? (dag.nodes.get(modelId) as ModelNode | undefined) : undefined;
  const at = (line?: number) => ({ file: node.original_file_path, line: line ?? node.line });
  if (!model || model.resource_type !== 'model' || model.external) {
    throw new MeshError('E_UNIT_TEST_CONFIG', `unit test ${node.name}: '${node.model}' is not a model of this project`, { location: at(), node: node.unique_id, hint: 'Unit tests test the project\'s own models.' });
  }
  const parse = parsed.rendered.get(model.unique_id)!;
  const refTargets = resolution.refTargets.get(model.unique_id) ?? [];
  const sourceTargets = resolution.sourceTargets.get(model.unique_id) ?? [];

  /** The unique id an input stands for: one of the model's refs or sources, or the model itself. */
  const targetOf = (input: UnitTestInput): string => {
    if ('this' in input.call) return model.unique_id;
    if ('ref' in input.call) {
      const call = input.call.ref;
      const i = parse.refs.findIndex((r) => sameRef(r, call) && (call.version === undefined || r.version === call.version));
      if (i >= 0) return refTargets[i]!;
    } else {
      const call = input.call.source;
      const i = parse.sources.findIndex((s) => s.source === call.source && s.table === call.table);
      if (i >= 0) return sourceTargets[i]!;
    }
    const reads = [...parse.refs.map((r) => `ref('${r.name}')`), ...parse.sources.map((s) => `source('${s.source}', '${s.table}')`)];
    throw new MeshError('E_UNIT_TEST_CONFIG', `unit test ${node.name}: input ${input.input} is not read by model '${model.name}'`, {
      location: at(input.line),
      node: node.unique_id,
      hint: reads.length ? `${model.name} reads ${reads.join(', ')}; give those.` : `${model.name} reads no ref or source; remove the input.`,
    });
  };
  const inputs = new Map<string, UnitTestFixture>();
  for (const input of node.given) {
    const id = targetOf(input);
    const target = dag.nodes.get(id)!;
    if (target.resource_type === 'model' && target.config.materialized === 'ephemeral' && input.rows.format !== 'sql') {
      throw new MeshError('E_UNIT_TEST_CONFIG', `unit test ${node.name}: input ${input.input} is an ephemeral model, which has no relation to type ${input.rows.format} rows by`, {
        location: at(input.line),
        node: node.unique_id,
        hint: 'Give its rows as format: sql (a query with the columns and types it returns), as dbt requires.',
      });
    }
    const name = target.resource_type === 'source' ? `${target.source_name}__${target.name}` : target.name;
    inputs.set(id, { cte: `__dbt__cte__${name}`, relation: ctx.relationName(target), name: target.resource_type === 'source' ? `${target.source_name}.${target.name}` : target.name, rows: input.rows, input: input.input, line: input.line });
  }

  const missing = (what: string): MeshError => new MeshError('E_UNIT_TEST_CONFIG', `unit test ${node.name}: model '${model.name}' reads ${what}, which the test does not give`, {
    location: at(),
    node: node.unique_id,
    hint: `Add it under given: (input: ${what}, with rows: []) if its rows do not matter.`,
  });
  const fixture = (id: string | undefined, what: string, call: { database: string; schema: string; identifier: string }) => {
    const entry = id === undefined ? undefined : inputs.get(id);
    if (!entry) throw missing(what);
    return new PlaceholderRelation(quoteIdent(entry.cte), call.database, call.schema, call.identifier);
  };
  const overrides = node.overrides;
  const thisInput = inputs.get(model.unique_id);
  const render = parsed.templates.get(model.unique_id)!;
  const sql = render({
    ref: (call) => {
      const i = parse.refs.findIndex((r) => sameRef(r, call) && (r.version ?? '') === (call.version ?? ''));
      return fixture(i < 0 ? undefined : refTargets[i], `ref('${call.name}')`, { database: model.database, schema: 'main', identifier: call.name });
    },
    source: (call: SourceCall) => {
      const i = parse.sources.findIndex((s) => s.source === call.source && s.table === call.table);
      return fixture(i < 0 ? undefined : sourceTargets[i], `source('${call.source}', '${call.table}')`, { database: model.database, schema: call.source, identifier: call.table });
    },
    thisRelation: thisInput
      ? new PlaceholderRelation(quoteIdent(thisInput.cte), model.database, model.schema, model.alias)
      : new PlaceholderRelation(ctx.relationName(model), model.database, model.schema, model.alias),
    isIncremental: overrides.macros.is_incremental === true,
    vars: overrides.vars,
    env: overrides.env_vars,
    macros: overrides.macros,
  });
  return { model: model.unique_id, sql: sql.replace(/;\s*$/, '').trimEnd(), inputs: [...inputs.values()] };
}
