import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Adapter, RunOutcome } from '@mesh/engine';
import { loadDataProduct, piiParamsFor } from '@mesh/governance';
import { accessSection, planPublication, publishedNodes, shareSchema, SHARES_DIR, type PublicationPlan } from './publication-plan';

/** The grantee of a publication every domain may read. */
const EVERYONE_GRANTEE = '*';
import { buildPublishedManifest, publicationFacts, publishedManifestSchema } from './published-manifest';
import { publishExternalFiles } from './external-files';

export const PUBLISHED_DIR = 'published';

export type PublishResult =
  | { published: true; directory: string; models: Array<{ unique_id: string; rows: number }>; shares: Array<{ consumer: string; models: number }> }
  /** Nothing was written; consumers keep the previous publication. `refused` when the gate said no. */
  | { published: false; reason: string; refused?: { code: string; details?: string; hint?: string } };

/**
 * A last word before anything is copied: the contract check refuses a publication that breaks a
 * released contract, and hands back files to publish beside the manifest (the contract itself).
 */
export type PublishGate = (outcome: RunOutcome, adapter: Adapter) => Promise<
  | { ok: true; files?: Record<string, string> }
  | { ok: false; code: string; reason: string; details?: string; hint?: string }
>;

export function publishedDir(targetDir: string): string {
  return join(targetDir, PUBLISHED_DIR);
}

/** A domain's release version is its package version (changesets bumps it); the project file's is a fallback. */
function packageVersion(root: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : undefined;
  } catch {
    return undefined;
  }
}

const publicModels = publishedNodes;

/**
 * Publishes the project's public models: their tables copied into `target/published/<project>.duckdb`
 * and a manifest of just those models beside it. A run in which any public model failed publishes
 * nothing, so consumers keep reading the last good publication.
 */
export async function publish(outcome: RunOutcome, adapter: Adapter, gate?: PublishGate): Promise<PublishResult | undefined> {
  const models = publicModels(outcome);
  if (!models.length) return undefined;
  const publicIds = new Set(models.map((m) => m.unique_id));
  // A public model that failed, was skipped, or failed one of its tests is not fit to publish.
  const blocking = outcome.results.filter((r) => {
    if (r.status !== 'error' && r.status !== 'fail' && r.status !== 'skipped') return false;
    const node = outcome.dag.nodes.get(r.unique_id);
    return publicIds.has(r.unique_id) || (node?.resource_type === 'test' && publicIds.has(node.attached_node ?? ''));
  });
  if (blocking.length) {
    return { published: false, reason: `${blocking.map((r) => r.unique_id).join(', ')} did not succeed; consumers keep the previous publication` };
  }
  const existing = await adapter.listRelations(outcome.parsed.target.database);
  const missing = models.filter((m) => !existing.has(`${m.schema}.${m.alias}`.toLowerCase()));
  if (missing.length) {
    return { published: false, reason: `public model${missing.length > 1 ? 's' : ''} ${missing.map((m) => m.name).join(', ')} ha${missing.length > 1 ? 've' : 's'} not been built yet (run mesh build without --select)` };
  }
  const verdict = gate ? await gate(outcome, adapter) : { ok: true as const };
  if (!verdict.ok) return { published: false, reason: verdict.reason, refused: { code: verdict.code, details: verdict.details, hint: verdict.hint } };
  const directory = publishedDir(outcome.targetDir);
  const product = loadDataProduct(outcome.parsed.root);
  const plan = planPublication(outcome.parsed.name, models, product, piiParamsFor(outcome.parsed.root, product));
  const rows = new Map<string, number>();
  // A server engine shares inside its database (views per grantee, read through the grantee's role);
  // an embedded one writes database files consumers attach.
  const inDatabase = adapter.capabilities.shares === 'schemas';
  // Pinned shares are new schemas per publication: the previous ones stay readable until this manifest
  // replaces theirs, and one publication longer for readers that resolved the old manifest.
  const version = adapter.capabilities.pinnedShares ? `_v${publicationVersion()}` : '';
  for (const db of [...(plan.open ? [plan.open] : []), ...plan.shares]) {
    let counts: number[];
    if (inDatabase && adapter.publishShare) {
      const consumer = 'consumer' in db ? (db as { consumer: string }).consumer : undefined;
      db.schema = `${shareSchema(outcome.parsed.name, consumer)}${version}`;
      if (adapter.capabilities.pinnedShares) db.catalog = outcome.parsed.target.database;
      counts = await adapter.publishShare(db.models.map((m) => m.relation), { schema: db.schema, grantee: consumer ?? EVERYONE_GRANTEE });
    } else {
      counts = await adapter.publish(db.models.map((m) => m.relation), join(directory, db.file));
    }
    db.models.forEach((m, i) => rows.set(m.node.unique_id, counts[i]!));
  }
  if (inDatabase) {
    const current = [...(plan.open?.schema ? [plan.open.schema] : []), ...plan.shares.map((s) => s.schema!)];
    await adapter.dropStaleShares?.(outcome.parsed.name, version ? [...current, ...previousShareSchemas(directory)] : current);
  }
  // Rows as built, for models no share holds too: the catalog shows them.
  const unshared = models.filter((n) => !rows.has(n.unique_id));
  if (unshared.length) {
    const session = await adapter.session();
    try {
      for (const m of unshared) {
        const relation = (outcome.manifest.nodes[m.unique_id] as { relation_name: string | null }).relation_name;
        rows.set(m.unique_id, Number((await session.query(`SELECT count(*) AS n FROM ${relation}`))[0]?.n ?? 0));
      }
    } finally {
      session.close();
    }
  }
  const files = adapter.capabilities.externalFiles ? publishExternalFiles(directory, plan) : undefined;
  const manifest = buildPublishedManifest(outcome.manifest, models, {
    release: packageVersion(outcome.parsed.root) ?? outcome.parsed.files.project.version,
    adapterType: adapter.type,
    rows,
    database: plan.open ? (plan.open.schema ? { schema: plan.open.schema, ...(plan.open.catalog ? { catalog: plan.open.catalog } : {}) } : { file: plan.open.file }) : undefined,
    access: product && !plan.open ? accessSection(product, plan) : undefined,
    files,
  });
  mkdirSync(directory, { recursive: true });
  for (const [file, text] of Object.entries(verdict.files ?? {})) {
    writeFileSync(join(directory, `${file}.tmp`), text);
    renameSync(join(directory, `${file}.tmp`), join(directory, file));
  }
  const path = join(directory, 'manifest.json');
  writeFileSync(`${path}.tmp`, JSON.stringify(manifest, null, 1));
  renameSync(`${path}.tmp`, path);
  removeStale(directory, plan);
  return {
    published: true,
    directory,
    models: models.map((m) => ({ unique_id: m.unique_id, rows: rows.get(m.unique_id) ?? 0 })),
    shares: plan.shares.map((s) => ({ consumer: s.consumer, models: s.models.length })),
  };
}

/** Sortable and valid in a schema name: the time of the publication to the millisecond. */
function publicationVersion(): string {
  return new Date().toISOString().replace(/[^0-9]/g, '');
}

/** The share schemas the publication now in place names (kept one publication longer). */
function previousShareSchemas(directory: string): string[] {
  const path = join(directory, 'manifest.json');
  if (!existsSync(path)) return [];
  try {
    const previous = publicationFacts(publishedManifestSchema.parse(JSON.parse(readFileSync(path, 'utf8'))));
    return [previous.database?.schema, ...Object.values(previous.access?.shares ?? {}).map((s) => s.schema)].filter((s): s is string => s !== undefined);
  } catch {
    return [];
  }
}

/**
 * Databases of an earlier publication this one no longer writes (a consumer whose grant was revoked, or
 * the open database of a product that now grants per consumer) are removed once the manifest that no
 * longer names them is in place: a revoked grant must not leave readable data behind.
 */
function removeStale(directory: string, plan: PublicationPlan): void {
  const keep = new Set([...(plan.open ? [plan.open.file] : []), ...plan.shares.map((s) => s.file)]);
  const candidates = [
    ...readdirSync(directory).filter((f) => f.endsWith('.duckdb')),
    ...(existsSync(join(directory, SHARES_DIR)) ? readdirSync(join(directory, SHARES_DIR)).filter((f) => f.endsWith('.duckdb')).map((f) => `${SHARES_DIR}/${f}`) : []),
  ];
  for (const file of candidates) if (!keep.has(file)) rmSync(join(directory, file), { force: true });
}
