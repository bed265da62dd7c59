/**
 * dbt's block tags that are macros under another name, rewritten before nunjucks reads the file: a
 * `{% test name(...) %}` block is the macro `test_name`, a `{% materialization name, adapter='x' %}` block
 * the macro `materialization_name_x`, as dbt names them. `{% docs %}` blocks hold no Jinja to run and are
 * dropped. Lines are kept, so errors point at the same line of the file.
 */
export function prepareDbtSource(_file: string, source: string): string {
  if (!source.includes('{%')) return source;
  let out = source;
  if (out.includes('test')) {
    out = out
      .replace(/\{%(-?)(\s*)test(\s+)([A-Za-z_][A-Za-z0-9_]*)\s*\(/g, '{%$1$2macro$3test_$4(')
      .replace(/\{%(-?)(\s*)endtest(\s*)(-?)%\}/g, '{%$1$2endmacro$3$4%}');
  }
  if (out.includes('materialization')) {
    out = out
      .replace(/\{%(-?)\s*materialization\s+([A-Za-z_][A-Za-z0-9_]*)\s*(?:,\s*(?:adapter\s*=\s*)?['"]?([A-Za-z_][A-Za-z0-9_]*)['"]?[^%]*?)?(-?)%\}/g, (_, l: string, name: string, adapter: string | undefined, r: string) =>
        `{%${l} macro materialization_${name}_${adapter ?? 'default'}() ${r}%}`)
      .replace(/\{%(-?)\s*endmaterialization\s*(-?)%\}/g, '{%$1 endmacro $2%}');
  }
  if (out.includes('docs')) {
    out = out.replace(/\{%-?\s*docs\s+[\s\S]*?\{%-?\s*enddocs\s*-?%\}/g, (block) => '\n'.repeat(block.split('\n').length - 1));
  }
  return out;
}
