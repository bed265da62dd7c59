/**
 * dbt's folder-level configs: `models: { <project>: { +materialized: view, gold: { +schema: gold } } }`.
 * Keys with `+` are configs; other keys are sub-folders (a bare config key with a scalar value is accepted
 * too, as dbt does). Tags add up down the tree; everything else is overridden by the deeper folder.
 */
const KNOWN_CONFIG_KEYS = new Set([
  'materialized', 'schema', 'alias', 'tags', 'enabled', 'access', 'group', 'contract', 'unique_key',
  'incremental_strategy', 'full_refresh', 'column_types', 'meta', 'severity', 'docs', 'persist_docs',
  'on_schema_change', 'quote_columns', 'delimiter', 'where', 'store_failures', 'warn_if', 'error_if',
  'pre-hook', 'post-hook', 'pre_hook', 'post_hook',
]);

/** dbt's hooks add up down the config levels (project, folder, properties, config()), in that order. */
const HOOKS: Record<string, string> = { 'pre-hook': 'pre-hook', pre_hook: 'pre-hook', 'post-hook': 'post-hook', post_hook: 'post-hook' };

export function mergeConfig(into: Record<string, unknown>, from: Record<string, unknown> | undefined): void {
  if (!from) return;
  for (const [key, value] of Object.entries(from)) {
    if (value === undefined) continue;
    if (Object.hasOwn(HOOKS, key)) {
      const canonical = HOOKS[key]!;
      const hooks = Array.isArray(value) ? value : [value];
      into[canonical] = [...((into[canonical] as unknown[] | undefined) ?? []), ...hooks];
    } else if (key === 'tags') {
      const tags = Array.isArray(value) ? value.map(String) : [String(value)];
      into.tags = [...new Set([...((into.tags as string[] | undefined) ?? []), ...tags])];
    } else if (key === 'meta' && value && typeof value === 'object') {
      into.meta = { ...((into.meta as object | undefined) ?? {}), ...(value as object) };
    } else {
      into[key] = value;
    }
  }
}

function levelConfig(level: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(level)) {
    if (key.startsWith('+')) out[key.slice(1)] = value;
    else if (KNOWN_CONFIG_KEYS.has(key) && (value === null || typeof value !== 'object' || Array.isArray(value) || key === 'contract' || key === 'meta' || key === 'column_types')) out[key] = value;
  }
  return out;
}

/** Config that applies to a file in `folders` (its folders below the model path), from the project file. */
export function folderConfig(
  tree: Record<string, unknown> | undefined,
  projectName: string,
  folders: string[],
): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  if (!tree) return config;
  // Top-level keys are package names in dbt; keys that are configs apply to everything.
  mergeConfig(config, levelConfig(tree));
  let level = tree[projectName];
  if (!level || typeof level !== 'object') return config;
  mergeConfig(config, levelConfig(level as Record<string, unknown>));
  for (const folder of folders) {
    const next = (level as Record<string, unknown>)[folder];
    if (!next || typeof next !== 'object' || Array.isArray(next)) break;
    level = next;
    mergeConfig(config, levelConfig(level as Record<string, unknown>));
  }
  return config;
}

/**
 * Config set for one node by its name under its folder (`seeds: {proj: {raw_customers: {+column_types:
 * ...}}}`), as dbt matches the node's fqn; for a version, also under `v<version>` below the name.
 */
export function nameConfig(
  tree: Record<string, unknown> | undefined,
  projectName: string,
  folders: string[],
  name: string,
  version?: string,
): Record<string, unknown> | undefined {
  let level = tree?.[projectName];
  for (const folder of folders) {
    if (!level || typeof level !== 'object' || Array.isArray(level)) return undefined;
    level = (level as Record<string, unknown>)[folder];
  }
  if (!level || typeof level !== 'object' || Array.isArray(level)) return undefined;
  const own = (level as Record<string, unknown>)[name];
  if (!own || typeof own !== 'object' || Array.isArray(own)) return undefined;
  const config = levelConfig(own as Record<string, unknown>);
  const versioned = version ? (own as Record<string, unknown>)[`v${version}`] : undefined;
  if (versioned && typeof versioned === 'object' && !Array.isArray(versioned)) mergeConfig(config, levelConfig(versioned as Record<string, unknown>));
  return config;
}
