import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { failpoint, statesDigest, unfitToPublish, type Adapter, type ColumnInfo, type ModelNode, type PublishOptions, type RunOutcome, type UnfitReason } from '@mesh/engine';
import { loadDataProduct, maskingKey, maskingOf, piiParamsFor } from '@mesh/governance';
import { parseContract, stringifyContract } from '@mesh/contract';
import { accessSection, consumerRoles, dataFile, planPublication, publishedNodes, shareSchema, type PlannedDatabase } from './publication-plan';
import { collectGarbage, MANIFEST_FILE, StagedVersion, versionPath } from './publication-store';
import { buildPublishedManifest, parsePublishedManifest, publicationFacts, type PublicationFacts } from './published-manifest';

/** The grantee of a publication every domain may read. */
const EVERYONE_GRANTEE = '*';

/** The contract of a publication, in its version folder (written by the contract gate of `mesh build`). */
export const CONTRACT_FILE = 'contract.odcs.yaml';
import { publishExternalFiles } from './external-files';

export const PUBLISHED_DIR = 'published';

export type PublishResult =
  | {
      published: true;
      /** The version folder now current. */
      version: string;
      /** True when the build held exactly what was already published: nothing was written. */
      current: boolean;
      directory: string;
      models: Array<{ unique_id: string; rows: number }>;
      shares: Array<{ consumer: string; models: number }>;
      /** Personal columns that declare no masking, so consumers without clearance receive them as NULL. */
      nulledByDefault: Array<{ model: string; column: string }>;
    }
  /** Nothing was written; consumers keep the previous publication. `refused` when the gate said no. */
  | { published: false; reason: string; refused?: { code: string; details?: string; hint?: string }; unfit?: UnfitReason[] };

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

function describeUnfit(outcome: RunOutcome, unfit: UnfitReason[]): string {
  const name = (id: string) => outcome.dag.nodes.get(id)?.name ?? id;
  const shown = unfit.slice(0, 3).map((u) => `${name(u.node)} ${u.reason}`);
  return `${shown.join('; ')}${unfit.length > 3 ? `; and ${unfit.length - 3} more` : ''}`;
}

/** The share schemas a publication inside a database names. */
function schemasOf(facts: PublicationFacts): string[] {
  return [...(facts.database?.schema ? [facts.database.schema] : []), ...Object.values(facts.access?.shares ?? {}).flatMap((s) => (s.schema ? [s.schema] : []))];
}

/** The current publication's state digest, if one is published in this layout. */
function currentState(directory: string): { state: string; facts: PublicationFacts } | undefined {
  try {
    const facts = publicationFacts(parsePublishedManifest(readFileSync(join(directory, MANIFEST_FILE), 'utf8'), directory));
    return facts.publication ? { state: facts.publication.state, facts } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What consumers are told of the project's models, for the state digest: the public models as the
 * manifest has them (versions, columns, contracts) and the others by name, access and group.
 */
function nodesDigest(outcome: RunOutcome, models: ModelNode[]): unknown {
  const restricted = [...outcome.dag.nodes.values()]
    .filter((n): n is ModelNode => n.resource_type === 'model' && !n.external && n.package_name === outcome.parsed.name && n.config.access !== 'public')
    .map((n) => [n.unique_id, n.config.access ?? null, n.config.group ?? null, n.version ?? null]);
  // Without created_at, which is the time of the compile, not a fact about the model.
  const entries = models.map((m) => ({ ...outcome.manifest.nodes[m.unique_id], created_at: undefined }));
  return [entries, restricted];
}

/**
 * Publishes the project's public models as one new version: each database of the plan (one for
 * everyone, or one per grantee: copies, or views over data files written once) written into a staging
 * folder with personal data masked, the contract
 * beside them, the folder renamed into place and a manifest naming it renamed over the last one. Only a
 * state the build journal vouches for is published: every public model and its ancestors built from
 * each other as they are now, and every test on them passed on that data. Otherwise nothing is
 * written and consumers keep reading the last good publication.
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
  const ids = models.map((m) => m.unique_id);
  const unfit = unfitToPublish(outcome.dag, outcome.buildState, outcome.externalState, ids);
  if (unfit.length) {
    return {
      published: false,
      unfit,
      reason: `the database does not hold a state that was built and tested together: ${describeUnfit(outcome, unfit)}. Run mesh build (without --select), or mesh test after mesh run, to build and test it; consumers keep the previous publication`,
    };
  }
  const verdict = gate ? await gate(outcome, adapter) : { ok: true as const };
  if (!verdict.ok) return { published: false, reason: verdict.reason, refused: { code: verdict.code, details: verdict.details, hint: verdict.hint } };
  const directory = publishedDir(outcome.targetDir);
  const product = loadDataProduct(outcome.parsed.root);
  const plan = planPublication(outcome.parsed.name, models, product, piiParamsFor(outcome.parsed.root, product));
  const databases = [...(plan.open ? [plan.open] : []), ...plan.shares];
  const nulledByDefault = undeclaredMasking(databases.flatMap((db) => db.models));
  const hashes = databases.some((db) => db.models.some((m) => m.relation.masks?.some((k) => k.method === 'hash')));
  const key = hashes ? maskingKey(outcome.parsed.root, outcome.parsed.name) : undefined;
  // A server engine shares inside its database (a schema of copies per grantee, read through the
  // grantee's role); an embedded one writes database files consumers attach.
  const inDatabase = adapter.capabilities.shares === 'schemas';
  // Shares of views: each distinct model and treatment written once, every grantee's database views over it.
  const asViews = adapter.capabilities.shares === 'views' && !plan.open;
  for (const db of inDatabase ? databases : []) {
    db.schema = shareSchema(outcome.parsed.name, 'consumer' in db ? (db as { consumer: string }).consumer : undefined);
    // On an engine with a catalog per domain (Trino), the share schema lies in the producer's catalog.
    if (outcome.parsed.target.relations === 'catalog') db.catalog = outcome.parsed.target.database;
  }
  const projectVersion = packageVersion(outcome.parsed.root) ?? outcome.parsed.files.project.version;
  // The published contract says what each consumer receives: its models and how their personal columns reach it.
  const files = { ...(verdict.files ?? {}) };
  if (files[CONTRACT_FILE] !== undefined) {
    files[CONTRACT_FILE] = stringifyContract({ ...parseContract(CONTRACT_FILE, files[CONTRACT_FILE]), roles: consumerRoles(plan) });
  }
  // Same data, same grants, same key, same contract: the publication in place already is this one.
  const state = createHash('sha256').update(JSON.stringify([
    statesDigest(outcome.dag, outcome.buildState, outcome.externalState, ids),
    projectVersion, adapter.type, adapter.capabilities.shares, key?.id ?? null, files, nodesDigest(outcome, models),
    databases.map((db) => [db.file, db.schema ?? null, db.models.map((m) => [m.node.unique_id, m.pii, m.port ?? null, m.relation])]),
    product ? accessSection(product, plan) : null,
  ])).digest('hex');
  const now = currentState(directory);
  if (now?.state === state && now.facts.publication) {
    return {
      published: true, current: true, version: now.facts.publication.id, directory,
      models: models.map((m) => ({ unique_id: m.unique_id, rows: now.facts.rows[m.unique_id] ?? 0 })),
      shares: plan.shares.map((s) => ({ consumer: s.consumer, models: s.models.length })),
      nulledByDefault,
    };
  }

  // What a killed publication left behind, and versions nobody reads any more, go before the new one is
  // written: on a nearly full disk the space they hold is the space the new version needs.
  if (now?.facts.publication) collectGarbage(directory, now.facts.publication.id);
  const staged = new StagedVersion(directory);
  // Inside a database the version is in the schemas' names: consumers read those the current manifest names.
  if (inDatabase) for (const db of databases) db.schema = `${db.schema}_v${staged.id.replace(/[^0-9]/g, '')}`;
  const previousSchemas = now ? schemasOf(now.facts) : [];
  try {
    const rows = new Map<string, number>();
    if (asViews) await publishViewShares(outcome.parsed.name, plan.shares, adapter, staged, { maskingKey: key?.key }, rows);
    for (const db of asViews ? [] : databases) {
      const counts = inDatabase && adapter.publishShare
        ? await adapter.publishShare(db.models.map((m) => m.relation), { schema: db.schema!, grantee: 'consumer' in db ? (db as { consumer: string }).consumer : EVERYONE_GRANTEE }, { maskingKey: key?.key })
        : await adapter.publish(db.models.map((m) => m.relation), staged.path(db.file), { maskingKey: key?.key });
      db.models.forEach((m, i) => rows.set(m.node.unique_id, counts[i]!));
      failpoint(`publish:wrote:${db.file}`);
    }

    // Rows as built, for models no share holds too: the catalog shows them.
    const unshared = models.filter((n) => !rows.has(n.unique_id));
    if (unshared.length) {
      const session = await adapter.session();
      try {
        for (const m of unshared) {
          const relation = (outcome.manifest.nodes[m.unique_id] as { relation_name: string }).relation_name;
          rows.set(m.unique_id, Number((await session.query(`SELECT count(*) AS n FROM ${relation}`))[0]?.n ?? 0));
        }
      } finally {
        session.close();
      }
    }
    for (const [file, text] of Object.entries(files)) staged.writeFile(file, text);
    // The files of public external models travel in the version too, for readers of files rather than databases.
    const externalFiles = adapter.capabilities.externalFiles ? publishExternalFiles(staged, plan) : undefined;
    // The manifest names every file inside the new version's folder.
    const located = {
      ...plan,
      open: plan.open && { ...plan.open, file: staged.published(plan.open.file) },
      shares: plan.shares.map((s) => ({ ...s, file: staged.published(s.file), ...(s.data ? { data: s.data.map((f) => staged.published(f)) } : {}) })),
    };
    const manifest = buildPublishedManifest(outcome.manifest, models, {
      release: projectVersion,
      publication: {
        id: staged.id,
        dir: versionPath(staged.id),
        ...(files[CONTRACT_FILE] !== undefined ? { contract: staged.published(CONTRACT_FILE) } : {}),
        files: staged.files(),
        state,
        ...(key ? { masking: { method: 'hmac-sha256', key_id: key.id } } : {}),
      },
      adapterType: adapter.type,
      rows,
      database: located.open ? (located.open.schema ? { schema: located.open.schema, ...(located.open.catalog ? { catalog: located.open.catalog } : {}) } : { file: located.open.file }) : undefined,
      access: product && !plan.open ? accessSection(product, located) : undefined,
      files: externalFiles,
    });
    failpoint('publish:staged');
    staged.commit(JSON.stringify(manifest, null, 1));
    failpoint('publish:committed');
  } catch (error) {
    staged.abandon();
    throw error;
  }
  collectGarbage(directory, staged.id, { keepFiles: new Set(databases.map((db) => db.file)) });
  // The current version's schemas and the previous one's stay; older ones and orphans of killed publications go.
  if (inDatabase) await adapter.dropStaleShares?.(outcome.parsed.name, [...databases.map((db) => db.schema!), ...previousSchemas]);
  const published = currentState(directory)!.facts;
  return {
    published: true,
    current: false,
    version: staged.id,
    directory,
    models: models.map((m) => ({ unique_id: m.unique_id, rows: published.rows[m.unique_id] ?? 0 })),
    shares: plan.shares.map((s) => ({ consumer: s.consumer, models: s.models.length })),
    nulledByDefault,
  };
}

/**
 * Writes the shares of a restricted product as views: every model in every treatment some grantee
 * receives goes once into a Parquet file of the version (masked or trimmed on the way, so the file
 * holds only what its grantees may read), then each grantee's database is made of views over the files
 * granted to it, by paths relative to the version folder. What a publication writes grows with the
 * data and the distinct treatments, not with the number of grantees.
 */
async function publishViewShares(
  project: string, shares: Array<PlannedDatabase & { consumer: string }>, adapter: Adapter, staged: StagedVersion, options: PublishOptions, rows: Map<string, number>,
): Promise<void> {
  const written = new Map<string, ColumnInfo[]>();
  for (const db of shares) {
    db.data = [];
    for (const m of db.models) {
      const file = dataFile(project, m);
      db.data.push(file);
      if (written.has(file)) continue;
      const { rows: count, columns } = await adapter.publishFile!(m.relation, staged.path(file), options);
      written.set(file, columns);
      rows.set(m.node.unique_id, count);
      failpoint(`publish:wrote:${file}`);
    }
  }
  for (const db of shares) {
    const views = db.models.map((m, i) => ({ schema: m.relation.schema, identifier: m.relation.identifier, file: db.data![i]!, columns: written.get(db.data![i]!)! }));
    await adapter.publishViews!(views, staged.path(db.file), staged.path(''));
    failpoint(`publish:wrote:${db.file}`);
  }
}

/**
 * Personal columns (by tag, classification or name) that say nothing of their masking: they are
 * published as NULL, the safe default, and the build says so, since a consumer would otherwise find
 * empty names and e-mails with no word of why.
 */
function undeclaredMasking(planned: Array<{ node: ModelNode; relation: { masks?: Array<{ column: string; method: string }> } }>): Array<{ model: string; column: string }> {
  const out = new Map<string, { model: string; column: string }>();
  for (const m of planned) {
    for (const mask of m.relation.masks ?? []) {
      const column = m.node.columns.find((c) => c.name === mask.column);
      if (mask.method === 'null' && column && maskingOf(column) === undefined) out.set(`${m.node.name}.${mask.column}`, { model: m.node.name, column: mask.column });
    }
  }
  return [...out.values()];
}
