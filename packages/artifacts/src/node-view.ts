import type { ColumnInfo, ManifestFile } from './manifest';

type AnyEntry = ManifestFile['nodes'][string] | ManifestFile['sources'][string];

/** What readers ask of any manifest entry, whatever its kind: one flat, typed view. */
export interface NodeView {
  unique_id: string;
  resource_type: string;
  name: string;
  package_name: string;
  original_file_path: string;
  description: string;
  tags: string[];
  relation_name: string | null;
  database: string | null;
  schema: string;
  /** The relation's name in its schema: the alias of a model, the identifier of a source. */
  identifier: string;
  materialized: string | null;
  access: 'private' | 'protected' | 'public' | null;
  group: string | null;
  version: string | null;
  latest_version: string | null;
  deprecation_date: string | null;
  contract_enforced: boolean;
  /** For generic tests: the column and the node they test. */
  column_name: string | null;
  attached_node: string | null;
  depends_on: string[];
  compiled_code: string | null;
  columns: ColumnInfo[];
  meta: Record<string, unknown>;
}

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const version = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

export function nodeView(entry: AnyEntry): NodeView {
  const e = entry as Record<string, unknown> & AnyEntry;
  const config = (e.config ?? {}) as Record<string, unknown>;
  const access = str(e.access) ?? str(config.access);
  const contract = e.contract as { enforced?: unknown } | undefined;
  const dependsOn = e.depends_on as { nodes?: string[] } | undefined;
  return {
    unique_id: e.unique_id,
    resource_type: e.resource_type,
    name: e.name,
    package_name: e.package_name,
    original_file_path: e.original_file_path,
    description: str(e.description) ?? '',
    tags: Array.isArray(e.tags) ? (e.tags as string[]) : [],
    relation_name: str(e.relation_name),
    database: str(e.database),
    schema: e.schema,
    identifier: str(e.identifier) ?? str(e.alias) ?? e.name,
    materialized: str(config.materialized) ?? (e.resource_type === 'seed' ? 'seed' : null),
    access: access === 'private' || access === 'protected' || access === 'public' ? access : null,
    group: str(e.group) ?? str(config.group),
    version: version(e.version),
    latest_version: version(e.latest_version),
    deprecation_date: str(e.deprecation_date),
    contract_enforced: contract?.enforced === true,
    column_name: str(e.column_name),
    attached_node: str(e.attached_node),
    depends_on: dependsOn?.nodes ?? [],
    compiled_code: str(e.compiled_code),
    columns: Object.values((e.columns ?? {}) as Record<string, ColumnInfo>),
    meta: (e.meta ?? {}) as Record<string, unknown>,
  };
}
