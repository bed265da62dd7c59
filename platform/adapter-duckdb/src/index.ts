export { DuckDBAdapter, hmacSql, ioError, type DuckDBAdapterOptions } from './duckdb-adapter';
export { materializeStatements } from './materialize-sql';
export { duckdbDialect } from './macro-dialect';
export { planSeed, seedError, type SeedLoad } from './seed';
export { duckdbEngine, duckdbTargetSchema, DUCKDB_CAPABILITIES, type DuckDBTargetOptions } from './engine';
export { readFileSql } from './read-file';
export { classifyDuckDBError } from './classify-error';
export { ingestReaderSql } from './ingest-reader';
export { parseSqlTrees } from './parse-sql';
// Serving published files (mesh serve): a pool of read-only databases, one per publication, and result readers.
export { Databases, Session, RetiredVersionError, type DatabaseSettings } from './serve/databases';
export { readPage, readByKey, type PageRows } from './serve/page-reader';
export type { DuckDBConnection } from '@duckdb/node-api';
export { CsvConverter } from './csv-to-parquet';
export { writeDatabaseFile, type DatabaseFileTables } from './write-database-file';
