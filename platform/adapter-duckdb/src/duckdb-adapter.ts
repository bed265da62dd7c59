import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { fileSystemError, fileSystemErrorFor, MeshError } from '@mesh/errors';
import {
  commented,
  type Adapter, type AdapterCapabilities, type AdapterSession, type ColumnInfo, type MaskMethod, type MaterializePlan, type MaterializeResult, type PublishOptions, type PublishRelation, type QueryComment, type QueryValue, type RelationFacts, type RelationKind, type RelationName, type ShareView, type SqlErrorPosition, type StatementAnswer,
} from '@mesh/engine';
import { BYTES_MEANING, columnsSql, loadedAtSql, relationsSql, statsSql } from './describe-sql';
import { lit, materializeStatements, q, rel, replaceTable } from './materialize-sql';
import { planSeed, seedError } from './seed';
import { materializeExternal, materializeSnapshot, type MaterializeSteps } from './materialize-files-and-history';
import { DUCKDB_CAPABILITIES } from './engine';

export interface DuckDBAdapterOptions {
  /** Database file; created with its folder when missing. ':memory:' for an in-memory database. */
  path: string;
  /** DuckDB settings (`threads`, `memory_limit`, ...) applied when the database opens. */
  settings?: Record<string, string | number | boolean>;
  /** Record every statement run (the build benchmark replays them). */
  logStatements?: boolean;
  readOnly?: boolean;
}

function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  return value;
}

/** DuckDB's errors carry the SQL position in the text; the caller adds the file and node. */
export function databaseError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The position of a DuckDB error in the statement it was raised for (see `errorPosition`). */
export function duckdbPosition(text: string, sql: string): SqlErrorPosition | undefined {
  const m = /LINE (\d+): (.*)\n( *)\^/.exec(text);
  if (!m) return undefined;
  const line = Number(m[1]);
  const prefix = `LINE ${m[1]}: `.length;
  const caret = m[3]!.length - prefix;
  const shown = m[2]!;
  const full = sql.split('\n')[line - 1];
  if (full === undefined) return { line };
  if (!shown.startsWith('...')) return { line, column: caret + 1 };
  // A window of a long line: find where it starts in the line itself.
  const window = shown.slice(3).replace(/\.\.\.$/, '');
  const at = full.indexOf(window);
  return at < 0 ? { line } : { line, column: at + (caret - 3) + 1 };
}

/** DuckDB's words for the file errors a user can fix, by the errno they stand for. */
const IO_ERRORS: Array<[RegExp, string]> = [
  [/No space left on device/i, 'ENOSPC'],
  [/Disk quota exceeded/i, 'EDQUOT'],
  [/Read-only file system/i, 'EROFS'],
  [/Operation not permitted/i, 'EPERM'],
  [/Permission denied/i, 'EACCES'],
];

/**
 * A file error met while DuckDB wrote a file (it reports them as `IO Error: ... No space left on
 * device`), as the typed file-system error; anything else unchanged.
 */
export function ioError(error: unknown, doing: string, path: string): unknown {
  if (error instanceof MeshError) return error;
  const fromNode = fileSystemError(error, doing, path);
  if (fromNode !== error) return fromNode;
  const text = databaseError(error);
  if (!/IO Error|Could not (write|open|create|truncate|sync)|Cannot open file/i.test(text)) return error;
  for (const [pattern, errno] of IO_ERRORS) if (pattern.test(text)) return fileSystemErrorFor(errno, doing, path, error);
  return error;
}

class DuckDBSession implements AdapterSession {
  queryComment: QueryComment | undefined;

  constructor(
    private readonly connection: DuckDBConnection,
    private readonly log: string[] | undefined,
    /** The database file, to name it in file errors. */
    private readonly path: string,
    /** Set for the adapter's own connection, which is lent rather than closed. */
    private readonly release?: () => void,
  ) {}

  async execute(sql: string): Promise<void> {
    sql = commented(sql, this.queryComment);
    this.log?.push(sql);
    await this.connection.run(sql);
  }

  async query(sql: string): Promise<Array<Record<string, unknown>>> {
    sql = commented(sql, this.queryComment);
    this.log?.push(sql);
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjectsJS().map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plain(v)])));
  }

  async describe(sql: string): Promise<ColumnInfo[]> {
    const reader = await this.connection.runAndReadAll(commented(`DESCRIBE (\n${sql}\n)`, this.queryComment));
    return reader.getRowObjectsJS().map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
  }

  async canonicalTypes(types: string[]): Promise<string[]> {
    if (!types.length) return [];
    const select = (list: string[]) => `DESCRIBE SELECT ${list.map((t, i) => `CAST(NULL AS ${t}) AS c${i}`).join(', ')}`;
    try {
      const reader = await this.connection.runAndReadAll(select(types));
      return reader.getRowObjectsJS().map((row) => String(row.column_type));
    } catch {
      for (const type of types) {
        try {
          await this.connection.runAndReadAll(select([type]));
        } catch (error) {
          throw new MeshError('E_TYPE_UNKNOWN', `'${type}' is not a DuckDB type`, {
            hint: 'Use a DuckDB type such as INTEGER, BIGINT, VARCHAR, DOUBLE, DECIMAL(18,2), DATE, TIMESTAMP or BOOLEAN.',
            details: databaseError(error).split('\n')[0],
          });
        }
      }
      throw new Error('unreachable: every type parsed alone');
    }
  }

  /**
   * DuckDB prints a failing position as `LINE n: <the line>` and a caret under the column, the line cut
   * to a window with `...` when it is long; the column is found again in the full line of `sql`.
   */
  async errorPosition(sql: string): Promise<SqlErrorPosition | undefined> {
    try {
      (await this.connection.prepare(sql)).destroySync();
      return undefined;
    } catch (error) {
      return duckdbPosition(databaseError(error), sql);
    }
  }

  async materialize(plan: MaterializePlan, existing: RelationKind | undefined): Promise<MaterializeResult> {
    if (plan.kind === 'snapshot') return materializeSnapshot(this.steps(), plan, existing);
    if (plan.kind === 'external') return materializeExternal(this.steps(), plan, existing);
    const { build, swap } = plan.kind === 'seed'
      ? replaceTable(plan.relation, existing, (await planSeed(this.connection, plan)).create)
      : materializeStatements(plan, existing);
    // Two round trips per model: open the transaction and build (the last statement reports the row
    // count), then swap and commit. Any failure rolls the whole transaction back.
    let rows: number | undefined;
    try {
      const c = (statements: string[]) => statements.map((sql) => commented(sql, this.queryComment)).join(';\n');
      if (build.length) {
        const sql = c(['BEGIN TRANSACTION', ...build]);
        this.log?.push(sql);
        const result = await this.connection.run(sql);
        const count = (await result.getRowObjectsJS())[0]?.Count;
        rows = count === undefined ? undefined : Number(count);
        await this.raw(c([...swap, 'COMMIT']));
      } else {
        await this.raw(c(['BEGIN TRANSACTION', ...swap, 'COMMIT']));
      }
    } catch (error) {
      await this.connection.run('ROLLBACK').catch(() => undefined);
      if (plan.kind === 'seed' && !(error instanceof MeshError)) throw await seedError(this.connection, plan, error);
      // A full disk or a target folder made read-only is the file system's doing, not the model's SQL.
      throw ioError(error, 'write the database', this.path);
    }
    return { rows };
  }

  async runStatement(sql: string, fetch: boolean): Promise<StatementAnswer> {
    sql = commented(sql, this.queryComment);
    this.log?.push(sql);
    if (!fetch) {
      const result = await this.connection.run(sql);
      return { columns: [], rows: [], rowsAffected: Number(result.rowsChanged) };
    }
    const reader = await this.connection.runAndReadAll(sql);
    const types = reader.columnTypes().map(String);
    const js = reader.getRowsJS();
    const json = reader.getRowsJson() as unknown[][];
    const rows = js.map((row, r) => row.map((value, c) => templateValue(value, json[r]![c], types[c]!)));
    return { columns: reader.columnNames().map((name, i) => ({ name, type: types[i]! })), rows };
  }

  /** DESCRIBE, as dbt-duckdb reads a relation's columns: in order, with DuckDB's type names. */
  async columnsOf(relation: RelationName): Promise<ColumnInfo[]> {
    const sql = commented(`DESCRIBE ${rel(relation)}`, this.queryComment);
    this.log?.push(sql);
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjectsJS().map((row) => ({ name: String(row.column_name), type: String(row.column_type) }));
  }

  async relationKind(relation: RelationName): Promise<RelationKind | undefined> {
    const match = `lower(database_name) = lower(${lit(relation.database)}) AND lower(schema_name) = lower(${lit(relation.schema)})`;
    const sql = `SELECT 'table' AS kind FROM duckdb_tables() WHERE ${match} AND lower(table_name) = lower(${lit(relation.identifier)})
      UNION ALL SELECT 'view' FROM duckdb_views() WHERE ${match} AND lower(view_name) = lower(${lit(relation.identifier)}) AND NOT internal`;
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjectsJS()[0]?.kind as RelationKind | undefined;
  }

  async relationsLike(database: string, schemaPattern: string, identifierPattern: string, exclude: string): Promise<Array<RelationName & { kind: RelationKind }>> {
    const where = (name: string) => `database_name = ${lit(database)} AND schema_name ILIKE ${lit(schemaPattern)} AND ${name} ILIKE ${lit(identifierPattern)}${exclude ? ` AND ${name} NOT ILIKE ${lit(exclude)}` : ''}`;
    const sql = `SELECT database_name, schema_name, table_name AS name, 'table' AS kind FROM duckdb_tables() WHERE ${where('table_name')} AND NOT temporary
      UNION ALL SELECT database_name, schema_name, view_name, 'view' FROM duckdb_views() WHERE ${where('view_name')} AND NOT internal AND NOT temporary
      ORDER BY 2, 3`;
    const reader = await this.connection.runAndReadAll(sql);
    return reader.getRowObjectsJS().map((row) => ({ database: String(row.database_name), schema: String(row.schema_name), identifier: String(row.name), kind: row.kind as RelationKind }));
  }

  /** Statements that carry their comments already. */
  private async raw(sql: string): Promise<void> {
    this.log?.push(sql);
    await this.connection.run(sql);
  }

  /** What the snapshot and external materializations need of a session: statements, counts, columns. */
  private steps(): MaterializeSteps {
    return {
      execute: (sql: string) => this.execute(sql),
      count: async (sql: string) => {
        sql = commented(sql, this.queryComment);
        this.log?.push(sql);
        const result = await this.connection.run(sql);
        return Number((await result.getRowObjectsJS())[0]?.Count ?? 0);
      },
      columns: (sql: string) => this.describe(sql),
      rollback: () => this.connection.run('ROLLBACK').then(() => undefined, () => undefined),
    };
  }

  close(): void {
    if (this.release) this.release();
    else this.connection.closeSync();
  }
}

/** A float as Python's repr() writes it: `45.0`, `0.1`, `1e-07`. */
function pythonFloat(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  const text = String(n).replace(/e([+-])(\d)$/, 'e$10$2');
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/**
 * A value of a statement's result as a template gets it: dates and timestamps tagged (templates see Python
 * dates and datetimes), decimals as numbers, big integers as numbers when they fit.
 */
function templateValue(value: unknown, json: unknown, type: string): QueryValue {
  if (value === null || value === undefined) return null;
  if (type === 'DATE') return { temporal: 'date', text: String(json) };
  if (type.startsWith('TIMESTAMP')) return { temporal: 'datetime', text: String(json) };
  if (type.startsWith('DECIMAL')) return { number: String(json) };
  if (type === 'DOUBLE' || type === 'FLOAT') return { number: pythonFloat(Number(value)) };
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value;
  if (value instanceof Date) return value.toISOString();
  return value as QueryValue;
}

export class DuckDBAdapter implements Adapter {
  readonly type = 'duckdb';
  readonly capabilities: AdapterCapabilities = DUCKDB_CAPABILITIES;
  readonly statementLog?: string[];
  private mainLent = false;
  /** The column types of the Parquet files `publishFile` wrote, by path, for the views over them. */
  private readonly storedTypes = new Map<string, ColumnInfo[]>();
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly main: DuckDBConnection,
    log: boolean,
    private readonly path: string,
  ) {
    if (log) this.statementLog = [];
  }

  static async open(options: DuckDBAdapterOptions): Promise<DuckDBAdapter> {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    const config: Record<string, string> = {};
    for (const [k, v] of Object.entries(options.settings ?? {})) config[k] = String(v);
    if (options.readOnly) config.access_mode = 'READ_ONLY';
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(options.path, config);
    } catch (error) {
      const io = ioError(error, 'open the database', options.path);
      if (io instanceof MeshError) throw io;
      const message = databaseError(error);
      const locked = /lock/i.test(message);
      throw new MeshError(locked ? 'E_DATABASE_LOCKED' : 'E_DATABASE_OPEN', `cannot open database ${options.path}: ${message.split('\n')[0]}`, {
        hint: locked ? 'Another process has the database open for writing; wait for it to finish.' : 'Check the target path and the settings in the project file.',
      });
    }
    const main = await instance.connect();
    return new DuckDBAdapter(instance, main, options.logStatements === true, options.path);
  }

  /**
   * The first session gets the adapter's own connection: every idle connection on an instance costs
   * DuckDB one to two milliseconds per commit, so a single-threaded build keeps exactly one.
   */
  async session(): Promise<AdapterSession> {
    if (!this.mainLent) {
      this.mainLent = true;
      return new DuckDBSession(this.main, this.statementLog, this.path, () => {
        this.mainLent = false;
      });
    }
    return new DuckDBSession(await this.instance.connect(), this.statementLog, this.path);
  }

  async listRelations(database: string): Promise<Map<string, RelationKind>> {
    const reader = await this.main.runAndReadAll(
      `SELECT schema_name, table_name, 'table' AS kind FROM duckdb_tables() WHERE database_name = ${`'${database.replaceAll("'", "''")}'`} AND NOT temporary
       UNION ALL SELECT schema_name, view_name, 'view' FROM duckdb_views() WHERE database_name = ${`'${database.replaceAll("'", "''")}'`} AND NOT internal AND NOT temporary`,
    );
    const out = new Map<string, RelationKind>();
    for (const row of reader.getRowObjectsJS()) {
      out.set(`${String(row.schema_name)}.${String(row.table_name)}`.toLowerCase(), row.kind as RelationKind);
    }
    return out;
  }

  async ensureSchemas(database: string, schemas: string[]): Promise<void> {
    for (const schema of new Set(schemas)) {
      const sql = `CREATE SCHEMA IF NOT EXISTS ${q(database)}.${q(schema)}`;
      this.statementLog?.push(sql);
      await this.main.run(sql);
    }
  }

  /** Adds an empty, writable in-memory catalog under a name: a stand-in for a database shaped by hand (contract checks). */
  async attachEmpty(name: string): Promise<void> {
    const sql = `ATTACH ':memory:' AS ${q(name)}`;
    this.statementLog?.push(sql);
    await this.main.run(sql);
  }

  async attach(name: string, path: string, options: { files?: string } = {}): Promise<void> {
    const sql = `ATTACH ${lit(path)} AS ${q(name)} (READ_ONLY)`;
    this.statementLog?.push(sql);
    try {
      if (options.files) await this.searchFilesIn(options.files);
      await this.main.run(sql);
    } catch (error) {
      throw new MeshError('E_UPSTREAM_DATABASE', `cannot open the published data of '${name}' at ${path}: ${databaseError(error).split('\n')[0]}`, {
        hint: `Build and publish '${name}' first (mesh build in its folder, or nx run-many -t build).`,
      });
    }
  }

  /**
   * Adds a folder to those DuckDB resolves relative file paths against, for every connection: the views
   * of a share name their data files relative to the publication's folder, so the publication can be
   * renamed, moved or downloaded and still read. The working folder stays first, as DuckDB searches it
   * before `file_search_path`; the data files' paths begin with the version's own folder, which no
   * project holds.
   */
  private async searchFilesIn(dir: string): Promise<void> {
    if (dir.includes(',')) {
      throw new MeshError('E_UPSTREAM_DATABASE', `cannot read the published files in ${dir}: DuckDB's file_search_path cannot hold a folder whose path has a comma`, {
        hint: 'Move the upstream project to a folder whose path has no comma.',
      });
    }
    const [row] = (await this.main.runAndReadAll(`SELECT current_setting('file_search_path') AS p`)).getRowObjectsJS();
    const folders = String(row?.p ?? '').split(',').filter(Boolean);
    if (folders.includes(dir)) return;
    const sql = `SET GLOBAL file_search_path = ${lit([...folders, dir].join(','))}`;
    this.statementLog?.push(sql);
    await this.main.run(sql);
  }

  /**
   * Writes one relation, masked and trimmed in SQL, to a Parquet file: written beside `destination`
   * and renamed onto it once complete. Zstd-compressed; DuckDB reads its row groups in parallel and
   * skips those whose statistics exclude a filter.
   */
  async publishFile(relation: PublishRelation, destination: string, options: PublishOptions = {}): Promise<{ rows: number; columns: ColumnInfo[] }> {
    return writeInPlace(destination, 'write the publication', async (tmp) => {
      const select = `SELECT *${excludeClause(relation.withheld)}${maskClause(relation.masks, options.maskingKey)} FROM ${rel(relation)}`;
      const columns = (await this.main.runAndReadAll(`DESCRIBE ${select}`)).getRowObjectsJS().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
      const result = await this.main.run(`COPY (${select}) TO ${lit(tmp)} (FORMAT parquet, COMPRESSION zstd)`);
      // The views over this file cast back what Parquet typed otherwise; every share's view needs the same.
      const stored = (await this.main.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${lit(tmp)})`)).getRowObjectsJS();
      this.storedTypes.set(destination, stored.map((r) => ({ name: String(r.column_name), type: String(r.column_type) })));
      return { rows: Number((await result.getRowObjectsJS())[0]?.Count ?? 0), columns };
    });
  }

  /**
   * Writes a database of views only, one per data file. Each view restores the column types Parquet
   * does not keep (ENUM, UNION, ...) with a cast, and leaves the others bare so filters and
   * projections reach the Parquet reader.
   */
  async publishViews(views: ShareView[], destination: string, root: string): Promise<void> {
    const alias = '__mesh_share';
    await writeInPlace(destination, 'write the publication', async (tmp) => {
      // Views are a few kilobytes: the smallest block DuckDB allows keeps the file near that, not 256 kB.
      await this.main.run(`ATTACH ${lit(tmp)} AS ${q(alias)} (BLOCK_SIZE 16384)`);
      // A view is bound as it is made: its relative paths resolve against the folder being written.
      await this.main.run(`SET file_search_path = ${lit(root)}`);
      try {
        for (const schema of new Set(views.map((v) => v.schema))) await this.main.run(`CREATE SCHEMA IF NOT EXISTS ${q(alias)}.${q(schema)}`);
        for (const v of views) {
          const path = join(root, v.file);
          const stored = this.storedTypes.get(path)
            ?? (await this.main.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${lit(path)})`)).getRowObjectsJS().map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
          const built = new Map(v.columns.map((c) => [c.name, c.type]));
          const select = stored.map(({ name, type: storedType }) => {
            const type = built.get(name);
            return type && type !== storedType ? `CAST(${q(name)} AS ${type}) AS ${q(name)}` : q(name);
          });
          await this.main.run(`CREATE VIEW ${q(alias)}.${q(v.schema)}.${q(v.identifier)} AS SELECT ${select.join(', ')} FROM read_parquet(${lit(v.file)})`);
        }
      } finally {
        await this.main.run('RESET file_search_path').catch(() => undefined);
        await this.main.run(`DETACH ${q(alias)}`).catch(() => undefined);
      }
    });
  }

  /**
   * Copies the relations into a new database file, masked and trimmed on the way in SQL. The file is
   * written beside `destination` and renamed onto it once complete and checkpointed. A file error
   * (a full disk, a folder made read-only) removes the partial file and comes out typed.
   */
  async publish(relations: PublishRelation[], destination: string, options: PublishOptions = {}): Promise<number[]> {
    const schemas = [...new Set(relations.map((r) => r.schema))];
    return this.copyInto(destination, 'write the publication', schemas, relations.map((r) => ({ relation: r, schema: r.schema, name: r.identifier })), options);
  }

  async exportTables(tables: Array<{ relation: PublishRelation; name: string }>, destination: string, options: PublishOptions = {}): Promise<number[]> {
    return this.copyInto(destination, 'write the contract data', [], tables.map((t) => ({ ...t, schema: 'main' })), options);
  }

  /**
   * Copies relations, masked and trimmed in SQL, into a new database file at `destination`, written
   * beside it and renamed in (see writeInPlace); `doing` names the work in a file error.
   */
  private async copyInto(destination: string, doing: string, schemas: string[], tables: Array<{ relation: PublishRelation; schema: string; name: string }>, options: PublishOptions): Promise<number[]> {
    const alias = '__mesh_copy';
    return writeInPlace(destination, doing, async (tmp) => {
      const counts: number[] = [];
      await this.main.run(`ATTACH ${lit(tmp)} AS ${q(alias)}`);
      try {
        for (const schema of schemas) await this.main.run(`CREATE SCHEMA IF NOT EXISTS ${q(alias)}.${q(schema)}`); // `main` exists in every new file
        for (const { relation: r, schema, name } of tables) {
          const result = await this.main.run(`CREATE TABLE ${q(alias)}.${q(schema)}.${q(name)} AS SELECT *${excludeClause(r.withheld)}${maskClause(r.masks, options.maskingKey)} FROM ${rel(r)}`);
          counts.push(Number((await result.getRowObjectsJS())[0]?.Count ?? 0));
        }
      } finally {
        await this.main.run(`DETACH ${q(alias)}`).catch(() => undefined);
      }
      return counts;
    });
  }

  async describeRelations(relations: RelationName[]): Promise<RelationFacts[]> {
    if (!relations.length) return [];
    const rows = async (sql: string) => (await this.main.runAndReadAll(sql)).getRowObjectsJS();
    const key = (d: unknown, s: unknown, t: unknown) => `${String(d)}.${String(s)}.${String(t)}`.toLowerCase();
    const found = new Map<string, RelationFacts>();
    for (const r of await rows(relationsSql(relations))) {
      found.set(key(r.d, r.s, r.t), {
        relation: { database: String(r.d), schema: String(r.s), identifier: String(r.t) },
        kind: r.kind as RelationKind,
        comment: r.comment === null ? null : String(r.comment),
        owner: null,
        columns: [],
      });
    }
    for (const c of await rows(columnsSql(relations))) {
      found.get(key(c.d, c.s, c.t))?.columns.push({ name: String(c.name), type: String(c.type), index: Number(c.idx), comment: c.comment === null ? null : String(c.comment) });
    }
    const tables = [...found.entries()].filter(([, f]) => f.kind === 'table').map(([k, f]) => ({ relation: f.relation, key: k, columns: f.columns }));
    for (let i = 0; i < tables.length; i += STATS_BATCH) {
      for (const s of await rows(statsSql(tables.slice(i, i + STATS_BATCH)))) {
        const facts = found.get(String(s.k))!;
        facts.rows = Number(s.n);
        facts.bytes = Number(s.b);
        facts.bytesMeaning = BYTES_MEANING;
      }
    }
    return [...found.values()];
  }

  async loadedAt(sql: string): Promise<{ maxLoadedAt: Date | null; now: Date }> {
    const reader = await this.main.runAndReadAll(loadedAtSql(sql));
    const row = reader.getRowObjectsJS()[0]!;
    return { maxLoadedAt: row.max_loaded_at_ms === null ? null : new Date(Number(row.max_loaded_at_ms)), now: new Date(Number(row.now_ms)) };
  }

  async close(): Promise<void> {
    this.main.closeSync();
    this.instance.closeSync();
  }
}

/**
 * Writes a file of a publication beside `destination` and renames it onto it once complete (a rename is
 * atomic: readers see the old file or the new one, never a half-written one). A file error (a full
 * disk, a folder made read-only) removes the partial file and comes out typed, naming what was being
 * done (`doing`).
 */
async function writeInPlace<T>(destination: string, doing: string, write: (tmp: string) => Promise<T>): Promise<T> {
  const tmp = `${destination}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(destination), { recursive: true });
    rmSync(tmp, { force: true });
    const result = await write(tmp);
    renameSync(tmp, destination);
    return result;
  } catch (error) {
    rmSync(tmp, { force: true });
    rmSync(`${tmp}.wal`, { force: true });
    throw ioError(error, doing, dirname(destination));
  }
}

/** Tables counted and measured per query. */
const STATS_BATCH = 200;

function excludeClause(withheld: PublishRelation['withheld']): string {
  return withheld?.length ? ` EXCLUDE (${withheld.map(q).join(', ')})` : '';
}

/**
 * HMAC-SHA256 of a value's text under `key` (RFC 2104), computed by DuckDB: sha256 of the outer padded
 * key followed by the raw sha256 of the inner padded key and the value. The pads are constants of the
 * key, so the statement carries them; the published file holds only the digests. NULL stays NULL.
 */
export function hmacSql(column: string, key: Uint8Array): string {
  if (key.length > 64) throw new Error('a masking key of at most 64 bytes is expected');
  const pad = (byte: number) => {
    const block = new Uint8Array(64);
    block.set(key);
    return Buffer.from(block.map((b) => b ^ byte)).toString('hex');
  };
  return `sha256(unhex('${pad(0x5c)}') || unhex(sha256(unhex('${pad(0x36)}') || encode(CAST(${q(column)} AS VARCHAR)))))`;
}

/** `* REPLACE (...)` keeps every column in place and rewrites only the masked ones. */
function maskClause(masks: PublishRelation['masks'], key: Uint8Array | undefined): string {
  if (!masks?.length) return '';
  const expr = (column: string, method: MaskMethod) => {
    if (method === 'hash') {
      if (!key) throw new MeshError('E_MASKING_KEY', `column '${column}' is masked by hash, but no masking key was given`, { hint: 'Publishing passes the producer\'s masking key; this is a bug in the caller.' });
      return hmacSql(column, key);
    }
    return method === 'redact' ? `CASE WHEN ${q(column)} IS NULL THEN NULL ELSE '[redacted]' END` : 'CAST(NULL AS VARCHAR)';
  };
  return ` REPLACE (${masks.map((m) => `${expr(m.column, m.method)} AS ${q(m.column)}`).join(', ')})`;
}
