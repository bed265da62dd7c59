import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { parseAndValidate } from './validate-file';

/**
 * Which policies are on, at which severity, with which parameters. The platform writes the global file
 * (`governance/policies.yml` at the repository root); a domain's data_product.yaml may add policies or
 * raise a severity in its `policies:` block, with the same shape.
 */

export const POLICY_CONFIG_FILE = 'governance/policies.yml';

export const POLICY_NAMES = [
  'descriptor-present',
  'public-model-description',
  'public-model-owner',
  'public-model-contract',
  'pii-not-exposed',
  'layer-naming',
  'input-port-declared',
  'output-port-public',
] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

export type Severity = 'error' | 'warn';
export type PolicySeverity = Severity | 'off';
const severitySchema = z.enum(['error', 'warn', 'off']);

const layerRuleSchema = z.strictObject({
  /** A model in the layer starts with one of these. */
  prefixes: z.array(z.string().min(1)).optional(),
  /** Or matches this regular expression (anchored by the writer). */
  pattern: z
    .string()
    .refine((p) => {
      try {
        new RegExp(p);
        return true;
      } catch {
        return false;
      }
    }, 'expected a regular expression')
    .optional(),
});

function isRegExp(p: string): boolean {
  try {
    new RegExp(p);
    return true;
  } catch {
    return false;
  }
}

/** Parameters each policy takes; policies without any take none. */
const paramShapes = {
  'layer-naming': { layers: z.record(z.string(), layerRuleSchema).optional() },
  'pii-not-exposed': {
    /** Column tags that mark personal data. */
    tags: z.array(z.string()).optional(),
    /** Values of a column's meta.classification that mark personal data. */
    classifications: z.array(z.string()).optional(),
    /** Values of meta.masking that count as masked. */
    masking: z.array(z.string()).optional(),
    /** Regular expressions (case-insensitive, on the whole name) for column names that are personal data. */
    columns: z.array(z.string().refine(isRegExp, 'expected a regular expression')).optional(),
  },
} satisfies Partial<Record<PolicyName, z.ZodRawShape>>;

/** `name: error`, or `name: {severity: error, ...parameters}`. */
function entry<S extends z.ZodRawShape>(params: S) {
  return z.preprocess(expandEntry, z.strictObject({ severity: severitySchema, ...params }));
}

function expandEntry(value: unknown): unknown {
  return typeof value === 'string' ? { severity: value } : value;
}

/**
 * Expands the `name: warn` shorthand of a `policies:` block before validation, so an error about a
 * severity shows the value that was written (the schema accepts both forms on its own too).
 */
export function expandPolicyShorthands(policies: unknown): unknown {
  if (policies === null || typeof policies !== 'object' || Array.isArray(policies)) return policies;
  return Object.fromEntries(Object.entries(policies).map(([name, value]) => [name, expandEntry(value)]));
}

/** The same expansion for a file whose `policies:` block sits at the top level. */
export function expandPoliciesIn(data: unknown): unknown {
  if (data === null || typeof data !== 'object' || !('policies' in data)) return data;
  return { ...data, policies: expandPolicyShorthands((data as { policies: unknown }).policies) };
}

const policyEntries = {
  'descriptor-present': entry({}),
  'public-model-description': entry({}),
  'public-model-owner': entry({}),
  'public-model-contract': entry({}),
  'pii-not-exposed': entry(paramShapes['pii-not-exposed']),
  'layer-naming': entry(paramShapes['layer-naming']),
  'input-port-declared': entry({}),
  'output-port-public': entry({}),
} satisfies Record<PolicyName, z.ZodType>;

/** The `policies:` block: one optional entry per known policy; an unknown name is a typo. */
export const localPoliciesSchema = z.strictObject(
  Object.fromEntries(Object.entries(policyEntries).map(([k, v]) => [k, v.optional()])) as {
    [K in PolicyName]: z.ZodOptional<(typeof policyEntries)[K]>;
  },
);
export type PolicyEntries = z.output<typeof localPoliciesSchema>;
export type PolicyEntry<K extends PolicyName> = NonNullable<PolicyEntries[K]>;

export const policyFileSchema = z.strictObject({
  version: z.literal(1).optional(),
  policies: localPoliciesSchema,
});

export interface LayerRule {
  prefixes?: string[];
  pattern?: string;
}
export interface LayerNamingParams {
  layers: Record<string, LayerRule>;
}
export interface PiiParams {
  tags: string[];
  classifications: string[];
  masking: string[];
  /** Column names that are personal data whatever their tags say (names, e-mails, phone numbers, addresses). */
  columns: string[];
}

/**
 * Column names that hold personal data: people's names, e-mail addresses, phone numbers and postal
 * addresses. A column so named is personal without a tag, so it is masked for grantees even when
 * nobody thought to tag it.
 */
export const PERSONAL_COLUMN_NAMES: string[] = [
  '(.*_)?(first|last|given|family|middle|full|maiden|nick)_?name',
  '(.*_)?(sur|fore)name',
  '(customer|client|person|contact|user|employee|patient|member|buyer|recipient|holder|cardholder)_name',
  '(.*_)?e_?mail(_?address)?',
  '(.*_)?(phone|telephone|mobile|cell|fax)(_?(number|no|nr))?',
  '(.*_)?(street|address|address_?line_?\\d*|postcode|post_code|postal_code|zip|zip_?code)',
];
export interface PolicyParams {
  'layer-naming': LayerNamingParams;
  'pii-not-exposed': PiiParams;
}
/** A policy's parameters: an empty object for policies that take none. */
export type ParamsOf<K extends PolicyName> = K extends keyof PolicyParams ? PolicyParams[K] : Record<never, never>;

/** Parameters a policy runs with when no file sets them. */
export const DEFAULT_PARAMS: PolicyParams = {
  'layer-naming': { layers: { bronze: { prefixes: ['raw_'] }, silver: { prefixes: ['stg_', 'int_'] }, gold: {} } },
  'pii-not-exposed': { tags: ['pii'], classifications: ['pii'], masking: ['hash', 'redact', 'null'], columns: PERSONAL_COLUMN_NAMES },
};

/** The global policy file as read. `file` is undefined when the repository has none: no global policies. */
export interface PolicyConfig {
  file?: string;
  policies: PolicyEntries;
}

export function parsePolicyConfig(file: string, text: string): PolicyConfig {
  const { data } = parseAndValidate(file, text, policyFileSchema, {
    what: 'policy file',
    hint: 'See the policy file reference in platform/governance/README.md for policy names and parameters.',
    normalize: expandPoliciesIn,
  });
  return { file, policies: data.policies };
}

/** `governance/policies.yml` under the repository root; no file means the platform sets no policy. */
export function loadPolicyConfig(repoRoot: string): PolicyConfig {
  const path = join(repoRoot, POLICY_CONFIG_FILE);
  if (!existsSync(path)) return { policies: {} };
  return parsePolicyConfig(POLICY_CONFIG_FILE, readFileSync(path, 'utf8'));
}
