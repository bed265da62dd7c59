import { z } from 'zod';
import { columnShape, contractModelSchema, contractRoleSchema, descriptionSchema, headerShape, slaPropertySchema, type Contract, type ContractModel, type QualityRule, type Relationship } from './schema';

/**
 * The contract files the mesh wrote before it followed ODCS v3.1.0: they said `apiVersion: v3.0.2` but
 * used fields of their own (`team` as one object, `owner` on schema objects, quality rules with `rule`
 * and `references`). Releases in that form are still read, and `migrateRelease` rewrites them in the
 * current form with the same meaning.
 */

export const LEGACY_API_VERSION = 'v3.0.2';

const text = z.string().min(1);

const legacyRuleSchema = z.strictObject({
  type: z.enum(['library', 'sql', 'custom']),
  rule: text,
  description: z.string().optional(),
  validValues: z.array(z.union([z.string(), z.number(), z.boolean()])).optional(),
  references: z.string().optional(),
  expression: z.string().optional(),
  severity: z.enum(['error', 'warn']).optional(),
});
type LegacyRule = z.infer<typeof legacyRuleSchema>;

const legacyPropertySchema = z.strictObject({
  ...columnShape,
  quality: z.array(legacyRuleSchema).default([]),
});

const legacyModelSchema = contractModelSchema.extend({
  quality: z.array(legacyRuleSchema).default([]),
  properties: z.array(legacyPropertySchema).default([]),
});

export const legacyContractSchema = z.strictObject({
  apiVersion: z.literal(LEGACY_API_VERSION),
  kind: z.literal('DataContract'),
  ...headerShape,
  team: z.strictObject({ name: text, email: z.string().optional() }).optional(),
  description: descriptionSchema,
  schema: z.array(legacyModelSchema).default([]),
  slaProperties: z.array(slaPropertySchema).default([]),
  /** Published contracts of that form named their grantees as roles already. */
  roles: z.array(contractRoleSchema).default([]),
});
export type LegacyContract = z.output<typeof legacyContractSchema>;

const severity = (rule: LegacyRule) => (rule.severity === 'warn' ? { severity: 'warning' as const } : {});
const described = (rule: LegacyRule) => (rule.description ? { description: rule.description } : {});

/**
 * A legacy rule in ODCS terms. accepted_values is ODCS's invalidValues metric; a check constraint an SQL
 * count of the rows breaking it; a relationship to a model of the same contract a foreign key; anything
 * else stays a dbt test for dbt to run (`type: custom, engine: dbt`).
 */
function upgradeRule(rule: LegacyRule, tableOf: (model: string) => string | undefined): { quality?: QualityRule; relationship?: Relationship } {
  if (rule.rule === 'accepted_values' && rule.validValues) {
    return { quality: { type: 'library', metric: 'invalidValues', arguments: { validValues: rule.validValues }, mustBe: 0, ...severity(rule), ...described(rule) } };
  }
  if (rule.rule === 'check' && rule.expression) {
    return { quality: { type: 'sql', query: `SELECT COUNT(*) FROM {model} WHERE NOT (${rule.expression})`, mustBe: 0, description: rule.description ?? `check: ${rule.expression}`, ...severity(rule) } };
  }
  if (rule.rule === 'relationships' && rule.references) {
    const dot = rule.references.lastIndexOf('.');
    const table = tableOf(rule.references.slice(0, dot));
    if (table) return { relationship: { type: 'foreignKey', to: `${table}.${rule.references.slice(dot + 1)}` } };
    return { quality: { type: 'custom', engine: 'dbt', implementation: { test: 'relationships', to: rule.references.slice(0, dot), field: rule.references.slice(dot + 1) }, ...severity(rule), ...described(rule) } };
  }
  return { quality: { type: 'custom', engine: 'dbt', implementation: { test: rule.rule }, ...severity(rule), ...described(rule) } };
}

/** A legacy contract with the same promises, in the current model. */
export function upgradeLegacy(legacy: LegacyContract): Contract {
  // A relationship names a model as consumers ref it; ODCS names its table.
  const tables = new Map(legacy.schema.filter((m) => m.version === null).map((m) => [m.name, m.physicalName.slice(m.physicalName.indexOf('.') + 1)]));
  const tableOf = (model: string) => tables.get(model);
  const rules = (list: LegacyRule[]) => {
    const quality: QualityRule[] = [];
    const relationships: Relationship[] = [];
    for (const r of list.map((rule) => upgradeRule(rule, tableOf))) {
      if (r.quality) quality.push(r.quality);
      if (r.relationship) relationships.push(r.relationship);
    }
    return { quality, relationships };
  };
  return {
    id: legacy.id,
    name: legacy.name,
    version: legacy.version,
    domain: legacy.domain,
    status: legacy.status,
    ...(legacy.team ? { team: legacy.team } : {}),
    ...(legacy.description ? { description: legacy.description } : {}),
    servers: [],
    schema: legacy.schema.map((m): ContractModel => {
      // A model-level relationship names its column in `expression`: the foreign key goes on that column.
      const onColumn = (rule: LegacyRule) => (rule.rule === 'relationships' && rule.expression ? m.properties.find((p) => p.name === rule.expression) : undefined);
      const modelRules = rules(m.quality.filter((r) => !onColumn(r) || !upgradeRule(r, tableOf).relationship));
      return {
        ...m,
        quality: [...modelRules.quality, ...modelRules.relationships.map((rel): QualityRule => ({ type: 'custom', engine: 'dbt', implementation: { test: 'relationships', to: rel.to } }))],
        properties: m.properties.map((p) => {
          const own = rules(p.quality);
          const lifted = m.quality.filter((r) => onColumn(r) === p).map((r) => upgradeRule(r, tableOf).relationship).filter((r): r is Relationship => r !== undefined);
          return { ...p, quality: own.quality, relationships: [...own.relationships, ...lifted] };
        }),
      };
    }),
    slaProperties: legacy.slaProperties,
    roles: legacy.roles,
  };
}
