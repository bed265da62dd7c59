export { MetadataStore, type IngestedFile, type NodeRecord, type RunDetail, type RunRecord, type RunSummary, type SloMeasurement, type SloStatus, type StoredSlo } from './store';
export { metadataPath, METADATA_DIR } from './location';
export { acquireProjectLock, lockPath, type LockHolder, type LockOptions, type ProjectLock } from './project-lock';
