import type { ColumnRef } from './types';

/**
 * Column lineage from DuckDB's own parse tree (`json_serialize_sql`): which upstream columns each
 * output column of a query is computed from. Names are resolved the way the binder does — through
 * CTEs, subqueries, table aliases, `select *` (with exclude, replace, columns() and USING joins) —
 * and never guessed from matching column names across tables.
 *
 * A column reading an expression lists every base column the expression reads: the arguments of an
 * aggregate, the arguments, partitions and orderings of a window function, every branch of a CASE,
 * the output of a scalar subquery. Filters, join conditions and GROUP BY keys shape rows, not values,
 * so they are not lineage.
 */

/** A relation the query reads, as written in the SQL: `"sales"."gold"."order_summary"` or just `t`. */
export interface RelationName {
  catalog: string;
  schema: string;
  table: string;
}

/** A relation known to the catalog: its node and its columns in order. */
export interface KnownRelation {
  node: string;
  columns: readonly string[];
}

export type RelationResolver = (name: RelationName) => KnownRelation | undefined;

export interface OutputColumn {
  /** The alias, or the column's own name; `null` for an unnamed expression (DuckDB names it from its text). */
  name: string | null;
  sources: ColumnRef[];
}

export interface QueryLineage {
  columns: OutputColumn[];
  /** What could not be followed, in words a model's author understands. */
  warnings: string[];
}

type Tree = Record<string, unknown>;

interface Col {
  name: string;
  deps: Map<string, ColumnRef>;
}

interface Rel {
  alias: string;
  columns: Col[];
  /** Columns a USING join merged into the left side's: left out of an unqualified `*`. */
  hidden: Set<string>;
  /** What it is when its columns are unknown (a table function, a relation not in the catalog). */
  opaque?: string;
}

interface Scope {
  rels: Rel[];
  ctes: Map<string, Col[]>;
  parent?: Scope;
}

const isTree = (v: unknown): v is Tree => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const lower = (s: string) => s.toLowerCase();
const refKey = (r: ColumnRef) => `${r.node}\u0000${r.column}`;

function merge(into: Map<string, ColumnRef>, from: Map<string, ColumnRef>): void {
  for (const [k, v] of from) into.set(k, v);
}

class Walker {
  readonly warnings = new Set<string>();

  constructor(private readonly resolve: RelationResolver) {}

  query(node: unknown, outer: Scope | undefined, ctes: Map<string, Col[]>): Col[] {
    if (!isTree(node)) return [];
    const own = this.ctes(node, outer, ctes);
    switch (node.type) {
      case 'SELECT_NODE':
        return this.select(node, outer, own);
      case 'SET_OPERATION_NODE':
      case 'RECURSIVE_CTE_NODE': {
        // Output names come from the left side; each position reads both sides.
        const left = this.query(node.left, outer, own);
        const withSelf = new Map(own);
        if (node.type === 'RECURSIVE_CTE_NODE') withSelf.set(lower(str(node.cte_name)), left);
        const right = this.query(node.right, outer, withSelf);
        return left.map((col, i) => {
          const deps = new Map(col.deps);
          const other = right[i];
          if (other) merge(deps, other.deps);
          return { name: col.name, deps };
        });
      }
      default:
        this.warnings.add(`a ${str(node.type).toLowerCase().replace(/_/g, ' ')} is not followed`);
        return [];
    }
  }

  /** CTEs in order: each sees the ones before it and those of enclosing queries. */
  private ctes(node: Tree, outer: Scope | undefined, inherited: Map<string, Col[]>): Map<string, Col[]> {
    const entries = list(isTree(node.cte_map) ? node.cte_map.map : undefined);
    if (!entries.length) return inherited;
    const ctes = new Map(inherited);
    for (const entry of entries) {
      if (!isTree(entry) || !isTree(entry.value) || !isTree(entry.value.query)) continue;
      let cols = this.query(entry.value.query.node, outer, ctes);
      cols = rename(cols, list(entry.value.aliases).map(str));
      ctes.set(lower(str(entry.key)), cols);
    }
    return ctes;
  }

  private select(node: Tree, outer: Scope | undefined, ctes: Map<string, Col[]>): Col[] {
    const scope: Scope = { rels: this.from(node.from_table, outer, ctes), ctes, parent: outer };
    const out: Col[] = [];
    for (const expr of list(node.select_list)) {
      if (!isTree(expr)) continue;
      if (expr.class === 'STAR') {
        out.push(...this.star(expr, scope));
        continue;
      }
      const deps = new Map<string, ColumnRef>();
      this.expr(expr, scope, out, deps, false);
      const name = str(expr.alias) || (expr.class === 'COLUMN_REF' ? list(expr.column_names).map(str).at(-1) ?? '' : '');
      out.push({ name, deps });
    }
    return out;
  }

  private from(table: unknown, outer: Scope | undefined, ctes: Map<string, Col[]>): Rel[] {
    if (!isTree(table)) return [];
    const alias = str(table.alias);
    const aliases = list(table.column_name_alias).map(str);
    switch (table.type) {
      case 'BASE_TABLE': {
        const name = { catalog: str(table.catalog_name), schema: str(table.schema_name), table: str(table.table_name) };
        const cte = !name.catalog && !name.schema ? ctes.get(lower(name.table)) : undefined;
        if (cte) return [{ alias: alias || name.table, columns: rename(cte, aliases), hidden: new Set() }];
        const known = this.resolve(name);
        const written = [name.catalog, name.schema, name.table].filter(Boolean).join('.');
        if (!known) {
          this.warnings.add(`${written} is not a model or source of the mesh; its columns are not followed`);
          return [{ alias: alias || name.table, columns: [], hidden: new Set(), opaque: written }];
        }
        const columns = known.columns.map((c) => ({ name: c, deps: new Map([[refKey({ node: known.node, column: c }), { node: known.node, column: c }]]) }));
        return [{ alias: alias || name.table, columns: rename(columns, aliases), hidden: new Set() }];
      }
      case 'SUBQUERY': {
        const sub = isTree(table.subquery) ? table.subquery.node : undefined;
        return [{ alias, columns: rename(this.query(sub, outer, ctes), aliases), hidden: new Set() }];
      }
      case 'JOIN': {
        const left = this.from(table.left, outer, ctes);
        const right = this.from(table.right, outer, ctes);
        let using = list(table.using_columns).map((c) => lower(str(c)));
        if (table.ref_type === 'NATURAL') {
          const leftNames = new Set(left.flatMap((r) => r.columns.map((c) => lower(c.name))));
          using = right.flatMap((r) => r.columns.map((c) => lower(c.name))).filter((n) => leftNames.has(n));
        }
        for (const rel of right) for (const name of using) rel.hidden.add(name);
        return [...left, ...right];
      }
      case 'TABLE_FUNCTION': {
        const fn = isTree(table.function) ? str(table.function.function_name) : 'a table function';
        // A source defined as a call (read_csv_auto('/raw/x.csv')) is known by that call: one string argument.
        const args = isTree(table.function) ? list(table.function.children) : [];
        const arg = args.length === 1 && isTree(args[0]) && isTree(args[0].value) ? args[0].value.value : undefined;
        const known = typeof arg === 'string' ? this.resolve({ catalog: '', schema: '', table: `${fn}('${arg.replace(/'/g, "''")}')` }) : undefined;
        if (known) {
          const columns = known.columns.map((c) => ({ name: c, deps: new Map([[refKey({ node: known.node, column: c }), { node: known.node, column: c }]]) }));
          return [{ alias: alias || fn, columns: rename(columns, aliases), hidden: new Set() }];
        }
        return [{ alias: alias || fn, columns: aliases.map((name) => ({ name, deps: new Map() })), hidden: new Set(), opaque: `${fn}(...)` }];
      }
      case 'EXPRESSION_LIST': {
        const width = list(list(table.values)[0]).length;
        const columns = Array.from({ length: width }, (_, i) => ({ name: `col${i}`, deps: new Map<string, ColumnRef>() }));
        return [{ alias: alias || 'valueslist', columns, hidden: new Set() }];
      }
      case 'EMPTY':
        return [];
      default:
        this.warnings.add(`a ${str(table.type).toLowerCase().replace(/_/g, ' ')} in FROM is not followed`);
        return [{ alias, columns: [], hidden: new Set(), opaque: str(table.type) }];
    }
  }

  private star(expr: Tree, scope: Scope): Col[] {
    const relation = lower(str(expr.relation_name));
    const rels = relation ? scope.rels.filter((r) => lower(r.alias) === relation) : scope.rels;
    for (const rel of rels) {
      if (rel.opaque) this.warnings.add(`* over ${rel.opaque} cannot be expanded: its columns are not known to the mesh`);
    }
    const excluded = new Set(list(expr.exclude_list).map((e) => lower(str(e))));
    const qualifiedExcluded = new Set(
      list(expr.qualified_exclude_list).filter(isTree).map((e) => `${lower(str(e.table))}.${lower(str(e.column))}`),
    );
    const replace = new Map<string, unknown>();
    for (const entry of list(expr.replace_list)) if (isTree(entry)) replace.set(lower(str(entry.key)), entry.value);
    let pattern: RegExp | undefined;
    if (expr.columns === true && isTree(expr.expr) && isTree(expr.expr.value) && typeof expr.expr.value.value === 'string') {
      pattern = new RegExp(expr.expr.value.value);
    }
    const out: Col[] = [];
    for (const rel of rels) {
      for (const col of rel.columns) {
        const key = lower(col.name);
        if (!relation && rel.hidden.has(key)) continue;
        if (excluded.has(key) || qualifiedExcluded.has(`${lower(rel.alias)}.${key}`)) continue;
        if (pattern && !pattern.test(col.name)) continue;
        const replacement = replace.get(key);
        if (replacement !== undefined) {
          const deps = new Map<string, ColumnRef>();
          this.expr(replacement, scope, out, deps, false);
          out.push({ name: col.name, deps });
        } else {
          out.push({ name: col.name, deps: new Map(col.deps) });
        }
      }
    }
    return out;
  }

  /** Adds every base column an expression reads to `deps`. */
  private expr(e: unknown, scope: Scope, lateral: Col[], deps: Map<string, ColumnRef>, inLambda: boolean): void {
    if (Array.isArray(e)) {
      for (const item of e) this.expr(item, scope, lateral, deps, inLambda);
      return;
    }
    if (!isTree(e)) return;
    switch (e.class) {
      case 'COLUMN_REF': {
        const found = this.column(list(e.column_names).map(str), scope, lateral);
        if (found) merge(deps, found.deps);
        else if (!inLambda) this.warnings.add(`column ${list(e.column_names).map(str).join('.')} was not found in the relations the query reads`);
        return;
      }
      case 'SUBQUERY': {
        const sub = isTree(e.subquery) ? e.subquery.node : undefined;
        for (const col of this.query(sub, scope, scope.ctes)) merge(deps, col.deps);
        this.expr(e.child, scope, lateral, deps, inLambda);
        return;
      }
      case 'LAMBDA':
        // Lambda parameters look like column refs; an unknown one is a parameter, not a missing column.
        this.expr(e.expr, scope, lateral, deps, true);
        return;
      case 'CONSTANT':
        return;
      default:
        for (const [key, value] of Object.entries(e)) {
          if (key !== 'alias' && typeof value === 'object' && value !== null) this.expr(value, scope, lateral, deps, inLambda);
        }
    }
  }

  private column(names: string[], scope: Scope, lateral: Col[]): Col | undefined {
    const wanted = names.map(lower);
    let opaque = false;
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      // [column], [relation, column], [schema, relation, column], [catalog, schema, relation, column]; or a struct path.
      for (let split = Math.min(wanted.length - 1, 3); split >= 0; split--) {
        const column = wanted[split]!;
        const qualifier = wanted[split - 1];
        const rels = qualifier === undefined ? s.rels : s.rels.filter((r) => lower(r.alias) === qualifier);
        for (const rel of rels) {
          const col = rel.columns.find((c) => lower(c.name) === column);
          if (col) return col;
          if (rel.opaque) opaque = true;
        }
        if (split === 0 && s === scope) {
          // DuckDB lets a select item use an alias defined earlier in the same list.
          const alias = lateral.find((c) => lower(c.name) === column);
          if (alias) return alias;
        }
      }
    }
    // A relation whose columns are unknown (a file, a table function) may hold it: reads no mesh column.
    return opaque ? { name: names.at(-1) ?? '', deps: new Map() } : undefined;
  }
}

function rename(cols: Col[], aliases: string[]): Col[] {
  if (!aliases.length) return cols;
  return cols.map((c, i) => ({ name: aliases[i] ?? c.name, deps: c.deps }));
}

/**
 * The lineage of one statement's output columns, from the tree `json_serialize_sql` returned for it.
 * `resolve` maps each relation the SQL names to a catalog node and its columns.
 */
export function columnLineage(tree: unknown, resolve: RelationResolver): QueryLineage {
  const walker = new Walker(resolve);
  if (!isTree(tree)) return { columns: [], warnings: ['the SQL could not be parsed'] };
  if (tree.error === true) return { columns: [], warnings: [`the SQL could not be parsed: ${str(tree.error_message)}`] };
  const statements = list(tree.statements);
  const statement = statements.at(-1);
  if (!isTree(statement)) return { columns: [], warnings: ['the SQL holds no SELECT statement'] };
  const cols = walker.query(statement.node, undefined, new Map());
  return {
    columns: cols.map((c) => ({ name: c.name || null, sources: [...c.deps.values()] })),
    warnings: [...walker.warnings],
  };
}
