/**
 * Groups mesh's errors on the corpus by what would fix them. Each rule names a cause in the words of
 * the engine's feature list; a message no rule knows falls back to its error code and its first words
 * with names and numbers taken out, so new causes still group and show up in the report.
 */
interface Rule {
  test: RegExp;
  /** The cause, from the match: a rule may name the key or package it found. */
  cause: string | ((m: RegExpExecArray) => string);
}

const RULES: Rule[] = [
  { cause: 'test unique_id differs from dbt\'s (same test, another name)', test: /^unique_id differs from dbt's/ },
  { cause: (m) => `dbt_project.yml key refused: ${m[1]}`, test: /E_YAML_SCHEMA\]? dbt_project\.yml.*unknown keys? ('[^']+'(?:, '[^']+')*)/ },
  { cause: (m) => `properties file key refused: '${m[1]}'`, test: /E_YAML_SCHEMA\]? \S+\.ya?ml:\d+: properties file: .*?unknown keys? '([^']+)'/ },
  { cause: 'duplicate test node (E_DUPLICATE_NODE): one name for the same test on several versions of a model', test: /E_DUPLICATE_NODE/ },
  { cause: 'python model refused', test: /python models? (is|are) not supported/i },
  { cause: 'macros of installed packages not loaded (dbt_packages/)', test: /E_JINJA_UNDEFINED\]?.*\b[a-z_]+\.[a-z_]+ is not defined.*Macros of dbt packages are not installed/i },
  { cause: 'adapter.dispatch refused', test: /adapter\.dispatch/ },
  { cause: 'introspection refused (run_query, statement, get_columns_in_relation, ...)', test: /run_query|\{% call statement|load_result|get_columns_in_relation|get_relations_by|get_column_values|union_relations|get_single_value|queries the database while compiling/ },
  { cause: 'hooks refused (pre-hook, post-hook, on-run-start/end)', test: /pre-hook|post-hook|on-run-start|on-run-end/i },
  { cause: 'snapshots refused', test: /\{% snapshot|snapshots? (is|are) not supported/i },
  { cause: 'materialization refused (external, custom)', test: /materiali[sz]ation|materialized='?external/i },
  { cause: 'tests of packages unknown', test: /E_TEST_UNKNOWN/ },
  { cause: 'Jinja syntax nunjucks rejects', test: /E_JINJA_SYNTAX|unexpected token|expected (variable|block) end|Template render error|unknown block tag/i },
  { cause: 'undefined Jinja name or macro', test: /E_JINJA_UNDEFINED|is undefined|is not defined/i },
  { cause: 'dbt macro not built in', test: /E_DBT_UNSUPPORTED/ },
  { cause: 'upstream project (dbt-loom) not resolved', test: /E_LOOM|dbt_loom|upstream/i },
  { cause: 'Jinja left in the SQL sent to DuckDB (a var whose value is Jinja: dbt renders it when read)', test: /(Parser Error|syntax error) at or near "\{"/ },
  { cause: 'profiles.yml env_var unset', test: /E_ENV_VAR_MISSING.*profiles\.yml/ },
  { cause: 'skipped by mesh because an upstream node failed', test: /^skipped because \S+ failed/ },
  { cause: 'SQL error in DuckDB', test: /Binder Error|Parser Error|Catalog Error|Conversion Error|Invalid Input Error|Not implemented Error/ },
];

export function causeOf(message: string): string {
  for (const rule of RULES) {
    const m = rule.test.exec(message);
    if (m) return typeof rule.cause === 'string' ? rule.cause : rule.cause(m);
  }
  const code = /\b(E_[A-Z_]+)\b/.exec(message)?.[1];
  const words = message
    .replace(/\berror\[[A-Z_]+\]\s*/i, '')
    .replace(/(["'`]).*?\1/g, '…')
    .replace(/\S+\.(sql|yml|yaml|csv|py)(:\d+)*/g, 'FILE')
    .replace(/\d+/g, 'N')
    .split(/\s+/)
    .slice(0, 8)
    .join(' ');
  return `${code ? `${code}: ` : ''}${words}`;
}

export interface CauseGroup {
  cause: string;
  projects: Set<string>;
  nodes: number;
  /** One concrete failure: project, node and mesh's message. */
  example: { project: string; node: string; message: string };
}

export function groupCauses(failures: Array<{ project: string; node: string; message: string }>): CauseGroup[] {
  const groups = new Map<string, CauseGroup>();
  for (const f of failures) {
    const cause = causeOf(f.message);
    const g = groups.get(cause) ?? { cause, projects: new Set(), nodes: 0, example: f };
    g.projects.add(f.project);
    g.nodes += 1;
    groups.set(cause, g);
  }
  return [...groups.values()].sort((a, b) => b.nodes - a.nodes || b.projects.size - a.projects.size);
}

/** What is wrong with a relation dbt made: missing from mesh's database, or its columns, types or rows differ. */
export function relationCause(d: { columns?: { left: string[]; right: string[] }; onlyLeft: number; onlyRight: number } | 'missing'): string {
  if (d === 'missing') return 'relation missing from mesh\'s database';
  if (d.columns) {
    const names = (cols: string[]) => cols.map((c) => c.split(' ')[0]).sort().join(',');
    if (names(d.columns.left) !== names(d.columns.right)) return 'columns differ';
    const pairs = d.columns.left
      .map((l) => [l, d.columns!.right.find((r) => r.split(' ')[0] === l.split(' ')[0])!] as const)
      .filter(([l, r]) => l !== r)
      .map(([l, r]) => `${l.split(' ').slice(1).join(' ')} -> ${r.split(' ').slice(1).join(' ')}`);
    return `column types differ (dbt -> mesh: ${[...new Set(pairs)].sort().join(', ')})${d.onlyLeft + d.onlyRight ? ', and rows' : ''}`;
  }
  return 'rows differ';
}
