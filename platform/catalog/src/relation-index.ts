import type { KnownRelation, RelationName, RelationResolver } from './column-lineage';

/**
 * `"sales"."gold"."order_summary"` -> ['sales', 'gold', 'order_summary']; a quoted file path
 * (`'/data/x.csv'`, a source read straight from a file) is one part, as DuckDB's parser sees it.
 */
export function splitRelationName(relation: string): string[] {
  const parts: string[] = [];
  let i = 0;
  while (i < relation.length) {
    const ch = relation[i]!;
    if (ch === '"' || ch === "'") {
      let part = '';
      i++;
      while (i < relation.length) {
        if (relation[i] === ch && relation[i + 1] === ch) {
          part += ch;
          i += 2;
        } else if (relation[i] === ch) {
          i++;
          break;
        } else part += relation[i++];
      }
      parts.push(part);
    } else if (ch === '.') i++;
    else {
      const end = relation.indexOf('.', i);
      parts.push(relation.slice(i, end === -1 ? undefined : end));
      i = end === -1 ? relation.length : end;
    }
  }
  return parts;
}

/**
 * Resolves the relations a model's SQL names to catalog nodes. Compiled SQL names relations fully
 * (`catalog.schema.table`); a shorter name written by hand is matched in the model's own database
 * first, then anywhere in the mesh when only one relation fits.
 */
export class RelationIndex {
  private readonly full = new Map<string, string>();
  private readonly bySchemaTable = new Map<string, string[]>();
  private readonly byTable = new Map<string, string[]>();
  private readonly databaseOf = new Map<string, string>();

  add(relation: string, node: string): void {
    if (TABLE_FUNCTION.test(relation)) {
      // A source read through a table function: matched by the call as written, e.g. read_csv_auto('/raw/x.csv').
      this.full.set(functionKey(relation), node);
      return;
    }
    const parts = splitRelationName(relation).map((p) => p.toLowerCase());
    const [catalog, schema, table] = parts.length >= 3 ? parts.slice(-3) : parts.length === 2 ? ['', ...parts] : ['', '', parts[0] ?? ''];
    this.full.set(`${catalog}\u0000${schema}\u0000${table}`, node);
    this.databaseOf.set(node, catalog!);
    push(this.bySchemaTable, `${schema}\u0000${table}`, node);
    push(this.byTable, table!, node);
  }

  resolver(columnsOf: (node: string) => readonly string[], homeDatabase: string): RelationResolver {
    const home = homeDatabase.toLowerCase();
    return (name: RelationName): KnownRelation | undefined => {
      const catalog = name.catalog.toLowerCase();
      const schema = name.schema.toLowerCase();
      const table = name.table.toLowerCase();
      if (!catalog && !schema && TABLE_FUNCTION.test(name.table)) {
        const node = this.full.get(functionKey(name.table));
        return node ? { node, columns: columnsOf(node) } : undefined;
      }
      let node = this.full.get(`${catalog}\u0000${schema}\u0000${table}`);
      if (!node && !catalog) {
        const candidates = schema ? this.bySchemaTable.get(`${schema}\u0000${table}`) : this.byTable.get(table);
        node = pick(candidates, (n) => this.databaseOf.get(n) === home);
      }
      return node ? { node, columns: columnsOf(node) } : undefined;
    };
  }
}

const TABLE_FUNCTION = /^[A-Za-z_][A-Za-z0-9_]*\s*\(/;
const functionKey = (call: string) => `\u0001${call.replace(/\s+/g, '').toLowerCase()}`;

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function pick(candidates: string[] | undefined, preferred: (node: string) => boolean): string | undefined {
  if (!candidates?.length) return undefined;
  const home = candidates.filter(preferred);
  if (home.length === 1) return home[0];
  return candidates.length === 1 ? candidates[0] : undefined;
}
