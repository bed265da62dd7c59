import { join } from 'node:path';
import { schemaObjectName, type Contract } from '@mesh/contract';
import type { Adapter, RunOutcome } from '@mesh/engine';
import { loadDataProduct, maskingKey, piiParamsFor } from '@mesh/governance';
import { planPublication } from '@mesh/loom';
import { publicModels } from './from-project';
import { contractDataFile } from './servers';

/**
 * The data a contract's `servers` name: every public model as it was published, personal columns
 * masked as for every consumer, a table per schema object in `target/contract-data/<domain>.duckdb`.
 * It is where `datacontract test` checks the contract, from the domain's folder: in one schema, as
 * ODCS tools look for a contract's tables. Consumers read their own shares; this copy is the
 * producer's, beside its database, and is served to nobody.
 */

/** Writes the contract's data from the built models, replacing the previous file at once. */
export async function exportContractData(outcome: RunOutcome, adapter: Adapter, contract: Contract): Promise<{ path: string; tables: Array<{ name: string; rows: number }> } | undefined> {
  if (!adapter.capabilities.tableExport) return undefined;
  const root = outcome.parsed.root;
  const models = publicModels(outcome);
  const product = loadDataProduct(root);
  // Masked as in a publication open to everyone: the strictest treatment a consumer gets.
  const planned = planPublication(outcome.parsed.name, models, undefined, piiParamsFor(root, product)).open!.models;
  const tables = contract.schema.flatMap((entry) => {
    const model = planned.find((p) => p.node.name === entry.name && (p.node.version ?? null) === entry.version);
    return model ? [{ relation: model.relation, name: schemaObjectName(entry) }] : [];
  });
  const path = join(root, contractDataFile(outcome.parsed));
  // Hashed with the producer's key, as consumers receive the columns.
  const hashes = tables.some((t) => t.relation.masks?.some((m) => m.method === 'hash'));
  const rows = await adapter.exportTables(tables, path, hashes ? { maskingKey: maskingKey(root, outcome.parsed.name).key } : undefined);
  return { path, tables: tables.map((t, i) => ({ name: t.name, rows: rows[i] ?? 0 })) };
}
