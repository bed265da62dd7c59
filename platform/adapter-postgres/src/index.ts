export { PostgresAdapter, type PostgresAdapterOptions } from './postgres-adapter';
export { fromPgType, toPgType, consumerRole } from './dialect';
export { createTableDdl, mergeStatements } from './materialize-sql';
