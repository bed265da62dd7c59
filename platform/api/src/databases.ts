import { statSync } from 'node:fs';
import { DuckDBInstance, type DuckDBConnection, type DuckDBPreparedStatement, type DuckDBValue } from '@duckdb/node-api';

/**
 * Read-only DuckDB instances over published databases, one per file version. A publication renames a
 * complete new file over the old one: the next request opens the new file, while requests already
 * running finish on the old one (its inode lives until they close), so no reader ever sees a table
 * half-written and no build waits for a reader.
 */
interface Open {
  instance: Promise<DuckDBInstance>;
  users: number;
  stale: boolean;
  /** Connections back from finished requests: connecting costs more than a keyed lookup. */
  idle: DuckDBConnection[];
  /** Table columns of this file version: a published file never changes, so they are asked once. */
  columns: Map<string, Promise<Array<{ name: string; type: string }>>>;
}

const MAX_IDLE = 16;
const MAX_PREPARED = 64;
const prepared = new WeakMap<DuckDBConnection, Map<string, DuckDBPreparedStatement>>();

/**
 * Runs a statement through the connection's cache of prepared statements: the API asks the same few
 * shapes of query over and over, and planning them once saves a good part of a lookup's time.
 */
export async function runPrepared(connection: DuckDBConnection, sql: string, params: DuckDBValue[]): Promise<Array<Record<string, unknown>>> {
  let cache = prepared.get(connection);
  if (!cache) prepared.set(connection, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) {
    statement = await connection.prepare(sql);
    if (cache.size >= MAX_PREPARED) {
      const [oldest] = cache.keys();
      cache.get(oldest!)?.destroySync();
      cache.delete(oldest!);
    }
    cache.set(sql, statement);
  }
  statement.bind(params);
  return (await statement.runAndReadAll()).getRowObjectsJS();
}

export interface DatabaseSettings {
  memoryLimit: string;
  threads: number;
}

export class Databases {
  private open = new Map<string, Open>();

  constructor(private readonly settings: DatabaseSettings) {}

  /** Runs `work` on a connection to the current version of `path`. */
  async with<T>(path: string, work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const { connection, release } = await this.acquire(path);
    try {
      return await work(connection);
    } finally {
      release();
    }
  }

  /** The columns and types of a table in the current version of `path`. */
  async columnsOf(path: string, schema: string, table: string): Promise<Array<{ name: string; type: string }>> {
    const { entry } = this.entryFor(path);
    const key = `${schema}.${table}`;
    let columns = entry.columns.get(key);
    if (!columns) {
      columns = this.with(path, async (connection) =>
        (await connection.runAndReadAll(`DESCRIBE "${schema.replaceAll('"', '""')}"."${table.replaceAll('"', '""')}"`)).getRowObjectsJS()
          .map((r) => ({ name: String(r.column_name), type: String(r.column_type) })));
      columns.catch(() => entry.columns.delete(key));
      entry.columns.set(key, columns);
    }
    return columns;
  }

  /** A connection to the current version of `path` that outlives the call: for responses streamed after the handler returns. */
  async acquire(path: string): Promise<{ connection: DuckDBConnection; release: () => void }> {
    const { key, entry: held } = this.entryFor(path);
    held.users++;
    let connection: DuckDBConnection;
    try {
      connection = held.idle.pop() ?? (await (await held.instance).connect());
    } catch (error) {
      this.leave(key, held);
      throw error;
    }
    let released = false;
    return {
      connection,
      release: () => {
        if (released) return;
        released = true;
        if (held.stale || held.idle.length >= MAX_IDLE) connection.closeSync();
        else held.idle.push(connection);
        this.leave(key, held);
      },
    };
  }

  /** The open instance of the current version of `path`; older versions are closed once their readers finish. */
  private entryFor(path: string): { key: string; entry: Open } {
    const stat = statSync(path);
    const key = `${path}#${stat.ino}:${stat.mtimeMs}`;
    for (const [k, entry] of this.open) {
      if (k.startsWith(`${path}#`) && k !== key && !entry.stale) {
        entry.stale = true;
        if (entry.users === 0) this.close(k, entry);
      }
    }
    let entry = this.open.get(key);
    if (!entry) {
      entry = {
        instance: DuckDBInstance.create(path, {
          access_mode: 'READ_ONLY',
          memory_limit: this.settings.memoryLimit,
          threads: String(this.settings.threads),
        }),
        users: 0,
        stale: false,
        idle: [],
        columns: new Map(),
      };
      this.open.set(key, entry);
      // A file that could not be opened (gone, unreadable) is tried again by the next request, not remembered.
      const opened = entry;
      opened.instance.catch(() => {
        if (this.open.get(key) === opened) this.open.delete(key);
      });
    }
    return { key, entry };
  }

  /**
   * A publication version the server no longer serves: its databases close once their last request is
   * done. Each version has paths of its own, so nothing else tells an open file it is out of date; kept
   * open, a removed version's files would hold their disk space and memory for as long as the server runs.
   */
  retire(versionDir: string): void {
    const prefix = `${versionDir}/`;
    for (const [key, entry] of this.open) {
      if (!key.startsWith(prefix) || entry.stale) continue;
      entry.stale = true;
      if (entry.users === 0) this.close(key, entry);
    }
  }

  private leave(key: string, entry: Open): void {
    entry.users--;
    if (entry.stale && entry.users === 0) this.close(key, entry);
  }

  private close(key: string, entry: Open): void {
    this.open.delete(key);
    for (const connection of entry.idle.splice(0)) connection.closeSync();
    void entry.instance.then((i) => i.closeSync()).catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    for (const [key, entry] of [...this.open]) this.close(key, entry);
  }
}
