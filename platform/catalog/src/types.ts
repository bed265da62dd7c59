/**
 * The catalog's data: what `mesh docs generate` writes and the browser app reads. Plain JSON, no
 * functions or classes, so the same types serve the writer, the impact command and the app bundle.
 */

export const CATALOG_SCHEMA_VERSION = 'https://mesh.dev/schemas/catalog/v1.json';

/** One column of one node: `{node: 'model.sales.order_summary', column: 'total_value'}`. */
export interface ColumnRef {
  node: string;
  column: string;
}

export interface CatalogColumn {
  name: string;
  /** The type DuckDB reports for the built relation, else the one declared in YAML. */
  type: string | null;
  description: string;
  tags: string[];
  /** The upstream columns (one hop) this column's value is computed from, read off the parsed SQL. */
  lineage: ColumnRef[];
}

/** One past result: when, how it went, and (for an SLO) the value measured. */
export interface HistoryPoint {
  at: string;
  status: string;
  measured?: number | null;
}

export interface CatalogTest {
  id: string;
  name: string;
  /** The column a generic test is attached to; null for model-level and singular tests. */
  column: string | null;
  /** From the last run_results.json: pass, fail, warn, error, skipped; null when it never ran. */
  status: string | null;
  failures: number | null;
  message: string | null;
  ran_at: string | null;
  /** Results of the last runs recorded in the metadata database, oldest first. */
  history: HistoryPoint[];
}

export type NodeKind = 'model' | 'source' | 'seed' | 'snapshot';

export interface CatalogNode {
  /** dbt's unique id: `model.<domain>.<name>` (versioned models end in `.v<N>`), `source.<domain>.<source>.<table>`. */
  id: string;
  kind: NodeKind;
  domain: string;
  name: string;
  /**
   * Where the node sits in its domain, for grouping: the first folder under models/ (`bronze`, `staging`,
   * `marts`), else the relation's schema; `sources` and `seeds` for those.
   */
  layer: string;
  description: string;
  columns: CatalogColumn[];
  tags: string[];
  access: string | null;
  materialized: string | null;
  group: string | null;
  /** The group's owner, else the domain's product owner. */
  owner: string | null;
  relation: string | null;
  path: string | null;
  compiled_sql: string | null;
  tests: CatalogTest[];
  /** Rows in the built table, counted in DuckDB; null for views, ephemeral models and unbuilt ones. */
  row_count: number | null;
  last_built_at: string | null;
  build_status: string | null;
  contract_enforced: boolean;
  /** The domain's contract version when the model is public with an enforced contract. */
  contract_version: string | null;
  version: string | null;
  /** The version an unpinned ref to a versioned model means; null when unversioned. */
  latest_version: string | null;
  deprecation_date: string | null;
  parents: string[];
  children: string[];
  /** SQL the column lineage could not follow (an unknown relation, a star over a file): named, never guessed. */
  lineage_warnings: string[];
}

export interface CatalogOutputPort {
  name: string;
  model: string;
  format: string;
  description: string | null;
}

export interface CatalogInputPort {
  domain: string;
  version: string;
  models: string[];
}

/** One SLO of a data product as last measured, with its history. */
export interface CatalogSlo {
  slo: string;
  model: string;
  column: string | null;
  objective: string;
  /** pass, breach or error, at the last measurement. */
  status: string;
  measured: number | null;
  message: string;
  at: string;
  /** Oldest first. */
  history: HistoryPoint[];
}

/** Who reads a data product: a domain whose models ref it, and anyone its grants name. */
export interface CatalogConsumer {
  name: string;
  /** A domain of the mesh, or a role outside it (analysts, controlling). */
  kind: 'domain' | 'role';
  /** Models of the consumer read the product. */
  reads: boolean;
  /** A grant of the product names the consumer. */
  granted: boolean;
}

/** An output port as a consumer sees it: what it is, how healthy, how fresh, who reads it. */
export interface CatalogProduct {
  port: string;
  model: string;
  /** The node that serves the port; null when the model is not in the domain's manifest. */
  node: string | null;
  description: string | null;
  format: string;
  contract_version: string | null;
  row_count: number | null;
  last_built_at: string | null;
  build_status: string | null;
  /** met (every SLO passed at its last measurement), breached, error, or unmeasured (none recorded). */
  slo_status: 'met' | 'breached' | 'error' | 'unmeasured';
  slos: CatalogSlo[];
  /** The model's tests by their last result. */
  tests: { passed: number; failed: number; other: number };
  consumers: CatalogConsumer[];
  /** Ports of other domains built (transitively) from this one, as `domain/port`: the edges of the mesh map. */
  feeds: string[];
}

export interface CatalogDomain {
  name: string;
  package_name: string | null;
  package_version: string | null;
  /** The version of the contract the domain last published (its package version at that build). */
  contract_version: string | null;
  released_contracts: string[];
  description: string;
  owner: { team: string; email: string } | null;
  product: { name: string; status: string; classification: string } | null;
  output_ports: CatalogOutputPort[];
  input_ports: CatalogInputPort[];
  /** The output ports with their health, freshness and consumers. */
  products: CatalogProduct[];
  /** Node ids owned by the domain, models first. */
  nodes: string[];
  built_at: string | null;
  /** Set when the domain is known only from a consumer's manifest (a path or URL upstream). */
  external: boolean;
}

/**
 * One searchable thing as `[node index, column index or -1, lower-cased text]`. The text starts with
 * the name, so a name match is a prefix test; tuples instead of objects keep 100,000 entries small.
 */
export type SearchEntry = [number, number, string];

export interface Catalog {
  metadata: { schema_version: string; generated_at: string; workspace: string };
  domains: CatalogDomain[];
  nodes: CatalogNode[];
  search: SearchEntry[];
}

/**
 * How the site ships the catalog: what the first page needs (domains, and of every node what the home
 * page, the sidebar and a domain's table show) in one script, the search index in a second loaded right
 * after, and the rest of each node (columns, SQL, tests, lineage) in a third loaded when a page needs it.
 * A 5,000-model catalog then paints after a megabyte or two rather than fifteen.
 */
export const DETAIL_FIELDS = [
  'columns', 'compiled_sql', 'tests', 'lineage_warnings', 'parents', 'children', 'relation', 'path', 'group', 'owner', 'tags',
  'version', 'latest_version', 'deprecation_date', 'contract_enforced', 'contract_version',
] as const;
export type NodeDetail = Pick<CatalogNode, (typeof DETAIL_FIELDS)[number]>;
export type NodeSummary = Omit<CatalogNode, (typeof DETAIL_FIELDS)[number]>;

export interface CatalogSummary {
  metadata: Catalog['metadata'];
  domains: CatalogDomain[];
  nodes: NodeSummary[];
}
