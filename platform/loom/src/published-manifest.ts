import { z } from 'zod';
import { MeshError } from '@mesh/errors';

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
  /**
   * The version this manifest makes current: every file it names lies in `dir`, which never changes, so a
   * reader of this manifest reads this version whole. Absent in publications written before versions.
   */
  publication: z.looseObject({
    id: z.string(),
    /** The version's folder, relative to the manifest. */
    dir: z.string(),
    /** The contract published with the data, relative to the manifest. */
    contract: z.string().optional(),
    /** Every file of the version (relative to the manifest) and its size: a copy of another size is torn. */
    files: z.record(z.string(), z.looseObject({ bytes: z.number().int().nonnegative() })),
    /**
     * What was published, as a digest: the tested state of the public models and the settings of the
     * publication (grants, masking key, version). A build that would publish the same state skips it.
     */
    state: z.string(),
    /** How `hash` masking was keyed: the key's fingerprint changes when the producer rotates it. */
    masking: z.looseObject({ method: z.literal('hmac-sha256'), key_id: z.string() }).optional(),
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
      /**
       * The data files the share's views read, relative to the manifest, when the share holds views
       * rather than copies: each distinct model and treatment is written once per version and every
       * grantee's views read it. The views name them relative to the version folder.
       */
      data: z.array(z.string()).optional(),
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
  /**
   * The files of public external models, copied beside the manifest (relative paths), for readers of
   * the files rather than the database. Only where every consumer may read the model unmasked.
   */
  files: z.record(z.string(), z.looseObject({ format: z.enum(['parquet', 'csv', 'json']), paths: z.array(z.string()) })).optional(),
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

/** Parses a published manifest's text; `where` names it in errors (a path or URL). */
export function parsePublishedManifest(text: string, where: string): PublishedManifest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new MeshError('E_UPSTREAM_MANIFEST', `the published manifest at ${where} is not valid JSON: ${(error as Error).message}`, {
      hint: 'Publish the upstream again (mesh build in its folder).',
    });
  }
  const result = publishedManifestSchema.safeParse(json);
  if (!result.success) {
    const metadata = (json as { metadata?: Record<string, unknown> } | null)?.metadata;
    if (metadata && 'dbt_schema_version' in metadata && !('mesh_schema_version' in metadata)) {
      throw new MeshError('E_UPSTREAM_MANIFEST', `${where} is a manifest dbt wrote, not a publication: it has no data a consumer can attach`, {
        hint: `Build '${String(metadata.project_name ?? 'the upstream')}' with mesh build: it publishes its public models beside its manifest, in target/published/, which this path then finds.`,
      });
    }
    const issue = result.error.issues[0]!;
    throw new MeshError('E_UPSTREAM_MANIFEST', `the published manifest at ${where} is not one this version reads: ${issue.path.join('.')}: ${issue.message}`, {
      hint: 'Publish the upstream again with the same mesh version as the consumer.',
    });
  }
  return result.data;
}

/** The published contract's path relative to the manifest: in its version folder, or beside it in the layout before versions. */
export function contractPathOf(manifest: PublishedManifest): string {
  return manifest.publication?.contract ?? 'contract.odcs.yaml';
}
