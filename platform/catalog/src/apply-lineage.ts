import type { AssembledNode } from './assemble';
import { columnLineage } from './column-lineage';
import { RelationIndex, splitRelationName } from './relation-index';

export type SqlParser = (sqls: readonly string[]) => Promise<unknown[]>;

/** Parents before children; nodes in a cycle (never built, so never in a manifest) keep their order. */
function topological(nodes: AssembledNode[]): AssembledNode[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const pending = new Map(nodes.map((n) => [n.id, n.parents.length]));
  const queue = nodes.filter((n) => n.parents.length === 0);
  const out: AssembledNode[] = [];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i]!;
    out.push(node);
    for (const child of node.children) {
      const left = pending.get(child)! - 1;
      pending.set(child, left);
      if (left === 0) queue.push(byId.get(child)!);
    }
  }
  if (out.length < nodes.length) for (const n of nodes) if (pending.get(n.id)! > 0) out.push(n);
  return out;
}

/**
 * Fills each model's `columns[].lineage` from its compiled SQL. Models are walked parents first so a
 * `select *` over a model whose columns are known only from its own SQL (never built, no YAML) still
 * expands to them.
 */
export async function applyColumnLineage(nodes: AssembledNode[], parse: SqlParser): Promise<void> {
  const index = new RelationIndex();
  for (const node of nodes) if (node.relation) index.add(node.relation, node.id);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const columnsOf = (id: string) => byId.get(id)?.columns.map((c) => c.name) ?? [];

  const models = topological(nodes).filter((n) => n.compiled_sql);
  const trees = await parse(models.map((m) => m.compiled_sql!));
  models.forEach((model, i) => {
    const home = model.relation ? (splitRelationName(model.relation).at(-3) ?? '') : '';
    const result = columnLineage(trees[i], index.resolver(columnsOf, home));
    model.lineage_warnings = result.warnings;
    if (!model.columns.length) {
      // Known only from the SQL: DuckDB would name an unnamed expression from its text, which the tree does not keep.
      model.columns = result.columns.map((c, n) => ({ name: c.name ?? `column_${n + 1}`, type: null, description: '', tags: [], lineage: c.sources }));
      return;
    }
    const byName = new Map(model.columns.map((c) => [c.name.toLowerCase(), c]));
    result.columns.forEach((out, position) => {
      // An unnamed expression is matched by position, which only the built relation's column order gives.
      const column = out.name !== null ? byName.get(out.name.toLowerCase()) : model.columnsFromDatabase ? model.columns[position] : undefined;
      if (column) column.lineage = out.sources;
    });
  });
}
