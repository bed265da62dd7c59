import { formatChanges, stringifyContract, type Contract } from '@mesh/contract';
import { gateRelease } from '@mesh/contracts';
import type { Adapter, RunOutcome } from '@mesh/engine';
import type { PublishGate } from '@mesh/loom';
import { productInfo } from './product-info';

/**
 * Publishes only output that honours the released contract, and publishes the contract beside it. The
 * contract comes back too: what was published is exported where its servers say, for datacontract test.
 */
export async function contractGate(outcome: RunOutcome, adapter: Adapter): Promise<{ verdict: Awaited<ReturnType<PublishGate>>; contract: Contract }> {
  const gate = await gateRelease(outcome, adapter, productInfo(outcome.parsed.root));
  if (gate.violations.length) {
    return { contract: gate.contract, verdict: {
      ok: false,
      code: 'E_CONTRACT_BROKEN',
      reason: `its public models break the released contract ${gate.released}`,
      details: formatChanges(gate.violations),
      hint: 'Consumers pinned to this release would break. Restore what was removed or changed, keep the old shape as a model version (versions: in the model YAML), or add a major changeset (pnpm changeset) to release the change as a new major version.',
    } };
  }
  return { contract: gate.contract, verdict: { ok: true, files: { 'contract.odcs.yaml': stringifyContract(gate.contract) } } };
}
