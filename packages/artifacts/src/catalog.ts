import { z } from 'zod';
import { baseMetadataShape } from './common';

/** dbt's catalog.json, schema v1 (`dbt.artifacts.schemas.catalog`): relations as the database has them. */

export const catalogColumnSchema = z.looseObject({
  type: z.string(),
  index: z.number().int(),
  name: z.string(),
  comment: z.string().nullable(),
});
export type CatalogColumn = z.infer<typeof catalogColumnSchema>;

/** One statistic the docs site shows when `include` is true (`row_count`, `bytes`, `has_stats`). */
export const statsItemSchema = z.looseObject({
  id: z.string(),
  label: z.string(),
  value: z.union([z.boolean(), z.string(), z.number()]).nullable(),
  include: z.boolean(),
  description: z.string().nullable(),
});
export type StatsItem = z.infer<typeof statsItemSchema>;

export const catalogTableSchema = z.looseObject({
  metadata: z.looseObject({
    /** `BASE TABLE` or `VIEW`, as information_schema says. */
    type: z.string(),
    schema: z.string(),
    name: z.string(),
    database: z.string().nullable(),
    comment: z.string().nullable(),
    owner: z.string().nullable(),
  }),
  columns: z.record(z.string(), catalogColumnSchema),
  stats: z.record(z.string(), statsItemSchema),
  unique_id: z.string().nullable(),
});
export type CatalogTable = z.infer<typeof catalogTableSchema>;

export const catalogSchema = z.looseObject({
  metadata: z.looseObject(baseMetadataShape),
  nodes: z.record(z.string(), catalogTableSchema),
  sources: z.record(z.string(), catalogTableSchema),
  errors: z.array(z.string()).nullable(),
});
export type Catalog = z.infer<typeof catalogSchema>;
