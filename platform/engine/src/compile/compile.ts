import { MeshError } from '@mesh/errors';
import type { Dag } from '../graph/dag';
import type { Resolution } from '../graph/resolve-refs';
import { PLACEHOLDER, type ParsedProject, type RenderedSql } from '../parse/parse-project';
import type { GraphNode, ModelNode, TestNode } from '../types';
import { genericTestSql } from './test-sql';
import { compileUnitTest, type UnitTestPlan } from './unit-test-sql';
import { CATALOG_NAMING, ephemeralName, quoteIdent, relationSql, type RelationNaming } from './relations';

export interface CompiledNode {
  unique_id: string;
  /** The SQL that produces the node's rows (models) or its failing rows (tests); ephemerals inlined. */
  sql: string;
  /** Quoted relation name the node materializes into (models, seeds). */
  relation?: string;
  /** For unit tests: the tested model reading fixtures, whose rows are typed when the test runs. */
  unitTest?: UnitTestPlan;
}

/** Replaces the parse-time placeholders with the relation names the graph resolved. */
export function substitute(
  rendered: RenderedSql,
  node: GraphNode,
  dag: Dag,
  resolution: Resolution,
  naming: RelationNaming = CATALOG_NAMING,
  nameOf: (node: GraphNode) => string = (n) => relationSql(n, naming),
): string {
  const refs = resolution.refTargets.get(node.unique_id) ?? [];
  const sources = resolution.sourceTargets.get(node.unique_id) ?? [];
  return rendered.sql.replace(PLACEHOLDER, (_, kind: string, index: string) => {
    if (kind === 'T') return nameOf(node);
    const id = kind === 'R' ? refs[Number(index)] : sources[Number(index)];
    return nameOf(dag.nodes.get(id!)!);
  });
}

function stripTrailing(sql: string): string {
  return sql.replace(/;\s*$/, '').trimEnd();
}

function isEphemeral(node: GraphNode): node is ModelNode {
  return node.resource_type === 'model' && node.config.materialized === 'ephemeral';
}

/** Ephemeral ancestors reachable through ephemeral parents only, parents first. */
function ephemeralAncestors(id: string, dag: Dag): ModelNode[] {
  // Most nodes have no ephemeral parent: settle those without building the walk's set and list.
  if (!dag.parents.get(id)?.some((parentId) => isEphemeral(dag.nodes.get(parentId)!))) return [];
  const order: ModelNode[] = [];
  const seen = new Set<string>();
  const visit = (nodeId: string) => {
    for (const parentId of dag.parents.get(nodeId) ?? []) {
      const parent = dag.nodes.get(parentId)!;
      if (!isEphemeral(parent) || seen.has(parentId)) continue;
      seen.add(parentId);
      visit(parentId);
      order.push(parent);
    }
  };
  visit(id);
  return order;
}

export class Compiler {
  private readonly bodies = new Map<string, string>();
  /** Relation names by node: a model's name is spelled in the SQL of each child and each test of it. */
  private readonly relations = new Map<GraphNode, string>();
  /** Bodies of ephemeral models rendered again at run time (they asked the database while parsing). */
  private readonly runTimeBodies = new Map<string, string>();

  constructor(
    private readonly parsed: ParsedProject,
    private readonly dag: Dag,
    private readonly resolution: Resolution,
  ) {}

  /** How compiled SQL names the node in this project's target (see relationSql). */
  relationName(node: GraphNode): string {
    let name = this.relations.get(node);
    if (name === undefined) {
      name = relationSql(node, this.parsed.target);
      this.relations.set(node, name);
    }
    return name;
  }

  /** The node's own SQL, placeholders resolved, without ephemeral CTEs. */
  body(node: GraphNode): string {
    let sql = this.bodies.get(node.unique_id);
    if (sql === undefined) {
      const rendered = this.parsed.rendered.get(node.unique_id);
      sql = rendered ? stripTrailing(substitute(rendered, node, this.dag, this.resolution, this.parsed.target, (n) => this.relationName(n))) : '';
      this.bodies.set(node.unique_id, sql);
    }
    return sql;
  }

  ephemeralsOf(id: string): ModelNode[] {
    return ephemeralAncestors(id, this.dag);
  }

  hasRunTimeBody(id: string): boolean {
    return this.runTimeBodies.has(id);
  }

  setRunTimeBody(id: string, sql: string): void {
    this.runTimeBodies.set(id, sql);
  }

  /** Wraps SQL with the ephemeral models it (transitively) refs, as CTEs. */
  withEphemerals(id: string, sql: string): string {
    const ephemerals = ephemeralAncestors(id, this.dag);
    if (!ephemerals.length) return sql;
    const ctes = ephemerals.map((e) => `${quoteIdent(ephemeralName(e))} as (\n${this.runTimeBodies.get(e.unique_id) ?? this.body(e)}\n)`).join(',\n');
    return `with ${ctes}\nselect * from (\n${sql}\n) as __mesh_body`;
  }

  /** Nodes whose compile failed, by unique id: asked again (a run executing the node), they fail alike. */
  private readonly failures = new Map<string, unknown>();

  compileNode(node: GraphNode): CompiledNode {
    const failed = this.failures.get(node.unique_id);
    if (failed !== undefined) throw failed;
    try {
      return this.compileOne(node);
    } catch (error) {
      this.failures.set(node.unique_id, error);
      throw error;
    }
  }

  private compileOne(node: GraphNode): CompiledNode {
    if (node.resource_type === 'test') return this.compileTest(node);
    if (node.resource_type === 'unit_test') {
      const plan = compileUnitTest(node, { parsed: this.parsed, dag: this.dag, resolution: this.resolution, relationName: (n) => this.relationName(n) });
      return { unique_id: node.unique_id, sql: plan.sql, unitTest: plan };
    }
    if (node.resource_type === 'source' || node.resource_type === 'seed') {
      return { unique_id: node.unique_id, sql: '', relation: this.relationName(node) };
    }
    const sql = this.withEphemerals(node.unique_id, this.body(node));
    return { unique_id: node.unique_id, sql, relation: this.relationName(node) };
  }

  private compileTest(node: TestNode): CompiledNode {
    // Singular tests and the project's own generic tests ({% test %} blocks) were rendered at parse time.
    if (!node.test_metadata || this.parsed.rendered.has(node.unique_id)) {
      return { unique_id: node.unique_id, sql: this.withEphemerals(node.unique_id, this.body(node)) };
    }
    const refs = this.resolution.refTargets.get(node.unique_id) ?? [];
    const sources = this.resolution.sourceTargets.get(node.unique_id) ?? [];
    const targets = [...refs, ...sources];
    const attached = this.dag.nodes.get(node.attached_node!);
    if (!attached) {
      throw new MeshError('E_TEST_TARGET', `test ${node.name} is attached to ${node.attached_node}, which is not in the graph`, {
        location: { file: node.original_file_path },
      });
    }
    const toId = targets.find((t) => t !== attached.unique_id) ?? targets[1];
    const to = toId ? this.relationName(this.dag.nodes.get(toId)!) : undefined;
    const sql = genericTestSql(node, this.relationName(attached), to);
    return { unique_id: node.unique_id, sql: this.withEphemerals(node.unique_id, sql) };
  }
}
