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
  // Runs that are not builds (ingest, schedule), runs that failed before any node ran, and runs started
  // by the scheduler, which point at the schedule run and the time the schedule was due.
  `ALTER TABLE runs ADD COLUMN message VARCHAR;
   ALTER TABLE runs ADD COLUMN trigger VARCHAR;
   ALTER TABLE runs ADD COLUMN parent_run_id VARCHAR;
   ALTER TABLE runs ADD COLUMN scheduled_for TIMESTAMPTZ;`,
  // One row per file an ingest source loaded: its content's checksum decides whether it is loaded again.
  `CREATE TABLE ingested_files (
     project VARCHAR NOT NULL,
     source VARCHAR NOT NULL,
     path VARCHAR NOT NULL,
     checksum VARCHAR NOT NULL,
     bytes BIGINT NOT NULL,
     rows_loaded BIGINT NOT NULL,
     target VARCHAR NOT NULL,
     run_id VARCHAR NOT NULL,
     loaded_at TIMESTAMPTZ NOT NULL,
     PRIMARY KEY (project, source, path)
   );`,
  // Files are identified by their path within the source's base folder (`file`), so a raw folder that
  // moves, or a variable pointing at it that changes, changes nothing; `path` only tells where a file was
  // read from. Which base folder an absolute path had depends on ingest.yml and the environment, which a
  // migration cannot see: the rows keyed by absolute path wait in ingested_files_legacy, and the next
  // ingest that meets each file re-keys it (and its rows' _source_file) and removes it from there.
  `ALTER TABLE ingested_files RENAME TO ingested_files_legacy;
   CREATE TABLE ingested_files (
     project VARCHAR NOT NULL,
     source VARCHAR NOT NULL,
     file VARCHAR NOT NULL,
     path VARCHAR NOT NULL,
     checksum VARCHAR NOT NULL,
     bytes BIGINT NOT NULL,
     rows_loaded BIGINT NOT NULL,
     target VARCHAR NOT NULL,
     run_id VARCHAR NOT NULL,
     loaded_at TIMESTAMPTZ NOT NULL,
     PRIMARY KEY (project, source, file)
   );`,
];
