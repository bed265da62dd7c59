export { DuckDBAdapter, hmacSql, ioError, type DuckDBAdapterOptions } from './duckdb-adapter';
export { materializeStatements } from './materialize-sql';
export { duckdbDialect } from './macro-dialect';
export { planSeed, seedError, type SeedLoad } from './seed';
