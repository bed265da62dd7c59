import { diffContracts, latestRelease, readRelease, type Contract, type ContractChange } from '@mesh/contract';
import { qualifiedName, type Adapter, type RunOutcome } from '@mesh/engine';
import { bumpBetween, findWorkspaceRoot, maxBump, packageJson, pendingRelease } from './changesets';
import { contractFromProject, publicModels, type ProductInfo } from './from-project';


export interface ReleaseGate {
  /** The contract the build's output fulfils, with the types the database reports. */
  contract: Contract;
  /** The released contract compared against, if any. */
  released?: string;
  /** Breaking differences from the released contract that no pending major changeset allows. */
  violations: ContractChange[];
}

/**
 * After a build, before publishing: the public models' real output (columns and types as the database
 * reports them) must still honour the last released contract, unless a major release is under way
 * (a pending major changeset, or a major version not released yet). Otherwise consumers would read
 * data that breaks the promise they pinned.
 */
export async function gateRelease(outcome: RunOutcome, adapter: Adapter, product?: ProductInfo): Promise<ReleaseGate> {
  const root = outcome.parsed.root;
  const pkg = packageJson(root);
  const actualTypes = new Map<string, Array<{ name: string; type: string }>>();
  const session = await adapter.session();
  try {
    for (const m of publicModels(outcome)) {
      const relation = qualifiedName({ database: m.database, schema: m.schema, identifier: m.alias }, outcome.parsed.target);
      actualTypes.set(m.unique_id, await session.describe(`select * from ${relation}`));
    }
  } finally {
    session.close();
  }
  const contract = contractFromProject(outcome, { version: pkg.version, product, actualTypes });
  const base = latestRelease(root, pkg.version);
  if (!base) return { contract, violations: [] };
  const breaking = diffContracts(readRelease(base), contract).filter((c) => c.breaking);
  if (!breaking.length) return { contract, released: base.version, violations: [] };
  const workspace = findWorkspaceRoot(root);
  const pending = workspace ? (await pendingRelease(workspace, pkg.name)).bump : 'none';
  const allowed = maxBump(pending, bumpBetween(base.version, pkg.version));
  return { contract, released: base.version, violations: allowed === 'major' ? [] : breaking };
}
