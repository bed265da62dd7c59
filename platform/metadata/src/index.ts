export { MetadataStore, type IngestedFile, type IngestedFiles, type LegacyIngestedFile, type OpenOptions, type NodeRecord, type RunDetail, type RunRecord, type RunSummary, type SloMeasurement, type SloStatus, type StoredSlo, type TestResult } from './store';
export { metadataPath, METADATA_DIR } from './location';
/** The schema's migrations, for tests that build a database as an older version left it. */
export { MIGRATIONS } from './schema';
export { acquireProjectLock, lockPath, type LockHolder, type LockOptions, type ProjectLock } from './project-lock';
