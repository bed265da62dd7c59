import { resolveVersion } from '@mesh/model-versions';
import type { Contract, ContractModel } from './schema';

/**
 * Something a consumer can ref: `ref('products')` (version null, the unpinned target) or
 * `ref('products', v=2)`. The unpinned target of a versioned model is its latestVersion entry.
 */
export interface ConsumerTarget {
  name: string;
  version: string | null;
  model: ContractModel;
}

/** The targets of a contract, each name's unpinned target first, in the contract's order. */
export function consumerTargets(contract: Contract): ConsumerTarget[] {
  const names = [...new Set(contract.schema.map((m) => m.name))];
  return names.flatMap((name) => {
    const entries = contract.schema.filter((m) => m.name === name);
    const unpinned = resolveVersion(entries, null, (m) => m);
    const pinned = entries.flatMap((m) => (m.version === null ? [] : [{ name, version: m.version, model: m }]));
    return [...(unpinned ? [{ name, version: null, model: unpinned }] : []), ...pinned];
  });
}

/** `products` or `products v2`, the way messages name a target. */
export function targetLabel(name: string, version: string | null): string {
  return version === null ? name : `${name} v${version}`;
}
