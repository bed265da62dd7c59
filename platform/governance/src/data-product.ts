import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DURATION_HINT, tryParseDuration } from './duration';
import { expandPoliciesIn, localPoliciesSchema } from './policy-config';
import { isSemver, isSemverRange } from './semver';
import { parseAndValidate } from './validate-file';

/**
 * `data_product.yaml`: what a domain serves (output ports), what it reads from other domains (input
 * ports), who answers for it, the levels it promises (SLOs), who may read it, and policies of its own.
 * Strict objects throughout so a misspelled key is an error with its line, not a silently ignored promise.
 */

export const DATA_PRODUCT_FILE_NAMES = ['data_product.yaml', 'data_product.yml'] as const;

const productName = z.string().regex(/^[a-z][a-z0-9_-]*$/, 'expected a lower-case name of letters, digits, - and _');
const modelName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a model name of letters, digits and underscores');
const stringList = z.union([z.string().transform((s) => [s]), z.array(z.string())]);
const semver = z.string().refine(isSemver, 'expected a semantic version such as 1.2.0');
const semverRange = z.string().min(1).refine(isSemverRange, 'expected a version range such as ^1.2.0, ~1.2 or >=1.0.0 <2.0.0');
const duration = z.string().refine((s) => tryParseDuration(s) !== undefined, `expected a duration: ${DURATION_HINT}`);
const fraction = z.number().min(0).max(1);

export const outputPortSchema = z.strictObject({
  name: productName,
  /** A public model of this project. */
  model: modelName,
  /** The model version served (dbt `versions:`); the latest when left out. */
  version: z.union([z.string(), z.number()]).transform(String).optional(),
  format: z.enum(['duckdb', 'parquet', 'csv', 'json', 'api']),
  location: z.string().optional(),
  description: z.string().optional(),
});

export const inputPortSchema = z
  .strictObject({
    /** The upstream domain (its mesh project name), as written in ref('domain', 'model'). */
    domain: productName.optional(),
    /** The upstream data product's name; stands for the domain when the product is named after it. */
    product: productName.optional(),
    /** Upstream releases this product is built against. */
    version: semverRange,
    models: z.array(modelName).min(1),
  })
  .refine((p) => p.domain !== undefined || p.product !== undefined, 'an input port names its upstream with domain: (or product:)');

const onBreach = z.enum(['fail', 'warn']);

/** Each SLO may override the product's `on_breach` for itself (a freshness warning, a completeness failure). */
const slosSchema = z.strictObject({
  completeness: z.strictObject({ min: fraction, columns: z.array(z.string()).optional(), models: z.array(modelName).optional(), on_breach: onBreach.optional() }).optional(),
  freshness: z.strictObject({ max_age: duration, column: z.string().optional(), model: modelName.optional(), on_breach: onBreach.optional() }).optional(),
  row_count: z
    .strictObject({ min: z.number().int().nonnegative().optional(), max: z.number().int().nonnegative().optional(), model: modelName.optional(), on_breach: onBreach.optional() })
    .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, 'min is larger than max')
    .refine((r) => r.min !== undefined || r.max !== undefined, 'a row_count SLO needs min:, max: or both')
    .optional(),
  /** What a breached SLO does to the build: fail it (and publish nothing), or warn. */
  on_breach: onBreach,
});

const grantSchema = z.strictObject({
  /** Domains (mesh project names) or roles that may read the product; `*` for everyone. */
  to: stringList.pipe(z.array(z.string().regex(/^(\*|[a-z][a-z0-9_-]*)$/, "expected a domain or role name in lower case (letters, digits, - and _), or '*' for everyone")).min(1)),
  /** Output ports the grant covers; every port when left out. */
  ports: z.array(productName).optional(),
  /** How columns tagged as personal data reach the grantee. */
  pii: z.enum(['masked', 'clear', 'refused']).default('masked'),
});

export const dataProductSchema = z
  .strictObject({
    name: productName,
    domain: productName,
    owner: z.strictObject({ team: z.string().min(1), email: z.email('expected an e-mail address') }),
    /** Optional: the package version is the release version; set this only to document a product version. */
    version: semver.optional(),
    description: z.string().min(1),
    status: z.enum(['draft', 'active', 'deprecated', 'retired']),
    classification: z.enum(['public', 'internal', 'confidential', 'restricted']),
    output_ports: z.array(outputPortSchema),
    input_ports: z.array(inputPortSchema).default([]),
    slos: slosSchema.optional(),
    access: z.strictObject({ grants: z.array(grantSchema).default([]) }).optional(),
    policies: localPoliciesSchema.optional(),
  })
  .superRefine((product, ctx) => {
    // Cross-references inside the file: checked here so they too name the line.
    const ports = new Map<string, number>();
    product.output_ports.forEach((port, i) => {
      if (ports.has(port.name)) {
        ctx.addIssue({ code: 'custom', path: ['output_ports', i, 'name'], message: `output port '${port.name}' is declared twice` });
      }
      ports.set(port.name, i);
    });
    product.access?.grants.forEach((grant, gi) => {
      grant.ports?.forEach((port, pi) => {
        if (!ports.has(port)) {
          const known = [...ports.keys()];
          ctx.addIssue({
            code: 'custom',
            path: ['access', 'grants', gi, 'ports', pi],
            message: `'${port}' is not an output port of this product${known.length ? ` (output ports: ${known.join(', ')})` : ''}`,
          });
        }
      });
    });
  });

export type DataProductSpec = z.output<typeof dataProductSchema>;
export type OutputPort = DataProductSpec['output_ports'][number];
export type InputPort = DataProductSpec['input_ports'][number];

/** A descriptor as read: its content plus where it came from, so findings can name its lines. */
export type DataProduct = DataProductSpec & {
  source: {
    /** The file as named in messages (relative to the project root when loaded from disk). */
    file: string;
    lineOf(path: readonly PropertyKey[]): number | undefined;
  };
};

/** Parses and validates a descriptor's text; errors are MeshError E_YAML_SCHEMA with file and line. */
export function parseDataProduct(file: string, text: string): DataProduct {
  const { data, lineOf } = parseAndValidate(file, text, dataProductSchema, {
    what: 'data product',
    hint: 'See the data product reference in platform/governance/README.md for the expected shape.',
    normalize: expandPoliciesIn,
  });
  return { ...data, source: { file, lineOf } };
}

/** The project's data_product.yaml, or undefined when it has none (the descriptor-present policy reports that). */
export function loadDataProduct(projectRoot: string): DataProduct | undefined {
  for (const name of DATA_PRODUCT_FILE_NAMES) {
    const path = join(projectRoot, name);
    if (existsSync(path)) return parseDataProduct(name, readFileSync(path, 'utf8'));
  }
  return undefined;
}
