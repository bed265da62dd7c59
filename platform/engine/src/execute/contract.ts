import { MeshError } from '@mesh/errors';
import type { ModelNode } from '../types';
import { formatTable } from '@mesh/text-table';
import type { AdapterSession, ColumnInfo, ContractColumn } from './adapter';

export interface ContractMismatch {
  column: string;
  contract: string;
  sql: string;
  problem: string;
}

/**
 * Checks an enforced contract before anything is built: each declared column must be typed, and the
 * names and types the SQL produces must match the declaration exactly (order aside).
 * Returns the columns with constraints for the table's DDL.
 */
export async function checkContract(node: ModelNode, produced: ColumnInfo[], session: AdapterSession): Promise<ContractColumn[]> {
  const file = node.patch_path ?? node.original_file_path;
  const untyped = node.columns.filter((c) => !c.data_type);
  if (!node.columns.length || untyped.length) {
    throw new MeshError('E_CONTRACT_INCOMPLETE', `model ${node.name} enforces a contract, but ${node.columns.length ? `column${untyped.length > 1 ? 's' : ''} ${untyped.map((c) => `'${c.name}'`).join(', ')} ha${untyped.length > 1 ? 've' : 's'} no data_type` : 'declares no columns'}`, {
      location: { file },
      node: node.unique_id,
      hint: 'An enforced contract names every column with its data_type in the model\'s YAML.',
    });
  }
  const declaredTypes = await session.canonicalTypes(node.columns.map((c) => c.data_type!));
  const producedByName = new Map(produced.map((c) => [c.name.toLowerCase(), c]));
  const declaredNames = new Set(node.columns.map((c) => c.name.toLowerCase()));
  const mismatches: ContractMismatch[] = [];
  node.columns.forEach((col, i) => {
    const got = producedByName.get(col.name.toLowerCase());
    const want = declaredTypes[i]!;
    if (!got) mismatches.push({ column: col.name, contract: want, sql: '(missing)', problem: 'in the contract, not produced by the SQL' });
    else if (got.type !== want) mismatches.push({ column: col.name, contract: want, sql: got.type, problem: 'type differs' });
  });
  for (const col of produced) {
    if (!declaredNames.has(col.name.toLowerCase())) {
      mismatches.push({ column: col.name, contract: '(missing)', sql: col.type, problem: 'produced by the SQL, not in the contract' });
    }
  }
  if (mismatches.length) {
    throw new MeshError('E_CONTRACT_MISMATCH', `model ${node.name}: the SQL does not match its enforced contract (${mismatches.length} column${mismatches.length > 1 ? 's' : ''})`, {
      location: { file },
      node: node.unique_id,
      details: formatTable(['column', 'contract type', 'SQL type', 'problem'], mismatches.map((m) => ({ column: m.column, 'contract type': m.contract, 'SQL type': m.sql, problem: m.problem })), { maxWidth: 60 }),
      hint: 'Cast the column in the SQL to the contract type (for example `cast(x as BIGINT) as x`), or change data_type in the YAML; a changed contract of a public model is a breaking change for its consumers.',
    });
  }
  return node.columns.map((col, i) => ({
    name: col.name,
    type: declaredTypes[i]!,
    notNull: col.constraints.some((k) => k.type === 'not_null'),
    unique: col.constraints.some((k) => k.type === 'unique'),
    primaryKey: col.constraints.some((k) => k.type === 'primary_key'),
    checks: col.constraints.filter((k) => k.type === 'check' && k.expression).map((k) => k.expression!),
  }));
}
