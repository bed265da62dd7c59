export { PostgresAdapter, type PostgresAdapterOptions } from './postgres-adapter';
export { fromPgType, toPgType, consumerRole } from './dialect';
export { createTableDdl, mergeStatements } from './materialize-sql';
export { postgresEngine, postgresTargetSchema, postgresTarget, POSTGRES_CAPABILITIES, type PostgresTargetConfig } from './engine';
export { classifyPostgresError } from './classify-error';
