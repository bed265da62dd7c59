import { basename } from 'node:path';
import type { AdapterSession, ColumnInfo } from '@mesh/engine';
import { quoteIdent, quoteString } from '@mesh/engine';
import { MeshError, type SourceLocation } from '@mesh/errors';
import type { SourceConfig, TargetTable } from './config';
import { csvHeader, gist, isSnifferFailure, lineOfReaderError } from './parse-error';
import { readerSql } from './reader-sql';
import { describeChange, schemaDrift, type ColumnChange } from './schema-drift';

/** The columns every ingested row carries: when it was loaded, and from which file. */
export const LOADED_AT = '_loaded_at';
export const SOURCE_FILE = '_source_file';

export interface LoadFileInput {
  session: AdapterSession;
  source: SourceConfig;
  /** The file to read (absolute path). */
  file: string;
  /** What `_source_file` holds for its rows: its path within the source's base folder (the file itself when left out). */
  key?: string;
  /** Other values of `_source_file` this file's earlier rows may carry (the absolute paths older versions wrote), replaced too. */
  formerKeys?: string[];
  target: TargetTable;
  loadedAt: Date;
  /** The source's entry in ingest.yml, for errors about its configuration. */
  location?: SourceLocation;
}

export interface LoadFileResult {
  rows: number;
  /** Rows of an earlier load of the same file that this load replaced. */
  replacedRows: number;
  createdTable: boolean;
  /** Columns added to the table, and columns the file lacks (loaded as NULL), with add_columns. */
  schemaChanges: ColumnChange[];
}

/**
 * Loads one file into its target table in one transaction: all of its rows, or, when any line cannot
 * be read, none of them. Loading is idempotent per file: the file's earlier rows (same `_source_file`)
 * are deleted in the same transaction, so a changed file replaces its rows and a load repeated after a
 * crash (loaded, but not yet recorded as loaded) never duplicates them.
 */
export async function loadFile(input: LoadFileInput): Promise<LoadFileResult> {
  const { session, source, file, target } = input;
  const key = input.key ?? file;
  const reader = readerSql(source, file);
  let fileColumns: ColumnInfo[];
  try {
    fileColumns = await session.describe(`SELECT * FROM ${reader}`);
  } catch (error) {
    throw await readerError(input, error);
  }
  const reserved = fileColumns.filter((c) => c.name === LOADED_AT || c.name === SOURCE_FILE);
  if (reserved.length) {
    throw new MeshError('E_INGEST_RESERVED_COLUMN', `${file} has a column named ${reserved[0]!.name}, which ingestion adds itself`, {
      location: input.location,
      hint: 'Rename the column in the file, or load it with types: and a view that renames it.',
    });
  }
  const table = `${quoteIdent(target.schema)}.${quoteIdent(target.table)}`;
  const tableColumns = await existingColumns(session, target);
  const changes = tableColumns ? schemaDrift(tableColumns.filter((c) => c.name !== LOADED_AT && c.name !== SOURCE_FILE), fileColumns) : [];
  const refused = changes.filter((c) => c.kind === 'retyped' || source.on_schema_change === 'fail');
  if (refused.length) {
    const retyped = refused.some((c) => c.kind === 'retyped');
    throw new MeshError('E_INGEST_SCHEMA_DRIFT', `source '${source.name}': ${file} does not match ${target.key}: ${refused.map(describeChange).join('; ')}`, {
      location: input.location,
      details: refused.map((c) => `  ${c.kind.padEnd(8)} ${describeChange(c)}`).join('\n'),
      hint: retyped
        ? `A column's type changed in a way the table cannot hold. Fix the file, pin the type with types: {${refused.find((c) => c.kind === 'retyped')!.column}: <type>} on the source, or migrate the table.`
        : `Nothing of the file was loaded. If the change is intended, set on_schema_change: add_columns on source '${source.name}' (new columns are added, missing ones load as NULL).`,
    });
  }
  const loadedAt = `${quoteString(input.loadedAt.toISOString())}::TIMESTAMPTZ AS ${LOADED_AT}`;
  const select = `SELECT *, ${loadedAt}, ${quoteString(key)} AS ${SOURCE_FILE} FROM ${reader}`;
  const earlier = [...new Set([key, ...(input.formerKeys ?? [])])].map(quoteString).join(', ');
  await session.execute('BEGIN TRANSACTION');
  try {
    let rows: number;
    let replacedRows = 0;
    if (!tableColumns) {
      await session.execute(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(target.schema)}`);
      rows = await counted(session, `CREATE TABLE ${table} AS ${select}`);
    } else {
      for (const c of changes.filter((x) => x.kind === 'added')) {
        await session.execute(`ALTER TABLE ${table} ADD COLUMN ${quoteIdent(c.column)} ${c.fileType}`);
      }
      replacedRows = await counted(session, `DELETE FROM ${table} WHERE ${SOURCE_FILE} IN (${earlier})`);
      rows = await counted(session, `INSERT INTO ${table} BY NAME ${select}`);
    }
    await session.execute('COMMIT');
    return { rows, replacedRows, createdTable: !tableColumns, schemaChanges: changes };
  } catch (error) {
    await session.execute('ROLLBACK');
    // Worded after the rollback: finding the line may take another read, which an aborted transaction refuses.
    throw await readerError(input, error);
  }
}

/**
 * Gives rows loaded under another `_source_file` (an absolute path, as older versions wrote it) the file's
 * key, for a file that has not changed and so is not loaded again. Returns the rows re-keyed.
 */
export async function rekeyRows(session: AdapterSession, target: TargetTable, from: string, to: string): Promise<number> {
  if (!(await existingColumns(session, target))) return 0;
  const table = `${quoteIdent(target.schema)}.${quoteIdent(target.table)}`;
  return counted(session, `UPDATE ${table} SET ${SOURCE_FILE} = ${quoteString(to)} WHERE ${SOURCE_FILE} = ${quoteString(from)}`);
}

export async function tableExists(session: AdapterSession, target: TargetTable): Promise<boolean> {
  const found = await session.query(
    `SELECT 1 FROM information_schema.tables WHERE table_catalog = current_database() AND table_schema = ${quoteString(target.schema)} AND table_name = ${quoteString(target.table)}`,
  );
  return found.length > 0;
}

async function existingColumns(session: AdapterSession, target: TargetTable): Promise<ColumnInfo[] | undefined> {
  return (await tableExists(session, target)) ? session.describe(`SELECT * FROM ${quoteIdent(target.schema)}.${quoteIdent(target.table)}`) : undefined;
}

/** DuckDB answers CREATE TABLE AS, INSERT and DELETE with the number of rows they wrote. */
async function counted(session: AdapterSession, sql: string): Promise<number> {
  const result = await session.query(sql);
  return Number(result[0]?.Count ?? 0);
}

/** The reader's error as the user needs it: the file, the line, DuckDB's own words. */
async function readerError(input: LoadFileInput, error: unknown): Promise<MeshError> {
  const { session, source, file } = input;
  let message = error instanceof Error ? error.message : String(error);
  let line = lineOfReaderError(message);
  if (line === undefined && source.loader === 'csv' && isSnifferFailure(message)) {
    try {
      await session.query(`SELECT count(*) FROM ${readerSql(source, file, { columns: csvHeader(file, source) })}`);
    } catch (strict) {
      const strictMessage = strict instanceof Error ? strict.message : String(strict);
      line = lineOfReaderError(strictMessage);
      if (line !== undefined) message = strictMessage;
    }
  }
  return new MeshError('E_INGEST_PARSE', `source '${source.name}': cannot read ${basename(file)}${line === undefined ? '' : ` at line ${line}`}`, {
    location: { file, line },
    details: gist(message),
    hint: 'Nothing of this file was loaded and the files before it stay loaded. Fix the file (or the csv: options of the source) and ingest again.',
  });
}
