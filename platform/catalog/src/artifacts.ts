import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { MeshError } from '@mesh/errors';
import { z } from 'zod';

/**
 * The parts of a domain's `target/manifest.json` and `target/run_results.json` the catalog reads.
 * Loose objects: the files carry many more fields, and a newer engine adding one must not break docs.
 */

const columnSchema = z.looseObject({
  name: z.string(),
  description: z.string().nullable().optional(),
  data_type: z.string().nullable().optional(),
  tags: z.array(z.string()).optional(),
});

const manifestNodeSchema = z.looseObject({
  unique_id: z.string(),
  resource_type: z.string(),
  name: z.string(),
  package_name: z.string(),
  original_file_path: z.string().optional(),
  description: z.string().nullable().optional(),
  tags: z.array(z.string()).optional(),
  relation_name: z.string().nullable().optional(),
  config: z.looseObject({ materialized: z.string().optional(), access: z.string().optional() }).optional(),
  columns: z.record(z.string(), columnSchema).optional(),
  compiled_code: z.string().nullable().optional(),
  access: z.string().nullable().optional(),
  group: z.string().nullable().optional(),
  version: z.union([z.string(), z.number()]).nullable().optional(),
  latest_version: z.union([z.string(), z.number()]).nullable().optional(),
  deprecation_date: z.string().nullable().optional(),
  contract: z.looseObject({ enforced: z.boolean() }).optional(),
  column_name: z.string().nullable().optional(),
  attached_node: z.string().nullable().optional(),
  depends_on: z.looseObject({ nodes: z.array(z.string()) }).optional(),
  external: z.boolean().optional(),
});
export type ManifestNode = z.infer<typeof manifestNodeSchema>;

export const manifestFileSchema = z.looseObject({
  metadata: z.looseObject({
    mesh_schema_version: z.string().optional(),
    generated_at: z.string().optional(),
    project_name: z.string(),
    project_version: z.string().nullable().optional(),
    target_name: z.string().optional(),
  }),
  nodes: z.record(z.string(), manifestNodeSchema),
  sources: z.record(z.string(), manifestNodeSchema).default({}),
  groups: z.record(z.string(), z.looseObject({ name: z.string(), owner: z.looseObject({ name: z.string().optional(), email: z.string().optional() }).nullable().optional() })).default({}),
  parent_map: z.record(z.string(), z.array(z.string())).default({}),
});
export type ManifestFile = z.infer<typeof manifestFileSchema>;

export const runResultsFileSchema = z.looseObject({
  metadata: z.looseObject({ generated_at: z.string().optional() }),
  results: z.array(
    z.looseObject({
      unique_id: z.string(),
      status: z.string(),
      timing: z.array(z.looseObject({ name: z.string(), completed_at: z.string().nullable().optional() })).default([]),
      failures: z.number().nullable().optional(),
      message: z.string().nullable().optional(),
    }),
  ),
});
export type RunResultsFile = z.infer<typeof runResultsFileSchema>;

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
