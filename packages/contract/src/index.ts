export {
  contractSchema,
  LOGICAL_TYPES,
  CONTRACT_STATUSES,
  type Contract,
  type ContractModel,
  type ContractProperty,
  type ContractRole,
  type ContractStatus,
  type LogicalType,
  type QualityRule,
  type SlaProperty,
} from './schema';
export { normalizeType, logicalTypeOf } from './types';
export { parseContract, readContract } from './parse';
export { stringifyContract } from './stringify';
export { consumerTargets, type ConsumerTarget } from './targets';
export { diffContracts, type DiffOptions } from './diff';
export { requiredBump, formatChanges, type ChangeKind, type ContractChange } from './changes';
export { rowSchema, contractSchemas, type RowSchema } from './row-schema';
export { generateTypeScript } from './codegen';
export { CONTRACTS_DIR, latestRelease, listReleases, readRelease, releasePath, releaseSatisfying, writeRelease, type Release, type ReleaseOutcome } from './releases';
