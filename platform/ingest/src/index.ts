export { INGEST_FILE, loadIngestFile, parseIngestFile, targetOf, ingestFileSchema, sourceSchema, scheduleSchema, alertsSchema, type AlertsConfig, type CsvOptions, type DomainOperations, type IngestFile, type ScheduleConfig, type SourceConfig, type TargetTable } from './config';
export { ingest, type FileEvent, type FileOutcome, type IngestLedger, type IngestOptions, type IngestReport } from './ingest';
export { loadFile, LOADED_AT, SOURCE_FILE, type LoadFileInput, type LoadFileResult } from './load-file';
export { schemaDrift, fitsInto, describeChange, type ColumnChange } from './schema-drift';
export { discoverFiles, type SourceFile } from './discover-files';
export { fileChecksum } from './checksum';
export { expandEnv } from './expand-env';
