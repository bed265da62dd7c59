import { z } from 'zod';

/**
 * The contract as the code works with it: one entry per consumer target (a model, or one version of a
 * versioned model), named as consumers ref it. The file on disk is ODCS v3.1.0 (`odcs.ts` maps one to
 * the other); what ODCS has no field for sits in its `customProperties` there.
 */

/** The logical types of the Open Data Contract Standard; a column's DuckDB type maps onto one of them. */
export const LOGICAL_TYPES = ['string', 'integer', 'number', 'boolean', 'date', 'timestamp', 'time', 'object', 'array'] as const;
export type LogicalType = (typeof LOGICAL_TYPES)[number];

export const CONTRACT_STATUSES = ['proposed', 'draft', 'active', 'deprecated', 'retired'] as const;
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];

// x.y.z with an optional prerelease and build part: the domain package's version, bumped by the diff.
export const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$/;

const text = z.string().min(1);

/** ODCS's predefined quality metrics, which datacontract-cli and other ODCS tools run as they are. */
export const QUALITY_METRICS = ['nullValues', 'missingValues', 'invalidValues', 'duplicateValues', 'rowCount'] as const;
export type QualityMetric = (typeof QUALITY_METRICS)[number];

/** ODCS's comparison operators: a rule holds when its measured value satisfies exactly one of them. */
export const QUALITY_OPERATORS = ['mustBe', 'mustNotBe', 'mustBeGreaterThan', 'mustBeGreaterOrEqualTo', 'mustBeLessThan', 'mustBeLessOrEqualTo', 'mustBeBetween', 'mustNotBeBetween'] as const;

const operators = {
  mustBe: z.number().optional(),
  mustNotBe: z.number().optional(),
  mustBeGreaterThan: z.number().optional(),
  mustBeGreaterOrEqualTo: z.number().optional(),
  mustBeLessThan: z.number().optional(),
  mustBeLessOrEqualTo: z.number().optional(),
  mustBeBetween: z.tuple([z.number(), z.number()]).optional(),
  mustNotBeBetween: z.tuple([z.number(), z.number()]).optional(),
};

const ruleFacts = {
  name: z.string().optional(),
  description: z.string().optional(),
  dimension: z.enum(['accuracy', 'completeness', 'conformity', 'consistency', 'coverage', 'timeliness', 'uniqueness']).optional(),
  /** ODCS's severities; a dbt test with severity warn becomes `warning`. */
  severity: z.enum(['info', 'warning', 'error']).optional(),
};

function oneOperator(rule: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const given = QUALITY_OPERATORS.filter((o) => rule[o] !== undefined);
  if (given.length !== 1) ctx.addIssue({ code: 'custom', message: `a quality rule needs exactly one of ${QUALITY_OPERATORS.join(', ')}${given.length ? `, not ${given.join(' and ')}` : ''}` });
}

/** A predefined metric: `{metric: nullValues, mustBe: 0}`, `{metric: invalidValues, arguments: {validValues: [...]}, mustBe: 0}`. */
export const libraryRuleSchema = z
  .strictObject({
    type: z.literal('library'),
    metric: z.enum(QUALITY_METRICS),
    arguments: z.record(z.string(), z.unknown()).optional(),
    ...operators,
    ...ruleFacts,
  })
  .superRefine(oneOperator);

/** A query returning one number, `{model}` and `{column}` standing for the table and the column. */
export const sqlRuleSchema = z
  .strictObject({
    type: z.literal('sql'),
    query: text,
    ...operators,
    ...ruleFacts,
  })
  .superRefine(oneOperator);

/** A check another engine runs: a dbt test ODCS has no metric for (`engine: dbt`). */
export const customRuleSchema = z.strictObject({
  type: z.literal('custom'),
  engine: text,
  implementation: z.union([z.string(), z.record(z.string(), z.unknown())]),
  ...ruleFacts,
});

export const qualityRuleSchema = z.union([libraryRuleSchema, sqlRuleSchema, customRuleSchema]);

/** A foreign key: the column's values exist in `to`, `<schema object>.<column>` of the same contract. */
export const relationshipSchema = z.strictObject({
  type: z.literal('foreignKey').default('foreignKey'),
  to: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/, 'expected <schema object>.<column>'),
});

/** What a column is, in every form of the file (today's ODCS one and the legacy one). */
export const columnShape = {
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
};

export const contractPropertySchema = z.strictObject({
  ...columnShape,
  quality: z.array(qualityRuleSchema).default([]),
  relationships: z.array(relationshipSchema).default([]),
});

// Authors write `version: 2` more often than `version: '2'`; both mean the same model version.
export const modelVersion = z.union([text, z.int().nonnegative()]).transform((v) => String(v));

/** What a contract says of itself beside its models, in every form of the file. */
export const descriptionSchema = z
  .strictObject({ purpose: z.string().optional(), usage: z.string().optional(), limitations: z.string().optional() })
  .optional();

export const contractModelSchema = z.strictObject({
  /** The model's name, as consumers ref it. */
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
  /** Model-level rules: row counts, uniqueness over several columns, SQL checks. */
  quality: z.array(qualityRuleSchema).default([]),
  /** The columns, in output order. */
  properties: z.array(contractPropertySchema).default([]),
});

export const slaPropertySchema = z.strictObject({
  /** freshness, latency, frequency, retention, completeness, rowCountMin. */
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

/** Where the data the contract describes can be read, as ODCS servers say it (datacontract-cli tests them). */
export const serverSchema = z.strictObject({
  server: text,
  type: z.enum(['local', 'duckdb', 'postgres', 'postgresql', 's3']),
  description: z.string().optional(),
  environment: z.string().optional(),
  format: z.enum(['parquet', 'csv', 'json']).optional(),
  /** Files: a path with `{model}` for each schema object's name. */
  path: z.string().optional(),
  /** Databases: the DuckDB file, or the database on a server. */
  database: z.string().optional(),
  schema: z.string().optional(),
  host: z.string().optional(),
  port: z.int().optional(),
});

/** Who and what the contract is, in every form of the file. */
export const headerShape = {
  id: text,
  /** The domain project's name. */
  name: text,
  /** The domain package's version. */
  version: z.string().regex(SEMVER, 'expected a semantic version x.y.z'),
  domain: text,
  status: z.enum(CONTRACT_STATUSES).default('active'),
};

export const contractSchema = z.strictObject({
  ...headerShape,
  /** The owning team, and the address that reaches it (ODCS: the team, and an email support channel). */
  team: z.strictObject({ name: text, email: z.string().optional() }).optional(),
  description: descriptionSchema,
  servers: z.array(serverSchema).default([]),
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
export type Relationship = z.output<typeof relationshipSchema>;
export type SlaProperty = z.output<typeof slaPropertySchema>;
export type ContractServer = z.output<typeof serverSchema>;
