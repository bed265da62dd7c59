import { z } from 'zod';
import { reachServer, type EngineCapabilities, type EnginePlugin } from '@mesh/engine';
import { postgresDialect } from './macro-dialect';
import { classifyPostgresError } from './classify-error';

/**
 * The PostgreSQL engine as the registry knows it. This module loads no driver: the adapter (and `pg`)
 * is imported when a target is opened.
 */

/**
 * A PostgreSQL server shared by the domains: every domain builds into schemas `<domain>_<layer>` of one
 * database. The password is never written here: `password_env` names the variable that holds it.
 */
export const postgresTargetSchema = z.strictObject({
  type: z.literal('postgres'),
  /** A host name, or a folder holding the server's unix socket. */
  host: z.string().default('localhost'),
  port: z.number().int().positive().default(5432),
  database: z.string().default('mesh'),
  user: z.string().optional(),
  password_env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name').default('MESH_PG_PASSWORD'),
  threads: z.number().int().positive().optional(),
});
export type PostgresTargetConfig = z.output<typeof postgresTargetSchema>;

export const POSTGRES_CAPABILITIES: EngineCapabilities = { shares: 'schemas', pinnedShares: true, snapshots: false, externalFiles: false, tableExport: false, shareImport: false, ingest: false };

export const postgresEngine: EnginePlugin<typeof postgresTargetSchema, PostgresTargetConfig> = {
  type: 'postgres',
  title: 'PostgreSQL',
  place: 'a PostgreSQL server',
  targetSchema: postgresTargetSchema,
  capabilities: POSTGRES_CAPABILITIES,
  dialect: { macros: postgresDialect, classifyError: classifyPostgresError },
  resolveTarget(config, { project }) {
    // The project's name is its catalog: relations become `<project>_<schema>` in the shared database.
    return { database: project.name, threads: config.threads ?? 4, relations: 'schema-prefixed', externalSources: 'load', options: config };
  },
  async open(target, options) {
    const { PostgresAdapter } = await import('./postgres-adapter');
    return PostgresAdapter.open({ target: options, threads: target.threads });
  },
  openExisting(target, options) {
    return reachServer(() => this.open(target, options), target.database);
  },
  describe(_target, options) {
    return `postgres ${options.host}:${options.port}/${options.database}`;
  },
  identity(target, options) {
    return `postgres:${options.host}:${options.port}/${options.database}/${target.database}`;
  },
};

/** The server settings of a postgres target (for tools that talk to the server beside a build). */
export function postgresTarget(target: { type: string; options: unknown }): PostgresTargetConfig {
  if (target.type !== 'postgres') throw new Error(`not a postgres target: ${target.type}`);
  return target.options as PostgresTargetConfig;
}
