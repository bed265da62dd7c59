/**
 * The `{% macro %}` and `{% test %}` blocks of a macro file with their text, for the manifest's
 * `macro_sql`. A test block is the macro `test_<name>`, as dbt names it. Blocks do not nest in Jinja, so
 * each runs from its opening tag to the next closing tag of its kind.
 */
const BLOCK = /\{%-?\s*(macro|test)\s+([A-Za-z_][A-Za-z0-9_]*)\s*\(([^)]*)\)[\s\S]*?\{%-?\s*end\1\s*-?%\}/g;

export interface MacroBlock {
  name: string;
  sql: string;
  /** Argument names as declared, defaults left out. */
  arguments: string[];
}

export function macroBlocks(text: string): MacroBlock[] {
  const out: MacroBlock[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const [sql, kind, name, args] = m as unknown as [string, string, string, string];
    out.push({
      name: kind === 'test' ? `test_${name}` : name,
      sql,
      arguments: args.split(',').map((a) => a.split('=')[0]!.trim()).filter((a) => a && !a.startsWith('*')),
    });
  }
  return out;
}
