import { z } from 'zod';

/** dbt's schema URLs: the `metadata.dbt_schema_version` each artifact declares and readers check. */
export const DBT_SCHEMA_URLS = {
  manifest: 'https://schemas.getdbt.com/dbt/manifest/v12.json',
  runResults: 'https://schemas.getdbt.com/dbt/run-results/v6.json',
  catalog: 'https://schemas.getdbt.com/dbt/catalog/v1.json',
  sources: 'https://schemas.getdbt.com/dbt/sources/v3.json',
} as const;

/**
 * The dbt-core release whose artifact classes these schemas follow. It goes in `metadata.dbt_version`,
 * which tools read as "the artifact format of dbt X" (the docs page prints it, upgrades key on it).
 */
export const DBT_VERSION = '1.12.0';

export const metaSchema = z.record(z.string(), z.unknown());

/** Fields every artifact's metadata carries (dbt's BaseArtifactMetadata). */
export const baseMetadataShape = {
  dbt_schema_version: z.string(),
  dbt_version: z.string(),
  generated_at: z.string(),
  invocation_id: z.string().nullable(),
  invocation_started_at: z.string().nullable().optional(),
  /** dbt's `DBT_ENV_CUSTOM_ENV_*` values; strings only. */
  env: z.record(z.string(), z.string()),
};

/** `2026-12-01T14:51:09.484554Z`, as dbt writes timestamps (UTC, a Z, no offset). */
export function dbtTimestamp(date: Date = new Date()): string {
  return date.toISOString();
}

/** The metadata every artifact of one invocation shares. */
export function baseMetadata(schemaUrl: string, invocationId: string, startedAt: Date, generatedAt: Date = new Date()) {
  return {
    dbt_schema_version: schemaUrl,
    dbt_version: DBT_VERSION,
    generated_at: dbtTimestamp(generatedAt),
    invocation_id: invocationId,
    invocation_started_at: dbtTimestamp(startedAt),
    env: {} as Record<string, string>,
  };
}

/** The version number of a dbt schema URL (`.../manifest/v12.json` -> 12), or undefined for another URL. */
export function schemaVersionOf(url: unknown, kind: 'manifest' | 'run-results' | 'catalog' | 'sources'): number | undefined {
  if (typeof url !== 'string') return undefined;
  const match = new RegExp(`^https://schemas\\.getdbt\\.com/dbt/${kind}/v(\\d+)\\.json$`).exec(url);
  return match ? Number(match[1]) : undefined;
}
