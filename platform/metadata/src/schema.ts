/**
 * The metadata database's tables, as numbered migrations. A database records the migrations it has run,
 * so an older file is brought forward on open and a newer one (from a later platform) is refused rather
 * than written to with the wrong shape.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE runs (
     run_id VARCHAR PRIMARY KEY,
     project VARCHAR NOT NULL,
     command VARCHAR NOT NULL,
     started_at TIMESTAMPTZ NOT NULL,
     finished_at TIMESTAMPTZ NOT NULL,
     status VARCHAR NOT NULL,
     elapsed_s DOUBLE NOT NULL
   );
   CREATE TABLE node_results (
     run_id VARCHAR NOT NULL,
     unique_id VARCHAR NOT NULL,
     resource_type VARCHAR NOT NULL,
     status VARCHAR NOT NULL,
     rows_affected BIGINT,
     elapsed_s DOUBLE NOT NULL,
     finished_at TIMESTAMPTZ NOT NULL,
     message VARCHAR
   );
   CREATE TABLE slo_results (
     run_id VARCHAR NOT NULL,
     project VARCHAR NOT NULL,
     measured_at TIMESTAMPTZ NOT NULL,
     slo VARCHAR NOT NULL,
     model VARCHAR NOT NULL,
     column_name VARCHAR,
     measured DOUBLE,
     objective VARCHAR NOT NULL,
     status VARCHAR NOT NULL,
     message VARCHAR NOT NULL
   );`,
];
