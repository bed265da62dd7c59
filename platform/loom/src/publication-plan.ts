import { basename, dirname } from 'node:path';
import type { ModelNode, PublishRelation, RunOutcome } from '@mesh/engine';
import type { ContractRole } from '@mesh/contract';
import type { PublishedAccess } from './published-manifest';
import { EVERYONE, OPENNESS, grantees, granteesOf, grantsFor, personalColumns, portServes, restrictsAccess, type DataProduct, type PiiParams, type PiiTreatment } from '@mesh/governance';

/**
 * What a publication writes. A product without an `access:` block publishes one database every consumer
 * may attach, personal columns masked. A product with grants publishes one database per grantee holding
 * only the ports granted to it, personal columns masked, in clear or left out as its grant says: a
 * consumer attaches its own share and cannot read what was not granted, whatever SQL it writes.
 */

export const SHARES_DIR = 'shares';

/**
 * What a project publishes: its own public models, and its public seeds, which dbt-loom offers a
 * consumer as it offers models (`+access: public` on a seed).
 */
export function publishedNodes(outcome: RunOutcome): ModelNode[] {
  return [...outcome.dag.nodes.values()].filter(
    (n): n is ModelNode =>
      (n.resource_type === 'model' || n.resource_type === 'seed') && !n.external && n.package_name === outcome.parsed.name &&
      n.config.access === 'public' && n.config.materialized !== 'ephemeral',
  );
}

export interface PlannedModel {
  node: ModelNode;
  /** The output port that serves the model, for restricted products. */
  port?: string;
  pii: PiiTreatment;
  relation: PublishRelation;
}

export interface PlannedDatabase {
  /** Relative to the published folder. */
  file: string;
  /** For a share of views: the data files its views read, relative to the published folder. */
  data?: string[];
  /** Set when the engine publishes inside its own database: the share's schema there (replaces the file). */
  schema?: string;
  /** The catalog that holds the share schema, on engines with a catalog per domain (Trino). */
  catalog?: string;
  models: PlannedModel[];
}

export interface PublicationPlan {
  /** The database for everyone, when the product grants nothing in particular. */
  open?: PlannedDatabase;
  /** One database per grantee (`*` included), when it does. */
  shares: Array<PlannedDatabase & { consumer: string }>;
}

/**
 * The schema of a share on a database server: `<producer>_share_<consumer>`, `all` for everyone. It sits
 * beside the producer's own `<producer>_<layer>` schemas and is replaced whole at each publication.
 */
export function shareSchema(producer: string, consumer: string | undefined): string {
  return `${producer}_share_${!consumer || consumer === EVERYONE ? 'all' : consumer.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`;
}

export const DATA_DIR = 'data';

/**
 * The data file of a model in one treatment, relative to the version folder, for shares of views: one
 * per distinct relation, however many grantees read it. The project's name in the path keeps it apart
 * from any other upstream's files a consumer reads beside it.
 */
export function dataFile(project: string, model: PlannedModel): string {
  const r = model.relation;
  const treatment = r.masks?.length || r.withheld?.length ? model.pii : 'clear';
  return `${DATA_DIR}/${project}/${r.schema}/${r.identifier}.${treatment}.parquet`;
}

/**
 * The folder the views of a share database resolve their data files against: the version folder that
 * holds it (`<version>/shares/<consumer>.duckdb`). Undefined for a database outside `shares/`.
 */
export function shareFilesRoot(databasePath: string): string | undefined {
  const dir = dirname(databasePath);
  return basename(dir) === SHARES_DIR ? dirname(dir) : undefined;
}

/** `*` is a fine grantee but a poor file name. */
export function shareFile(consumer: string): string {
  return `${SHARES_DIR}/${consumer === EVERYONE ? '_everyone' : consumer}.duckdb`;
}

function planned(node: ModelNode, pii: PiiTreatment, params: PiiParams | undefined, port?: string): PlannedModel {
  const personal = personalColumns(node, params);
  const relation: PublishRelation = { database: node.database, schema: node.schema, identifier: node.alias };
  if (pii === 'masked' && personal.length) relation.masks = personal;
  if (pii === 'refused' && personal.length) relation.withheld = personal.map((p) => p.column);
  return { node, port, pii, relation };
}

/** `params` say which columns are personal data (the project's pii-not-exposed parameters; the defaults when left out). */
export function planPublication(project: string, models: ModelNode[], product: DataProduct | undefined, params?: PiiParams): PublicationPlan {
  if (!restrictsAccess(product)) {
    return { open: { file: `${project}.duckdb`, models: models.map((m) => planned(m, 'masked', params)) }, shares: [] };
  }
  const shares: PublicationPlan['shares'] = [];
  for (const consumer of grantees(product)) {
    // Two ports may serve the same model; the more open treatment wins, as between grants.
    const granted = new Map<string, PlannedModel>();
    for (const { port, pii } of grantsFor(product, consumer)) {
      for (const node of models.filter((m) => portServes(port, m))) {
        const seen = granted.get(node.unique_id);
        if (!seen || OPENNESS[pii] > OPENNESS[seen.pii]) granted.set(node.unique_id, planned(node, pii, params, port.name));
      }
    }
    shares.push({ consumer, file: shareFile(consumer), models: [...granted.values()] });
  }
  return { shares };
}

/** The manifest's record of a restricted product's grants: what each share holds, and who may read each port. */
export function accessSection(product: DataProduct, plan: PublicationPlan): PublishedAccess {
  return {
    product: product.name,
    owner: { team: product.owner.team, email: product.owner.email },
    ports: Object.fromEntries(product.output_ports.map((p) => [p.name, { model: p.model, version: p.version ?? null, grantees: granteesOf(product, p.name) }])),
    shares: Object.fromEntries(plan.shares.map((s) => [s.consumer, {
      ...(s.schema ? { schema: s.schema, ...(s.catalog ? { catalog: s.catalog } : {}) } : { file: s.file, ...(s.data ? { data: s.data } : {}) }),
      models: Object.fromEntries(s.models.map((m, i) => [m.node.unique_id, { port: m.port ?? m.node.name, pii: m.pii, withheld: m.relation.withheld ?? [], ...(s.data?.[i] ? { data: s.data[i] } : {}) }])),
    }])),
  };
}

const MASKING: Record<string, 'hmac-sha256' | 'redact' | 'null'> = { hash: 'hmac-sha256', redact: 'redact', null: 'null' };

/**
 * What each consumer receives, as ODCS roles for the published contract: per grantee, each model with
 * the port that grants it and the columns it gets otherwise than the schema says (masked columns are
 * text: a keyed hash in hexadecimal, `[redacted]`, or null; withheld ones are not there at all).
 */
export function consumerRoles(plan: PublicationPlan): ContractRole[] {
  const databases = plan.open ? [{ ...plan.open, consumer: EVERYONE }] : plan.shares;
  return databases.map((db) => ({
    role: db.consumer,
    access: 'read' as const,
    description: db.consumer === EVERYONE ? 'Every domain; personal data masked.' : `Reads ${db.models.map((m) => m.node.name).join(', ')}.`,
    customProperties: [{
      property: 'receives' as const,
      value: db.models.map((m) => ({
        model: m.node.name,
        port: m.port ?? m.node.name,
        pii: m.pii,
        columns: [
          ...(m.relation.masks ?? []).map((k) => ({ name: k.column, physicalType: 'VARCHAR', masking: MASKING[k.method]! })),
          ...(m.relation.withheld ?? []).map((c) => ({ name: c, masking: 'withheld' as const })),
        ],
      })),
    }],
  }));
}
