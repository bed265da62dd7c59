import { DuckDBInstance, type DuckDBConnection, type DuckDBMaterializedResult, type DuckDBPreparedStatement } from '@duckdb/node-api';

/**
 * Read-only DuckDB instances over published databases, one per publication version. A publication
 * renames a complete new file over the old one: requests of the new version open the new file, while
 * requests already running finish on the old one (its inode lives until they close), so no reader ever
 * sees a table half-written and no build waits for a reader. A version is retired when the registry
 * sees a newer one; its instance closes when its last request is done.
 *
 * Page queries run on a bounded pool of connections per instance, each keeping its prepared
 * statements: DuckDB runs a query on one of a few native threads anyway, so more connections only add
 * memory and set-up work, and a burst of requests waits its turn in order instead of thrashing.
 */

export interface DatabaseSettings {
  memoryLimit: string;
  threads: number;
  /** Connections per open database that run page queries at once. */
  connections: number;
  /**
   * The folder a published database's views read their data files from (the publication's own, for a
   * share file under `shares/`), or undefined for a database that holds its tables. Given by the loom.
   */
  filesRoot?: (databasePath: string) => string | undefined;
}

const MAX_PREPARED = 64;

/** A pooled connection and the statements prepared on it: the API asks the same few shapes over and over. */
export class Session {
  private readonly prepared = new Map<string, DuckDBPreparedStatement>();

  constructor(readonly connection: DuckDBConnection) {}

  /** Runs `sql` with `params` bound, planning it only the first time this connection sees it. */
  async run(sql: string, params: ReadonlyArray<string | boolean | null>): Promise<DuckDBMaterializedResult> {
    let statement = this.prepared.get(sql);
    if (statement) {
      // Least recently used first: keep the Map's order as the eviction order.
      this.prepared.delete(sql);
    } else {
      statement = await this.connection.prepare(sql);
      if (this.prepared.size >= MAX_PREPARED) {
        const [oldest, stale] = this.prepared.entries().next().value!;
        stale.destroySync();
        this.prepared.delete(oldest);
      }
    }
    this.prepared.set(sql, statement);
    // Typed binds: the generic bind() infers each value's type in JavaScript first.
    for (let i = 0; i < params.length; i++) {
      const value = params[i]!;
      if (value === null) statement.bindNull(i + 1);
      else if (typeof value === 'boolean') statement.bindBoolean(i + 1, value);
      else statement.bindVarchar(i + 1, value);
    }
    return statement.run();
  }

  close(): void {
    for (const statement of this.prepared.values()) statement.destroySync();
    this.prepared.clear();
    this.connection.closeSync();
  }
}

interface Open {
  path: string;
  version: string;
  instance: Promise<DuckDBInstance>;
  /** Requests holding or waiting for a connection of this instance. */
  users: number;
  retired: boolean;
  idle: Session[];
  /** Pooled sessions open (idle, lent out, or being connected). */
  sessions: number;
  waiting: Array<{ resolve: (session: Session) => void; reject: (error: unknown) => void }>;
}

/**
 * A request read its product before a newer publication retired it, and that version's databases are
 * closed by now: it must be read again as of the current publication (reopening the file would read
 * the new data under the old version's name).
 */
export class RetiredVersionError extends Error {
  constructor(readonly version: string) {
    super(`publication ${version} was replaced while the request was read`);
  }
}

/** Retired versions remembered, so that none is opened again; a request holds its version for moments only. */
const REMEMBERED_RETIRED = 1024;

export class Databases {
  private readonly open = new Map<string, Open>();
  private readonly retired = new Set<string>();

  constructor(private readonly settings: DatabaseSettings) {}

  /** Runs `work` on a pooled connection to `path` as of publication `version`, waiting for one if all are busy. */
  async with<T>(path: string, version: string, work: (session: Session) => Promise<T>): Promise<T> {
    const entry = this.entryFor(path, version);
    entry.users++;
    let session: Session;
    try {
      session = await this.take(entry);
    } catch (error) {
      this.leave(entry);
      throw error;
    }
    try {
      return await work(session);
    } finally {
      this.give(entry, session);
      this.leave(entry);
    }
  }

  /**
   * Runs `work` on a connection of its own, outside the pool: for exports, which run for minutes and
   * must not hold a pooled connection that keyed lookups are waiting for.
   */
  async withOwnConnection<T>(path: string, version: string, work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const entry = this.entryFor(path, version);
    entry.users++;
    try {
      const connection = await (await entry.instance).connect();
      try {
        return await work(connection);
      } finally {
        connection.closeSync();
      }
    } finally {
      this.leave(entry);
    }
  }

  /** Closes the databases of a publication version once their running requests are done. */
  retire(version: string): void {
    this.retired.add(version);
    if (this.retired.size > REMEMBERED_RETIRED) this.retired.delete(this.retired.values().next().value!);
    for (const entry of [...this.open.values()]) {
      if (entry.version !== version || entry.retired) continue;
      entry.retired = true;
      if (entry.users === 0) this.close(entry);
    }
  }

  /** Instances open now, by version: for tests and metrics. */
  openVersions(): string[] {
    return [...this.open.values()].map((e) => e.version);
  }

  private entryFor(path: string, version: string): Open {
    const key = `${version}\0${path}`;
    let entry = this.open.get(key);
    if (!entry) {
      if (this.retired.has(version)) throw new RetiredVersionError(version);
      const filesRoot = this.settings.filesRoot?.(path);
      entry = {
        path,
        version,
        instance: DuckDBInstance.create(path, {
          access_mode: 'READ_ONLY',
          memory_limit: this.settings.memoryLimit,
          threads: String(this.settings.threads),
          // A page is cut in order by a subquery and formatted by the query around it: row order must
          // survive the projection, which is DuckDB's default; stated so that no setting changes it.
          preserve_insertion_order: 'true',
          // A share of views reads Parquet files of its version by paths relative to the version folder.
          ...(filesRoot ? { file_search_path: filesRoot } : {}),
        }).then(async (instance) => {
          // Every lookup opens the view's Parquet file: its footer is read once per instance, not per query.
          if (filesRoot) {
            const connection = await instance.connect();
            try {
              await connection.run('SET GLOBAL parquet_metadata_cache = true');
            } finally {
              connection.closeSync();
            }
          }
          return instance;
        }),
        users: 0,
        retired: false,
        idle: [],
        sessions: 0,
        waiting: [],
      };
      // A file that cannot be opened is not cached: the next request tries again.
      const created = entry;
      created.instance.catch(() => {
        if (this.open.get(key) === created) this.open.delete(key);
      });
      this.open.set(key, entry);
    }
    return entry;
  }

  private async take(entry: Open): Promise<Session> {
    const idle = entry.idle.pop();
    if (idle) return idle;
    if (entry.sessions < this.settings.connections) {
      entry.sessions++;
      try {
        return new Session(await (await entry.instance).connect());
      } catch (error) {
        entry.sessions--;
        throw error;
      }
    }
    return new Promise((resolve, reject) => entry.waiting.push({ resolve, reject }));
  }

  private give(entry: Open, session: Session): void {
    const next = entry.waiting.shift();
    if (next) return next.resolve(session);
    if (entry.retired) {
      entry.sessions--;
      session.close();
      return;
    }
    entry.idle.push(session);
  }

  private leave(entry: Open): void {
    entry.users--;
    if (entry.retired && entry.users === 0) this.close(entry);
  }

  private close(entry: Open): void {
    const key = `${entry.version}\0${entry.path}`;
    if (this.open.get(key) === entry) this.open.delete(key);
    for (const session of entry.idle.splice(0)) session.close();
    for (const waiter of entry.waiting.splice(0)) waiter.reject(new Error('the database was closed'));
    void entry.instance.then((i) => i.closeSync()).catch(() => undefined);
  }

  async closeAll(): Promise<void> {
    for (const entry of [...this.open.values()]) {
      entry.retired = true;
      this.close(entry);
    }
  }
}
