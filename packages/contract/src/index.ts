export {
  contractSchema,
  LOGICAL_TYPES,
  CONTRACT_STATUSES,
  QUALITY_METRICS,
  type Contract,
  type ContractModel,
  type ContractProperty,
  type ContractRole,
  type ContractServer,
  type ContractStatus,
  type LogicalType,
  type QualityMetric,
  type QualityRule,
  type Relationship,
  type SlaProperty,
} from './schema';
export { decodeContract, encodeContract, odcsFileSchema, schemaObjectName, ODCS_API_VERSION, type OdcsFile } from './odcs';
export { legacyContractSchema, upgradeLegacy, LEGACY_API_VERSION } from './legacy';
export { normalizeType, logicalTypeOf } from './types';
export { contractForm, parseContract, readContract } from './parse';
export { stringifyContract } from './stringify';
export { consumerTargets, type ConsumerTarget } from './targets';
export { diffContracts, type DiffOptions } from './diff';
export { requiredBump, formatChanges, type ChangeKind, type ContractChange } from './changes';
export { rowSchema, contractSchemas, type RowSchema } from './row-schema';
export { generateTypeScript } from './codegen';
export { CONTRACTS_DIR, latestRelease, listReleases, migrateRelease, readRelease, releasePath, releaseSatisfying, writeRelease, type MigrationOutcome, type Release, type ReleaseOutcome } from './releases';
