export { DuckDBAdapter, hmacSql, ioError, type DuckDBAdapterOptions } from './duckdb-adapter';
export { materializeStatements } from './materialize-sql';
export { planSeed, seedError, type SeedLoad } from './seed';
