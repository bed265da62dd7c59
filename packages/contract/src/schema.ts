import { z } from 'zod';

/** The logical types of the Open Data Contract Standard; a column's DuckDB type maps onto one of them. */
export const LOGICAL_TYPES = ['string', 'integer', 'number', 'boolean', 'date', 'timestamp', 'time', 'object', 'array'] as const;
export type LogicalType = (typeof LOGICAL_TYPES)[number];

export const CONTRACT_STATUSES = ['proposed', 'draft', 'active', 'deprecated', 'retired'] as const;
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];

// x.y.z with an optional prerelease and build part: the domain package's version, bumped by the diff.
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

const text = z.string().min(1);

// Authors write `version: 2` more often than `version: '2'`; both mean the same model version.
const modelVersion = z.union([text, z.int().nonnegative()]).transform((v) => String(v));

export const qualityRuleSchema = z.strictObject({
  type: z.enum(['library', 'sql', 'custom']),
  /** not_null, unique, accepted_values, relationships, unique_combination, check, ... */
  rule: text,
  description: z.string().optional(),
  validValues: z.array(z.union([z.string(), z.number(), z.boolean()])).optional(),
  /** `model.column` the values must exist in (relationships). */
  references: z.string().optional(),
  expression: z.string().optional(),
  severity: z.enum(['error', 'warn']).optional(),
});

export const contractPropertySchema = z.strictObject({
  name: text,
  /** The DuckDB type as declared: INTEGER, VARCHAR, DECIMAL(18,2), BIGINT[]. */
  physicalType: text.optional(),
  logicalType: z.enum(LOGICAL_TYPES),
  /** Not null. */
  required: z.boolean().default(false),
  unique: z.boolean().default(false),
  primaryKey: z.boolean().default(false),
  description: z.string().optional(),
  /** pii, confidential, internal, public. */
  classification: z.string().optional(),
  tags: z.array(z.string()).default([]),
  quality: z.array(qualityRuleSchema).default([]),
});

export const contractModelSchema = z.strictObject({
  name: text,
  /** The model version ('1', '2'), or null when the model is not versioned. */
  version: modelVersion.nullable().default(null),
  /** On versioned entries: the version an unpinned ref resolves to. */
  latestVersion: modelVersion.nullable().default(null),
  deprecationDate: z.string().nullable().optional(),
  /** `schema.alias` in the published database. */
  physicalName: text,
  /** The materialization: table, view, incremental. */
  physicalType: text,
  logicalType: z.literal('object').default('object'),
  description: z.string().optional(),
  /** The group owning the model, when it belongs to one. */
  owner: z.string().optional(),
  tags: z.array(z.string()).default([]),
  /** Model-level tests: relationships, unique_combination, ... */
  quality: z.array(qualityRuleSchema).default([]),
  /** The columns, in output order. */
  properties: z.array(contractPropertySchema).default([]),
});

export const slaPropertySchema = z.strictObject({
  /** freshness, latency, frequency, retention. */
  property: text,
  value: z.union([z.string(), z.number()]),
  unit: z.string().optional(),
  /** The model or `model.column` the promise is about; the whole contract when absent. */
  element: z.string().optional(),
  description: z.string().optional(),
});

/** A column as one consumer receives it, where that differs from the schema: masked, or left out. */
export const receivedColumnSchema = z.strictObject({
  name: text,
  /** The type the consumer reads (a keyed hash is hexadecimal text whatever the column held). */
  physicalType: text.optional(),
  /** `hmac-sha256` (a keyed hash that joins), `redact`, `null`, or `withheld` (not in the consumer's data at all). */
  masking: z.enum(['hmac-sha256', 'redact', 'null', 'withheld']),
});

/**
 * An ODCS role: one per consumer (domain or role) the data product grants ports to, with what it may
 * read and, under `customProperties` (`receives`), each model it receives and its columns that differ.
 */
export const contractRoleSchema = z.strictObject({
  role: text,
  access: z.literal('read').default('read'),
  description: z.string().optional(),
  customProperties: z.array(z.strictObject({
    property: z.literal('receives'),
    value: z.array(z.strictObject({
      model: text,
      /** The output port that grants it. */
      port: text,
      /** How the grant treats personal data. */
      pii: z.enum(['masked', 'clear', 'refused']),
      columns: z.array(receivedColumnSchema).default([]),
    })),
  })).default([]),
});

export const contractSchema = z.strictObject({
  /** The Open Data Contract Standard version followed. */
  apiVersion: z.literal('v3.0.2'),
  kind: z.literal('DataContract'),
  id: text,
  /** The domain project's name. */
  name: text,
  /** The domain package's version. */
  version: z.string().regex(SEMVER, 'expected a semantic version x.y.z'),
  domain: text,
  status: z.enum(CONTRACT_STATUSES).default('active'),
  team: z.strictObject({ name: text, email: z.string().optional() }).optional(),
  description: z
    .strictObject({ purpose: z.string().optional(), usage: z.string().optional(), limitations: z.string().optional() })
    .optional(),
  /** One entry per public model, or per version of a versioned model. */
  schema: z.array(contractModelSchema).default([]),
  slaProperties: z.array(slaPropertySchema).default([]),
  /** In a published contract: what each consumer receives (types and masking of its personal columns). */
  roles: z.array(contractRoleSchema).default([]),
});

export type Contract = z.output<typeof contractSchema>;
export type ContractRole = z.output<typeof contractRoleSchema>;
export type ContractModel = z.output<typeof contractModelSchema>;
export type ContractProperty = z.output<typeof contractPropertySchema>;
export type QualityRule = z.output<typeof qualityRuleSchema>;
export type SlaProperty = z.output<typeof slaPropertySchema>;
