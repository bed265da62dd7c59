/**
 * Where a node's relation goes: its database, schema and alias. A dbt project follows dbt: the target's
 * schema, `<target schema>_<custom>` for `+schema: custom`, the model's name (`<name>_v<version>` for a
 * version), unless the project overrides `generate_schema_name`, `generate_alias_name` or
 * `generate_database_name` with its own macro, which is then called as dbt calls it (an installed
 * package's own override names the package's nodes). A mesh project's
 * schemas are its layers: a model under `gold/` builds into `gold`, and `+schema: x` into `x`.
 */

export type NamingStyle = 'dbt' | 'mesh';

/** The node as the naming macros see it (dbt hands them the parsed node). */
export interface NamedNode {
  unique_id: string;
  name: string;
  resource_type: string;
  package_name: string;
  original_file_path: string;
  path: string;
  fqn: string[];
  version?: string;
  tags: string[];
  config: Record<string, unknown>;
}

export interface RelationNamer {
  readonly style: NamingStyle;
  /** `fallback` is the mesh's layer schema, for mesh projects. */
  schema(custom: unknown, node: NamedNode, fallback?: string): string;
  alias(custom: unknown, node: NamedNode): string;
  database(custom: unknown, node: NamedNode): string;
}

export interface NamerOptions {
  style: NamingStyle;
  targetSchema: string;
  targetDatabase: string;
  /**
   * The override of a naming macro for a node of `pkg`, called with positional arguments: the package's own,
   * else the root project's; undefined when neither has one.
   */
  projectMacro(name: string, pkg: string): ((args: unknown[]) => unknown) | undefined;
}

const text = (value: unknown): string | undefined => (value === undefined || value === null || value === '' ? undefined : String(value).trim());

export function defaultAlias(custom: unknown, node: Pick<NamedNode, 'name' | 'version'>): string {
  return text(custom) ?? (node.version ? `${node.name}_v${node.version.replaceAll('.', '_')}` : node.name);
}

export function relationNamer(options: NamerOptions): RelationNamer {
  const { style, targetSchema, targetDatabase } = options;
  const found = new Map<string, ((args: unknown[]) => unknown) | undefined>();
  const override = (name: string, node: NamedNode) => {
    if (style !== 'dbt') return undefined;
    const key = `${node.package_name}.${name}`;
    if (!found.has(key)) found.set(key, options.projectMacro(name, node.package_name));
    return found.get(key);
  };
  const custom = (value: unknown) => (value === undefined || value === '' ? null : value);
  return {
    style,
    schema(value, node, fallback) {
      const schemaMacro = override('generate_schema_name', node);
      if (schemaMacro) return String(schemaMacro([custom(value), node]) ?? '').trim();
      const given = text(value);
      if (style === 'mesh') return given ?? fallback ?? targetSchema;
      return given === undefined ? targetSchema : `${targetSchema}_${given}`;
    },
    alias(value, node) {
      const aliasMacro = override('generate_alias_name', node);
      if (aliasMacro) return String(aliasMacro([custom(value), node]) ?? '').trim();
      return defaultAlias(value, node);
    },
    database(value, node) {
      const databaseMacro = override('generate_database_name', node);
      if (databaseMacro) return String(databaseMacro([custom(value), node]) ?? '').trim();
      return text(value) ?? targetDatabase;
    },
  };
}
