import { existsSync } from 'node:fs';
import { basename, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import type { EngineCapabilities, EnginePlugin } from '@mesh/engine';
import { classifyDuckDBError } from './classify-error';
import { readFileSql } from './read-file';
import { duckdbDialect } from './macro-dialect';
import { ingestReaderSql } from './ingest-reader';

/**
 * The DuckDB engine as the registry knows it. This module loads no native code: the adapter (and with
 * it @duckdb/node-api) is imported when a target is opened, so compiling a project stays quick.
 */

const settings = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));

/** A DuckDB target under `targets:`: one database file per project. */
export const duckdbTargetSchema = z.strictObject({
  type: z.literal('duckdb'),
  /** Database file, relative to the project; defaults to `target/<project>.duckdb`. */
  path: z.string().optional(),
  threads: z.number().int().positive().optional(),
  settings: settings.optional(),
  /** Where external models without a location write their files (dbt-duckdb's external_root), from the working directory. */
  external_root: z.string().optional(),
});

/** dbt-duckdb's output in profiles.yml; the keys it has that the engine does not use are kept and warned about. */
const duckdbOutputSchema = z.looseObject({
  type: z.literal('duckdb'),
  path: z.string().optional(),
  database: z.string().optional(),
  schema: z.string().optional(),
  threads: z.coerce.number().int().positive().optional(),
  settings: settings.optional(),
  extensions: z.array(z.union([z.string(), z.looseObject({ name: z.string() })])).optional(),
  attach: z.array(z.looseObject({ path: z.string(), alias: z.string().optional(), read_only: z.boolean().optional(), type: z.string().optional() })).optional(),
  /** Where external models without a location write their files, from the folder the command runs in. */
  external_root: z.string().optional(),
});

export interface DuckDBTargetOptions {
  /** DuckDB settings the database opens with (`memory_limit`, `threads`, ...). */
  settings: Record<string, string | number | boolean>;
  /** Other DuckDB databases to attach before the run (a dbt-duckdb output's `attach:`). */
  attach: Array<{ path: string; alias: string; readOnly: boolean }>;
  /** DuckDB extensions to load when the database opens (a dbt-duckdb output's `extensions:`). */
  extensions: string[];
}

export const DUCKDB_CAPABILITIES: EngineCapabilities = { shares: 'views', pinnedShares: false, snapshots: true, externalFiles: true, tableExport: true, shareImport: false, ingest: true };

export const duckdbEngine: EnginePlugin<typeof duckdbTargetSchema, DuckDBTargetOptions> = {
  type: 'duckdb',
  title: 'DuckDB',
  place: 'a DuckDB file',
  targetSchema: duckdbTargetSchema,
  capabilities: DUCKDB_CAPABILITIES,
  dialect: { readFile: readFileSql, readIngestFile: ingestReaderSql, classifyError: classifyDuckDBError, macros: duckdbDialect },
  resolveTarget(config, { root, defaultPath }) {
    const path = config.path === undefined ? defaultPath : isAbsolute(config.path) ? config.path : join(root, config.path);
    return {
      path,
      database: basename(path, extname(path)),
      threads: config.threads ?? 4,
      relations: 'catalog',
      externalSources: 'read',
      externalRoot: config.external_root ?? '.',
      options: { settings: config.settings ?? {}, attach: [], extensions: [] },
    };
  },
  profile: {
    outputSchema: duckdbOutputSchema,
    keys: ['type', 'path', 'database', 'schema', 'threads', 'settings', 'extensions', 'attach', 'external_root'],
    resolve(output: z.output<typeof duckdbOutputSchema>, { cwd }) {
      const memory = output.path === undefined || output.path === ':memory:';
      const path = memory ? ':memory:' : isAbsolute(output.path!) ? output.path! : resolve(cwd, output.path!);
      return {
        path,
        database: output.database ?? (memory ? 'memory' : basename(path, extname(path))),
        schema: output.schema ?? 'main',
        threads: output.threads ?? 1,
        relations: 'catalog',
        externalSources: 'read',
        externalRoot: output.external_root ?? '.',
        options: {
          settings: output.settings ?? {},
          attach: (output.attach ?? []).map((a) => {
            const p = isAbsolute(a.path) ? a.path : resolve(cwd, a.path);
            return { path: p, alias: a.alias ?? basename(p, extname(p)), readOnly: a.read_only === true };
          }),
          extensions: (output.extensions ?? []).map((e) => (typeof e === 'string' ? e : e.name)),
        },
      };
    },
  },
  async open(target, options, how = {}) {
    const { DuckDBAdapter } = await import('./duckdb-adapter');
    return DuckDBAdapter.open({ path: target.path, settings: options.settings, readOnly: how.readOnly });
  },
  async openExisting(target, options) {
    // Read-only: a compile changes nothing, and a build holding the file leaves it unavailable rather than blocked.
    if (target.path === ':memory:' || !existsSync(target.path)) return undefined;
    const { DuckDBAdapter } = await import('./duckdb-adapter');
    return DuckDBAdapter.open({ path: target.path, settings: options.settings, readOnly: true }).catch(() => undefined);
  },
  describe(target, _options, cwd) {
    return relative(cwd, target.path) || target.path;
  },
  identity(target) {
    return `duckdb:${target.path}`;
  },
};
