import { existsSync } from 'node:fs';
import { resolveVersion } from '@mesh/model-versions';
import { relative } from 'node:path';
import { normalizeType, type Contract, type ContractModel } from '@mesh/contract';
import { MeshError } from '@mesh/errors';
import { quoteIdent, type Adapter, type AdapterSession, type CompiledProject, type ModelNode, type RefCall } from '@mesh/engine';

/** Something a consumer's model needs that an upstream contract no longer offers. */
export interface UsageProblem {
  /** The consumer project and model. */
  consumer: string;
  /** The consumer model's unique id, name and file. */
  model: string;
  name: string;
  file: string;
  upstream: string;
  /** The upstream model as the consumer refs it: `products` or `products v1`. */
  target: string;
  kind: 'model_missing' | 'column_missing' | 'does_not_bind' | 'output_type_changed';
  columns: string[];
  message: string;
}

/** A scratch database that can add an empty catalog to shape an upstream's tables in (DuckDB's in-memory one). */
export type ScratchDatabase = Adapter & { attachEmpty(name: string): Promise<void> };
export type OpenScratchDatabase = () => Promise<ScratchDatabase>;

/** The contract entry a ref resolves to, as the engine resolves refs: a pinned version, else the latest. */
export function resolveInContract(contract: Contract, ref: Pick<RefCall, 'name' | 'version'>): ContractModel | undefined {
  return resolveVersion(contract.schema.filter((m) => m.name === ref.name), ref.version, (m) => m);
}

function resolveInProject(project: CompiledProject, upstream: string, ref: RefCall): ModelNode | undefined {
  const candidates = [...project.dag.nodes.values()].filter(
    (n): n is ModelNode => n.resource_type === 'model' && !!n.external && n.package_name === upstream && n.name === ref.name,
  );
  return resolveVersion(candidates, ref.version, (n) => ({ version: n.version, latestVersion: n.latest_version }));
}

const describeTarget = (ref: RefCall) => `${ref.name}${ref.version ? ` v${ref.version}` : ''}`;

/** The column a binder error says is missing, in DuckDB's two wordings. */
function missingColumnOf(message: string): string | undefined {
  return /Referenced column "([^"]+)" not found/.exec(message)?.[1] ?? /does not have a column named "([^"]+)"/.exec(message)?.[1];
}

interface ShapedTable {
  relation: string;
  entry: ContractModel;
  /** Columns the consumer compiled against (the publication it built with), for types of columns put back. */
  previous: Map<string, string>;
}

function tableDdl(table: ShapedTable, extra: string[]): string {
  const cols = table.entry.properties.map((p) => `${quoteIdent(p.name)} ${p.physicalType ?? 'VARCHAR'}`);
  for (const name of extra) cols.push(`${quoteIdent(name)} ${table.previous.get(name.toLowerCase()) ?? 'VARCHAR'}`);
  return `CREATE OR REPLACE TABLE ${table.relation} (${cols.join(', ')})`;
}

/**
 * Checks, with the database's own binder, that the consumer's models still compile against a contract of
 * one of its upstreams: each model that refs the upstream is described against empty tables shaped as
 * the contract says, with the consumer's own relations and other upstreams attached as they are. A
 * column the binder cannot find is put back and the model bound again, so every missing column is named.
 */
export async function checkUsage(consumer: CompiledProject, upstream: string, contract: Contract, open: OpenScratchDatabase, label = `${upstream} ${contract.version}`): Promise<UsageProblem[]> {
  const dbPath = consumer.parsed.target.path;
  if (!existsSync(dbPath)) {
    throw new MeshError('E_CONSUMER_NOT_BUILT', `${consumer.parsed.name} has not been built, so its use of ${upstream} cannot be checked`, {
      hint: `Run mesh build in ${relative(process.cwd(), consumer.parsed.root) || '.'} first.`,
    });
  }
  const users = [...consumer.dag.nodes.values()].filter(
    (n): n is ModelNode => n.resource_type === 'model' && !n.external && n.package_name === consumer.parsed.name && n.refs.some((r) => r.project === upstream),
  );
  if (!users.length) return [];
  const problems: UsageProblem[] = [];
  const adapter = await open();
  try {
    await adapter.attach(consumer.parsed.target.database, dbPath);
    for (const u of consumer.upstreams) {
      if (u.name !== upstream && u.database) await adapter.attach(u.name, u.database.path, { files: u.database.files });
    }
    await adapter.attachEmpty(upstream);
    const session = await adapter.session();
    try {
      for (const model of users) problems.push(...(await checkModel(session, consumer, model, upstream, contract, label)));
    } finally {
      session.close();
    }
  } finally {
    await adapter.close();
  }
  return problems;
}

async function checkModel(session: AdapterSession, consumer: CompiledProject, model: ModelNode, upstream: string, contract: Contract, label: string): Promise<UsageProblem[]> {
  const base = { consumer: consumer.parsed.name, model: model.unique_id, name: model.name, file: model.original_file_path, upstream };
  const problems: UsageProblem[] = [];
  const shaped: ShapedTable[] = [];
  for (const ref of model.refs.filter((r) => r.project === upstream)) {
    const node = resolveInProject(consumer, upstream, ref);
    const entry = resolveInContract(contract, ref);
    if (!node) continue;
    if (!entry) {
      problems.push({ ...base, target: describeTarget(ref), kind: 'model_missing', columns: [], message: `refs ${upstream}.${describeTarget(ref)}, which ${label} no longer offers` });
      continue;
    }
    const relation = `${quoteIdent(upstream)}.${quoteIdent(node.schema)}.${quoteIdent(node.alias)}`;
    if (shaped.some((s) => s.relation === relation)) continue;
    shaped.push({ relation, entry, previous: new Map(node.columns.map((c) => [c.name.toLowerCase(), c.data_type ?? 'VARCHAR'])) });
  }
  const sql = consumer.compiled.get(model.unique_id)?.sql;
  if (problems.length || !shaped.length || !sql) return problems;
  const schemas = new Set(shaped.map((s) => s.relation.split('.').slice(0, 2).join('.')));
  for (const schema of schemas) await session.execute(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  const putBack = new Map<ShapedTable, string[]>(shaped.map((s) => [s, []]));
  const missing: string[] = [];
  for (let attempt = 0; attempt < 50; attempt++) {
    for (const table of shaped) await session.execute(tableDdl(table, putBack.get(table)!));
    try {
      const output = await session.describe(sql);
      if (missing.length) {
        problems.push({ ...base, target: shaped.map((s) => s.entry.version ? `${s.entry.name} v${s.entry.version}` : s.entry.name).join(', '), kind: 'column_missing', columns: missing, message: `uses ${missing.join(', ')}, which ${label} no longer has` });
      } else if (model.config.contract.enforced) {
        problems.push(...outputTypeChanges(model, output, base, label));
      }
      return problems;
    } catch (error) {
      const message = (error as Error).message;
      const column = missingColumnOf(message);
      const owner = column ? shaped.find((s) => s.previous.has(column.toLowerCase()) && !s.entry.properties.some((p) => p.name.toLowerCase() === column.toLowerCase())) : undefined;
      if (!column || !owner || putBack.get(owner)!.includes(column)) {
        problems.push({ ...base, target: shaped.map((s) => s.entry.name).join(', '), kind: 'does_not_bind', columns: [], message: `does not compile against ${label}: ${message.split('\n')[0]}` });
        return problems;
      }
      missing.push(`${upstream}.${owner.entry.name}${owner.entry.version ? ` v${owner.entry.version}` : ''}.${column}`);
      putBack.get(owner)!.push(column);
    }
  }
  return problems;
}

/** A type change upstream can change the type of a consumer's own contracted column without any error. */
function outputTypeChanges(model: ModelNode, output: Array<{ name: string; type: string }>, base: Omit<UsageProblem, 'target' | 'kind' | 'columns' | 'message'>, label: string): UsageProblem[] {
  const actual = new Map(output.map((c) => [c.name.toLowerCase(), normalizeType(c.type)]));
  const changed = model.columns.filter((c) => c.data_type && actual.has(c.name.toLowerCase()) && actual.get(c.name.toLowerCase()) !== normalizeType(c.data_type));
  if (!changed.length) return [];
  return [{
    ...base, target: model.name, kind: 'output_type_changed', columns: changed.map((c) => c.name),
    message: `with ${label}, ${changed.map((c) => `${c.name} would be ${actual.get(c.name.toLowerCase())} instead of ${normalizeType(c.data_type!)}`).join('; ')}, breaking its own contract`,
  }];
}
