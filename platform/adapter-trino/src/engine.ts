import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { reachServer, type EngineCapabilities, type EnginePlugin } from '@mesh/engine';
import { trinoDialect } from './macro-dialect';
import { classifyTrinoError } from './classify-error';

/**
 * The Trino engine as the registry knows it. This module loads no client: the adapter is imported when
 * a target is opened or a share imported.
 */

/**
 * A Trino cluster: the domain's tables live in an Iceberg catalog of its own (`catalog`, by default the
 * project's name), built and read as the domain's own Trino user, whose password is read from the
 * variable `password_env` names. Trino reads no CSV file in place: seeds and CSV sources are written as
 * Parquet to `staging.path` on this machine, the folder every Trino node reads as `staging.location`.
 */
export const trinoTargetSchema = z.strictObject({
  type: z.literal('trino'),
  host: z.string().default('localhost'),
  port: z.number().int().positive().default(8443),
  /** https whenever users log in with a password; http only for a cluster without authentication. */
  http_scheme: z.enum(['https', 'http']).default('https'),
  /** The domain's Trino user; defaults to the project's name. */
  user: z.string().optional(),
  password_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name').default('MESH_TRINO_PASSWORD'),
  /** A PEM file of the authority that signed the cluster's certificate, when it is not a public one. */
  ca_file: z.string().optional(),
  /** The Iceberg catalog the domain builds into; defaults to the project's name. */
  catalog: z.string().regex(/^[a-z][a-z0-9_]*$/, 'a catalog name in lower case').optional(),
  staging: z.strictObject({
    /** The folder on this machine. */
    path: z.string(),
    /** The same folder as the catalog's file system names it (`local:///staging`, `s3://bucket/staging`). */
    location: z.string(),
  }).optional(),
  threads: z.number().int().positive().optional(),
});
export type TrinoTargetConfig = z.output<typeof trinoTargetSchema>;

/** A trino target with the user and catalog filled in and its paths made absolute. */
export type ResolvedTrinoTarget = TrinoTargetConfig & { user: string; catalog: string };

export const TRINO_CAPABILITIES: EngineCapabilities = { shares: 'schemas', pinnedShares: true, snapshots: false, externalFiles: false, tableExport: false, shareImport: true, ingest: false };

export const trinoEngine: EnginePlugin<typeof trinoTargetSchema, ResolvedTrinoTarget> = {
  type: 'trino',
  title: 'Trino',
  place: 'a Trino cluster',
  targetSchema: trinoTargetSchema,
  capabilities: TRINO_CAPABILITIES,
  dialect: { macros: trinoDialect, classifyError: classifyTrinoError },
  resolveTarget(config, { project, root }) {
    // One Iceberg catalog per domain: three-part names as on DuckDB, `"<catalog>"."<schema>"."<model>"`.
    const abs = (p: string) => (isAbsolute(p) ? p : join(root, p));
    const options: ResolvedTrinoTarget = {
      ...config,
      user: config.user ?? project.name,
      catalog: config.catalog ?? project.name,
      ca_file: config.ca_file === undefined ? undefined : abs(config.ca_file),
      staging: config.staging && { ...config.staging, path: abs(config.staging.path) },
    };
    return { database: options.catalog, threads: config.threads ?? 4, relations: 'catalog', externalSources: 'load', options };
  },
  async open(_target, options) {
    const { TrinoAdapter } = await import('./trino-adapter');
    return TrinoAdapter.open({ target: options });
  },
  openExisting(target, options) {
    return reachServer(() => this.open(target, options), target.database);
  },
  describe(_target, options) {
    return `trino ${options.host}:${options.port}, catalog ${options.catalog}`;
  },
  identity(target) {
    return `trino:${target.path}`;
  },
  async importShare(share, options) {
    const { importShare } = await import('./import-share');
    await importShare({ target: options, relations: share.relations, destination: share.destination });
  },
};

/** The cluster settings of a trino target (for tools that talk to the cluster beside a build). */
export function trinoTarget(target: { type: string; options: unknown }): ResolvedTrinoTarget {
  if (target.type !== 'trino') throw new Error(`not a trino target: ${target.type}`);
  return target.options as ResolvedTrinoTarget;
}
