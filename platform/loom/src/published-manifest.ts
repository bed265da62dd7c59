import { z } from 'zod';

/**
 * What a project publishes for other projects: its public models only, with what a consumer needs to
 * compile against them (relation, columns, versions, access) and nothing of its private graph.
 */
export const PUBLISHED_SCHEMA_VERSION = 'https://mesh.dev/schemas/published-manifest/v2.json';

const columnSchema = z.looseObject({
  name: z.string(),
  description: z.string().default(''),
  data_type: z.string().nullable().optional(),
});

export const publishedNodeSchema = z.looseObject({
  unique_id: z.string(),
  /** Public seeds are published as models are (dbt-loom injects them too). */
  resource_type: z.enum(['model', 'seed']),
  name: z.string(),
  package_name: z.string(),
  original_file_path: z.string(),
  fqn: z.array(z.string()),
  description: z.string().default(''),
  tags: z.array(z.string()).default([]),
  database: z.string(),
  schema: z.string(),
  alias: z.string(),
  relation_name: z.string(),
  access: z.enum(['private', 'protected', 'public']),
  group: z.string().nullable().optional(),
  version: z.string().nullable().optional(),
  latest_version: z.string().nullable().optional(),
  deprecation_date: z.string().nullable().optional(),
  contract: z.looseObject({ enforced: z.boolean() }),
  columns: z.record(z.string(), columnSchema),
  config: z.looseObject({ materialized: z.string() }),
  checksum: z.looseObject({ name: z.string(), checksum: z.string() }),
});
export type PublishedNode = z.infer<typeof publishedNodeSchema>;

export const publishedManifestSchema = z.looseObject({
  metadata: z.looseObject({
    mesh_schema_version: z.literal(PUBLISHED_SCHEMA_VERSION),
    project_name: z.string(),
    project_version: z.string().optional(),
    generated_at: z.string(),
    adapter_type: z.string(),
  }),
  /**
   * The published data for every consumer, relative to the manifest: a read-only database with the public
   * models' tables. Absent when the product grants access per consumer (see `access`).
   */
  database: z.looseObject({
    file: z.string().optional(),
    /** For publications inside a database server (postgres): the schema every consumer reads. */
    schema: z.string().optional(),
    /** The catalog holding that schema, on engines with a catalog per domain (trino). */
    catalog: z.string().optional(),
  }).optional(),
  /** Rows of each public model as built. */
  rows: z.record(z.string(), z.number()),
  /**
   * Present when the data product grants its ports to named consumers: each grantee's own database and
   * what it holds. A consumer with no share of its own reads the `*` share, or nothing.
   */
  access: z.looseObject({
    product: z.string(),
    owner: z.looseObject({ team: z.string(), email: z.string() }),
    /** Output ports and who may read each, so a refused ref can say who does. */
    ports: z.record(z.string(), z.looseObject({ model: z.string(), version: z.string().nullable().optional(), grantees: z.array(z.string()) })),
    shares: z.record(z.string(), z.looseObject({
      /** The grantee's database file, relative to the manifest (file-based engines). */
      file: z.string().optional(),
      /** The grantee's schema on the producer's server, readable by its role only (postgres). */
      schema: z.string().optional(),
      /** The catalog holding that schema (trino: the producer's catalog, the grantee's user reads it). */
      catalog: z.string().optional(),
      models: z.record(z.string(), z.looseObject({
        port: z.string(),
        pii: z.enum(['masked', 'clear', 'refused']),
        /** Personal columns left out of this share. */
        withheld: z.array(z.string()).default([]),
      })),
    })),
  }).optional(),
  nodes: z.record(z.string(), publishedNodeSchema),
  /**
   * The project's other models by name and access only, so a consumer's ref to one is refused with the
   * reason (protected, private) instead of "does not exist". No relation, columns or data.
   */
  restricted: z.record(z.string(), z.looseObject({
    unique_id: z.string(),
    name: z.string(),
    access: z.enum(['private', 'protected']),
    group: z.string().nullable().optional(),
    version: z.string().nullable().optional(),
  })).default({}),
});
export type PublishedManifest = z.infer<typeof publishedManifestSchema>;
export type PublishedAccess = NonNullable<PublishedManifest['access']>;
