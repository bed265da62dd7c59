import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { MeshError } from '@mesh/errors';
import { catalogSchema, manifestSchema, runResultsSchema } from '@mesh/artifacts';
import type { z } from 'zod';


/**
 * The catalog reads each domain's `target/manifest.json` and `target/run_results.json` with the schemas
 * the engine writes them by (@mesh/artifacts): dbt's manifest v12 and run results v6. A file dbt-core
 * wrote reads as well as the engine's own.
 */
export const manifestFileSchema = manifestSchema;
export type ManifestFile = z.infer<typeof manifestSchema>;
/** A node or source of the manifest: every kind the catalog shows or reads tests from. */
export type ManifestNode = ManifestFile['nodes'][string] | ManifestFile['sources'][string];

export const catalogFileSchema = catalogSchema;

export const runResultsFileSchema = runResultsSchema;
export type RunResultsFile = z.infer<typeof runResultsSchema>;

/** A JSON artifact validated with its schema; a bad one is named with the command that rewrites it. */
export function readArtifact<T>(path: string, schema: z.ZodType<T>, what: string, remake: string, base: string): T {
  const shown = relative(base, path) || path;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new MeshError('E_CATALOG_ARTIFACT', `${shown} is not valid JSON: ${(error as Error).message}`, {
      location: { file: shown },
      hint: `Rewrite the ${what} with ${remake}.`,
    });
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MeshError('E_CATALOG_ARTIFACT', `${shown} is not a ${what} the catalog can read: ${issue?.path.join('.') || 'the file'}: ${issue?.message}`, {
      location: { file: shown },
      hint: `Rewrite it with ${remake}; a file from an older mesh version needs a fresh build.`,
    });
  }
  return parsed.data;
}

export function readOptionalArtifact<T>(path: string, schema: z.ZodType<T>, what: string, remake: string, base: string): T | undefined {
  return existsSync(path) ? readArtifact(path, schema, what, remake, base) : undefined;
}
