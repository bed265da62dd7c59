export { DuckDBAdapter, hmacSql, ioError, type DuckDBAdapterOptions } from './duckdb-adapter';
export { materializeStatements } from './materialize-sql';
export { planSeed, seedError, type SeedLoad } from './seed';
export { duckdbEngine, duckdbTargetSchema, DUCKDB_CAPABILITIES, type DuckDBTargetOptions } from './engine';
export { readFileSql } from './read-file';
export { classifyDuckDBError } from './classify-error';
export { ingestReaderSql } from './ingest-reader';
