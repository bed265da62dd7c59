export { MetadataStore, type RunRecord, type SloMeasurement, type SloStatus, type StoredSlo } from './store';
export { metadataPath, METADATA_DIR } from './location';
