import { z } from 'zod';
import {
  columnShape,
  contractRoleSchema,
  descriptionSchema,
  headerShape,
  qualityRuleSchema,
  relationshipSchema,
  serverSchema,
  slaPropertySchema,
  type Contract,
  type ContractModel,
  type ContractProperty,
} from './schema';

/**
 * The contract file: the Open Data Contract Standard v3.1.0, valid against its JSON schema (datacontract
 * lint checks it). What the mesh knows beyond ODCS is under `customProperties`:
 * - on a schema object: `databaseSchema` (the schema of its table in the published database), `model`
 *   (the model's name when the object is one version of it), `version`, `latestVersion`,
 *   `deprecationDate`, `owner` (the group owning the model).
 *
 * A schema object is named after its table (`products`, `products_v2`), which is how ODCS tools find
 * it in a server; consumers' refs name the model and version, which the custom properties carry.
 */

export const ODCS_API_VERSION = 'v3.1.0';

const text = z.string().min(1);

const customPropertySchema = z.strictObject({ property: text, value: z.unknown(), description: z.string().optional() });
type CustomProperty = z.infer<typeof customPropertySchema>;

const odcsPropertySchema = z.strictObject({
  ...columnShape,
  primaryKeyPosition: z.int().optional(),
  quality: z.array(qualityRuleSchema).default([]),
  relationships: z.array(relationshipSchema).default([]),
  customProperties: z.array(customPropertySchema).default([]),
});

const odcsSchemaObjectSchema = z.strictObject({
  name: text,
  physicalName: text.optional(),
  physicalType: text,
  logicalType: z.literal('object').default('object'),
  description: z.string().optional(),
  tags: z.array(z.string()).default([]),
  quality: z.array(qualityRuleSchema).default([]),
  properties: z.array(odcsPropertySchema).default([]),
  customProperties: z.array(customPropertySchema).default([]),
});

const supportSchema = z.strictObject({
  channel: text,
  tool: z.string().optional(),
  url: z.string().optional(),
  scope: z.string().optional(),
  description: z.string().optional(),
});

export const odcsFileSchema = z.strictObject({
  apiVersion: z.literal(ODCS_API_VERSION),
  kind: z.literal('DataContract'),
  ...headerShape,
  description: descriptionSchema,
  team: z.strictObject({ name: text, description: z.string().optional() }).optional(),
  support: z.array(supportSchema).default([]),
  servers: z.array(serverSchema).default([]),
  schema: z.array(odcsSchemaObjectSchema).default([]),
  /** In a published contract: one ODCS role per grantee, what it receives under its `receives` custom property. */
  roles: z.array(contractRoleSchema).default([]),
  slaProperties: z.array(slaPropertySchema).default([]),
  customProperties: z.array(customPropertySchema).default([]),
});
export type OdcsFile = z.output<typeof odcsFileSchema>;
type OdcsSchemaObject = OdcsFile['schema'][number];

const OBJECT_FACTS = ['databaseSchema', 'model', 'version', 'latestVersion', 'deprecationDate', 'owner'] as const;
type ObjectFact = (typeof OBJECT_FACTS)[number];

function factsOf(list: CustomProperty[]): Partial<Record<ObjectFact, string>> {
  const out: Partial<Record<ObjectFact, string>> = {};
  for (const p of list) if ((OBJECT_FACTS as readonly string[]).includes(p.property) && p.value !== null && p.value !== undefined) out[p.property as ObjectFact] = String(p.value);
  return out;
}

/** The name of a contract entry's schema object: its table's name in the published database. */
export function schemaObjectName(model: Pick<ContractModel, 'physicalName'>): string {
  const dot = model.physicalName.indexOf('.');
  return dot === -1 ? model.physicalName : model.physicalName.slice(dot + 1);
}

function decodeObject(o: OdcsSchemaObject): ContractModel {
  const facts = factsOf(o.customProperties);
  const table = o.physicalName ?? o.name;
  const model: ContractModel = {
    name: facts.model ?? o.name,
    version: facts.version ?? null,
    latestVersion: facts.latestVersion ?? null,
    physicalName: facts.databaseSchema ? `${facts.databaseSchema}.${table}` : table,
    physicalType: o.physicalType,
    logicalType: 'object',
    tags: o.tags,
    quality: o.quality,
    properties: o.properties.map(({ customProperties: _custom, primaryKeyPosition: _position, ...p }): ContractProperty => p),
  };
  if (facts.deprecationDate) model.deprecationDate = facts.deprecationDate;
  if (o.description) model.description = o.description;
  if (facts.owner) model.owner = facts.owner;
  return model;
}

function encodeObject(m: ContractModel): OdcsSchemaObject {
  const table = schemaObjectName(m);
  const dot = m.physicalName.indexOf('.');
  const custom: CustomProperty[] = [];
  if (dot !== -1) custom.push({ property: 'databaseSchema', value: m.physicalName.slice(0, dot) });
  if (m.name !== table) custom.push({ property: 'model', value: m.name });
  if (m.version !== null) custom.push({ property: 'version', value: m.version });
  if (m.latestVersion !== null) custom.push({ property: 'latestVersion', value: m.latestVersion });
  if (m.deprecationDate) custom.push({ property: 'deprecationDate', value: m.deprecationDate });
  if (m.owner) custom.push({ property: 'owner', value: m.owner });
  const keys = m.properties.filter((p) => p.primaryKey);
  return {
    name: table,
    physicalName: table,
    physicalType: m.physicalType,
    logicalType: 'object',
    ...(m.description ? { description: m.description } : {}),
    tags: m.tags,
    quality: m.quality,
    properties: m.properties.map((p) => ({
      ...p,
      // ODCS orders the columns of a composite key; a single-column key needs no position.
      ...(p.primaryKey && keys.length > 1 ? { primaryKeyPosition: keys.indexOf(p) + 1 } : {}),
      customProperties: [],
    })),
    customProperties: custom,
  };
}

/** An ODCS file as the contract the code works with. */
export function decodeContract(file: OdcsFile): Contract {
  const contract: Contract = {
    id: file.id,
    name: file.name,
    version: file.version,
    domain: file.domain,
    status: file.status,
    servers: file.servers,
    schema: file.schema.map(decodeObject),
    slaProperties: file.slaProperties,
    roles: file.roles,
  };
  const email = file.support.find((s) => s.tool === 'email' && s.url?.startsWith('mailto:'))?.url?.slice('mailto:'.length);
  if (file.team) contract.team = { name: file.team.name, ...(email ? { email } : {}) };
  if (file.description) contract.description = file.description;
  return contract;
}

/** The contract as its ODCS file: the team's address becomes an email support channel. */
export function encodeContract(contract: Contract): OdcsFile {
  return {
    apiVersion: ODCS_API_VERSION,
    kind: 'DataContract',
    id: contract.id,
    name: contract.name,
    version: contract.version,
    domain: contract.domain,
    status: contract.status,
    ...(contract.description ? { description: contract.description } : {}),
    ...(contract.team ? { team: { name: contract.team.name } } : {}),
    support: contract.team?.email ? [{ channel: 'email', tool: 'email', url: `mailto:${contract.team.email}`, scope: 'interactive', description: `${contract.team.name}: questions, issues and access requests.` }] : [],
    servers: contract.servers,
    schema: contract.schema.map(encodeObject),
    roles: contract.roles,
    slaProperties: contract.slaProperties,
    customProperties: [],
  };
}
