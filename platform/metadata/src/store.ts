import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { DuckDBInstance, listValue, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { MeshError } from '@mesh/errors';
import { LOCK_FILE, readLockHolder } from './project-lock';
import { MIGRATIONS } from './schema';

/** One invocation of build, run, test, seed, ingest or a scheduled job, and what each node (or step) did. */
export interface RunRecord {
  runId: string;
  project: string;
  command: string;
  startedAt: Date;
  finishedAt: Date;
  /** `skipped`: a scheduled run that did not start because the previous one of its domain was still running. */
  status: 'success' | 'error' | 'skipped';
  nodes: NodeRecord[];
  /** Why a run failed as a whole, e.g. a compile error before any node ran. */
  message?: string;
  /** What started it: `cli` (a person or CI) or `schedule`. */
  trigger?: string;
  /** The schedule run that started this one. */
  parentRunId?: string;
  /** For schedule runs: the time the cron expression was due (a caught-up run is due before it starts). */
  scheduledFor?: Date;
}

export interface NodeRecord {
  uniqueId: string;
  resourceType: string;
  status: string;
  rows?: number;
  elapsedS: number;
  finishedAt: Date;
  message?: string;
}

/** A run as `mesh runs` lists it: the run and totals over its nodes. */
export interface RunSummary extends Omit<RunRecord, 'nodes' | 'status'> {
  status: string;
  elapsedS: number;
  nodeCount: number;
  failedNodes: number;
  rows: number;
}

export interface RunDetail {
  run: RunSummary;
  nodes: NodeRecord[];
  slos: StoredSlo[];
}

/** A file an ingest source loaded, and the checksum of the content it loaded. */
export interface IngestedFile {
  project: string;
  source: string;
  /** The file's path within the source's base folder, `/`-separated: its identity, wherever the folder lives. */
  file: string;
  /** Where the file was read from when it was loaded (absolute); not part of its identity. */
  path: string;
  checksum: string;
  bytes: number;
  rowsLoaded: number;
  target: string;
  runId: string;
  loadedAt: Date;
}

/** A file recorded before files were identified within their source: keyed by its absolute path only. */
export type LegacyIngestedFile = Omit<IngestedFile, 'file'>;

/** What a source has loaded: its files, and those still keyed by absolute path, to be re-keyed when met. */
export interface IngestedFiles {
  files: IngestedFile[];
  legacy: LegacyIngestedFile[];
}

export interface OpenOptions {
  /**
   * How long to keep trying while another process has the file open, in milliseconds: DuckDB lets one
   * process open a file at a time, and mesh commands each hold it for moments. Default 10 s, or
   * MESH_METADATA_WAIT_MS.
   */
  waitMs?: number;
}

export type SloStatus = 'pass' | 'breach' | 'error';

/** One service level measured on one model (and column), against its objective. */
export interface SloMeasurement {
  slo: 'completeness' | 'freshness' | 'row_count';
  model: string;
  column?: string;
  /** Share of non-null values, age in seconds, or rows; undefined when it could not be measured. */
  measured?: number;
  /** The objective as written, e.g. `>= 0.99`, `<= 24h`, `between 1 and 10000`. */
  objective: string;
  status: SloStatus;
  message: string;
}

/** One result of one test in one run. */
export interface TestResult {
  uniqueId: string;
  status: string;
  finishedAt: Date;
  runId: string;
}

export interface StoredSlo extends SloMeasurement {
  runId: string;
  measuredAt: Date;
}

const iso = (d: Date) => d.toISOString();

/**
 * The metadata database of a project: a DuckDB file of its own, so recording history never touches the
 * warehouse's tables and reading history never waits on a build's transaction.
 */
export class MetadataStore {
  private constructor(private readonly instance: DuckDBInstance, private readonly connection: DuckDBConnection) {}

  /** Opens (and migrates) the database; while another process has it open, tries again for up to `waitMs`. */
  static async open(path: string, options: OpenOptions = {}): Promise<MetadataStore> {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const instance = await openInstance(path, options.waitMs ?? defaultWaitMs());
    const store = new MetadataStore(instance, await instance.connect());
    try {
      await store.migrate(path);
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  /**
   * Opens the database for one piece of work and closes it at once. Only one process can have the file
   * open, so every command holds it just for the moments it reads or writes: a long ingest or build never
   * keeps `mesh runs` or `mesh status` out, they only wait a moment.
   */
  static async use<T>(path: string, work: (store: MetadataStore) => Promise<T>, options: OpenOptions = {}): Promise<T> {
    const store = await MetadataStore.open(path, options);
    try {
      return await work(store);
    } finally {
      await store.close();
    }
  }

  private async migrate(path: string): Promise<void> {
    await this.connection.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)');
    const done = Number((await this.rows('SELECT coalesce(max(version), 0) AS v FROM schema_migrations'))[0]!.v);
    if (done > MIGRATIONS.length) {
      throw new MeshError('E_METADATA_VERSION', `the metadata database ${path} was written by a newer platform (schema ${done}, this one knows ${MIGRATIONS.length})`, {
        hint: 'Upgrade the platform packages, or move the file away to start a new history.',
      });
    }
    for (let v = done + 1; v <= MIGRATIONS.length; v++) {
      await this.connection.run(`BEGIN TRANSACTION;\n${MIGRATIONS[v - 1]};\nINSERT INTO schema_migrations VALUES (${v}, now());\nCOMMIT`);
    }
  }

  private async rows(sql: string, values: DuckDBValue[] = []): Promise<Array<Record<string, unknown>>> {
    return (await this.connection.runAndReadAll(sql, values)).getRowObjectsJS();
  }

  private async transaction(work: () => Promise<void>): Promise<void> {
    await this.connection.run('BEGIN TRANSACTION');
    try {
      await work();
      await this.connection.run('COMMIT');
    } catch (error) {
      await this.connection.run('ROLLBACK');
      throw error;
    }
  }

  async recordRun(run: RunRecord): Promise<void> {
    await this.transaction(async () => {
      await this.connection.run(
        `INSERT INTO runs (run_id, project, command, started_at, finished_at, status, elapsed_s, message, trigger, parent_run_id, scheduled_for)
         VALUES ($1, $2, $3, $4::TIMESTAMPTZ, $5::TIMESTAMPTZ, $6, $7, $8, $9, $10, $11::TIMESTAMPTZ)`,
        [
          run.runId, run.project, run.command, iso(run.startedAt), iso(run.finishedAt), run.status, (run.finishedAt.getTime() - run.startedAt.getTime()) / 1000,
          run.message ?? null, run.trigger ?? null, run.parentRunId ?? null, run.scheduledFor ? iso(run.scheduledFor) : null,
        ],
      );
      for (const n of run.nodes) {
        await this.connection.run('INSERT INTO node_results VALUES ($1, $2, $3, $4, $5, $6, $7::TIMESTAMPTZ, $8)', [
          run.runId, n.uniqueId, n.resourceType, n.status, n.rows ?? null, n.elapsedS, iso(n.finishedAt), n.message ?? null,
        ]);
      }
    });
  }

  async recordSlos(runId: string, project: string, measuredAt: Date, results: SloMeasurement[]): Promise<void> {
    await this.transaction(async () => {
      for (const r of results) {
        await this.connection.run('INSERT INTO slo_results VALUES ($1, $2, $3::TIMESTAMPTZ, $4, $5, $6, $7, $8, $9, $10)', [
          runId, project, iso(measuredAt), r.slo, r.model, r.column ?? null, r.measured ?? null, r.objective, r.status, r.message,
        ]);
      }
    });
  }

  /** When each model last built successfully: its load time, for freshness without a timestamp column. */
  async lastBuilt(uniqueIds: string[]): Promise<Map<string, Date>> {
    if (!uniqueIds.length) return new Map();
    const out = new Map<string, Date>();
    const rows = await this.rows(
      `SELECT unique_id, max(finished_at) AS at FROM node_results
       WHERE status = 'success' AND list_contains($1::VARCHAR[], unique_id) GROUP BY unique_id`,
      [listValue(uniqueIds)],
    );
    for (const row of rows) out.set(String(row.unique_id), row.at as Date);
    return out;
  }

  /** The last `limit` measurements of each SLO (by slo, model and column), newest first. */
  async sloHistory(project: string, limit = 1): Promise<StoredSlo[]> {
    const rows = await this.rows(
      `SELECT * FROM slo_results WHERE project = $1
       QUALIFY row_number() OVER (PARTITION BY slo, model, column_name ORDER BY measured_at DESC) <= $2
       ORDER BY slo, model, column_name NULLS FIRST, measured_at DESC`,
      [project, limit],
    );
    return rows.map(storedSlo);
  }

  /**
   * The last `limit` results of each test of the project, newest first: a test's history, for the
   * catalog's trend of a data product's quality.
   */
  async testHistory(project: string, limit = 20): Promise<TestResult[]> {
    const rows = await this.rows(
      `SELECT n.unique_id, n.status, n.finished_at, n.run_id FROM node_results n JOIN runs r USING (run_id)
       WHERE r.project = $1 AND n.resource_type = 'test'
       QUALIFY row_number() OVER (PARTITION BY n.unique_id ORDER BY n.finished_at DESC) <= $2
       ORDER BY n.unique_id, n.finished_at DESC`,
      [project, limit],
    );
    return rows.map((r) => ({ uniqueId: String(r.unique_id), status: String(r.status), finishedAt: r.finished_at as Date, runId: String(r.run_id) }));
  }

  /** The newest runs first, with node totals; `project` and `command` narrow the list. */
  async listRuns(options: { project?: string; command?: string; limit?: number } = {}): Promise<RunSummary[]> {
    const rows = await this.rows(
      `${RUN_SUMMARY_SQL}
       WHERE ($1::VARCHAR IS NULL OR r.project = $1) AND ($2::VARCHAR IS NULL OR r.command = $2)
       ORDER BY r.started_at DESC, r.run_id LIMIT $3`,
      [options.project ?? null, options.command ?? null, options.limit ?? 20],
    );
    return rows.map(runSummary);
  }

  /**
   * One run with its nodes and the SLOs measured after it. A unique prefix of the id is enough, as with
   * git's short hashes; an ambiguous prefix is an error naming the candidates.
   */
  async runDetail(idOrPrefix: string): Promise<RunDetail | undefined> {
    const matches = await this.rows(`${RUN_SUMMARY_SQL} WHERE starts_with(r.run_id, $1) ORDER BY r.started_at DESC LIMIT 6`, [idOrPrefix]);
    const exact = matches.find((r) => r.run_id === idOrPrefix);
    if (matches.length > 1 && !exact) {
      throw new MeshError('E_RUN_AMBIGUOUS', `the run id '${idOrPrefix}' matches more than one run`, {
        details: matches.map((r) => `${String(r.run_id)}  ${String(r.command)}  ${iso(r.started_at as Date)}`).join('\n'),
        hint: 'Give more characters of the id.',
      });
    }
    const found = exact ?? matches[0];
    if (!found) return undefined;
    const runId = String(found.run_id);
    const nodes = await this.rows('SELECT * FROM node_results WHERE run_id = $1 ORDER BY finished_at, unique_id', [runId]);
    const slos = await this.rows('SELECT * FROM slo_results WHERE run_id = $1 ORDER BY slo, model, column_name NULLS FIRST', [runId]);
    return {
      run: runSummary(found),
      nodes: nodes.map((n) => ({
        uniqueId: String(n.unique_id),
        resourceType: String(n.resource_type),
        status: String(n.status),
        rows: n.rows_affected === null ? undefined : Number(n.rows_affected),
        elapsedS: Number(n.elapsed_s),
        finishedAt: n.finished_at as Date,
        message: optional(n.message),
      })),
      slos: slos.map(storedSlo),
    };
  }

  /** When the schedule of a project was last due and run: the starting point for catching up a missed run. */
  async lastScheduled(project: string): Promise<Date | undefined> {
    const rows = await this.rows(`SELECT max(scheduled_for) AS at FROM runs WHERE project = $1 AND command = 'schedule'`, [project]);
    return (rows[0]?.at as Date | null) ?? undefined;
  }

  /** One file of a source by its path within the source's base folder. */
  async ingestedFile(project: string, source: string, file: string): Promise<IngestedFile | undefined> {
    const rows = await this.rows('SELECT * FROM ingested_files WHERE project = $1 AND source = $2 AND file = $3', [project, source, file]);
    return rows[0] && { ...legacyIngestedFile(rows[0]), file: String(rows[0].file) };
  }

  /** Every file a source has loaded, read at once: an ingest of ten thousand unchanged files asks once, not ten thousand times. */
  async ingestedFiles(project: string, source: string): Promise<IngestedFiles> {
    const files = await this.rows('SELECT * FROM ingested_files WHERE project = $1 AND source = $2 ORDER BY file', [project, source]);
    const legacy = await this.rows('SELECT * FROM ingested_files_legacy WHERE project = $1 AND source = $2 ORDER BY path', [project, source]);
    return { files: files.map((r) => ({ ...legacyIngestedFile(r), file: String(r.file) })), legacy: legacy.map(legacyIngestedFile) };
  }

  /** Forgets every file a source loaded (its table was dropped by a full refresh): the next load of each is a first. */
  async forgetIngestedFiles(project: string, source: string): Promise<void> {
    await this.transaction(async () => {
      await this.connection.run('DELETE FROM ingested_files WHERE project = $1 AND source = $2', [project, source]);
      await this.connection.run('DELETE FROM ingested_files_legacy WHERE project = $1 AND source = $2', [project, source]);
    });
  }

  /**
   * Records a file as loaded with this content; a file loaded again (changed) replaces its row. `replacing`
   * names the absolute path of the legacy record the file was matched to, which goes in the same transaction.
   */
  async recordIngestedFile(f: IngestedFile, replacing?: string): Promise<void> {
    await this.transaction(async () => {
      await this.connection.run('INSERT OR REPLACE INTO ingested_files VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::TIMESTAMPTZ)', [
        f.project, f.source, f.file, f.path, f.checksum, f.bytes, f.rowsLoaded, f.target, f.runId, iso(f.loadedAt),
      ]);
      if (replacing !== undefined) {
        await this.connection.run('DELETE FROM ingested_files_legacy WHERE project = $1 AND source = $2 AND path = $3', [f.project, f.source, replacing]);
      }
    });
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

const defaultWaitMs = (): number => {
  const raw = process.env.MESH_METADATA_WAIT_MS;
  const ms = raw ? Number(raw) : NaN;
  return Number.isFinite(ms) && ms >= 0 ? ms : 10_000;
};

/** DuckDB's words when another process has the file open. */
const LOCK_CONFLICT = /could not set lock|conflicting lock/i;

async function openInstance(path: string, waitMs: number): Promise<DuckDBInstance> {
  const deadline = Date.now() + waitMs;
  for (let pause = 10; ; pause = Math.min(pause * 2, 200)) {
    try {
      return await DuckDBInstance.create(path);
    } catch (error) {
      const message = (error as Error).message.split('\n')[0] ?? '';
      if (!LOCK_CONFLICT.test(message)) {
        throw new MeshError('E_METADATA_OPEN', `cannot open the metadata database ${path}: ${message}`, {
          hint: 'Remove the file if it is damaged: it holds history only, the next run starts a new one.',
        });
      }
      if (Date.now() >= deadline) throw lockedError(path, message, waitMs);
      // Jittered, so two processes that collided do not collide again on the next try.
      await sleep(pause * (0.5 + Math.random()));
    }
  }
}

/**
 * Every mesh command holds the file for moments only, so one held for the whole wait is most likely open
 * in another client (a DuckDB shell, a notebook): named by the pid DuckDB reports, with the project's
 * running command, if any, from its run lock.
 */
function lockedError(path: string, message: string, waitMs: number): MeshError {
  const pid = /PID (\d+)/i.exec(message)?.[1];
  const program = /held in (.+?) \(PID/i.exec(message)?.[1];
  const holder = readLockHolder(join(dirname(path), LOCK_FILE));
  const running = holder ? `; the project's ${holder.command} of pid ${holder.pid} (started ${holder.startedAt}) is running` : '';
  return new MeshError('E_METADATA_LOCKED', `the metadata database ${path} is held open by ${pid ? `pid ${pid}${program ? ` (${program})` : ''}` : 'another process'}, still after ${(waitMs / 1000).toFixed(1)}s${running}`, {
    hint: holder && String(holder.pid) === pid
      ? `Wait for the ${holder.command} to finish, or run again with a longer MESH_METADATA_WAIT_MS (milliseconds).`
      : 'Close the DuckDB client that has the file open (query a copy, or open it read-only when nothing else writes), then run again.',
  });
}

/** Runs with totals over their nodes, as a relation `r` to filter and order. */
const RUN_SUMMARY_SQL = `
  SELECT * FROM (
    SELECT r.*, count(n.unique_id) AS node_count,
           count(n.unique_id) FILTER (WHERE n.status IN ('error', 'fail')) AS failed_nodes,
           coalesce(sum(n.rows_affected), 0) AS total_rows
    FROM runs r LEFT JOIN node_results n USING (run_id)
    GROUP BY ALL
  ) r`;

const optional = (value: unknown): string | undefined => (value === null || value === undefined ? undefined : String(value));

function runSummary(r: Record<string, unknown>): RunSummary {
  return {
    runId: String(r.run_id),
    project: String(r.project),
    command: String(r.command),
    startedAt: r.started_at as Date,
    finishedAt: r.finished_at as Date,
    status: String(r.status),
    elapsedS: Number(r.elapsed_s),
    message: optional(r.message),
    trigger: optional(r.trigger),
    parentRunId: optional(r.parent_run_id),
    scheduledFor: (r.scheduled_for as Date | null) ?? undefined,
    nodeCount: Number(r.node_count),
    failedNodes: Number(r.failed_nodes),
    rows: Number(r.total_rows),
  };
}

function legacyIngestedFile(r: Record<string, unknown>): LegacyIngestedFile {
  return {
    project: String(r.project),
    source: String(r.source),
    path: String(r.path),
    checksum: String(r.checksum),
    bytes: Number(r.bytes),
    rowsLoaded: Number(r.rows_loaded),
    target: String(r.target),
    runId: String(r.run_id),
    loadedAt: r.loaded_at as Date,
  };
}

function storedSlo(r: Record<string, unknown>): StoredSlo {
  return {
    runId: String(r.run_id),
    measuredAt: r.measured_at as Date,
    slo: r.slo as StoredSlo['slo'],
    model: String(r.model),
    column: optional(r.column_name),
    measured: r.measured === null ? undefined : Number(r.measured),
    objective: String(r.objective),
    status: r.status as SloStatus,
    message: String(r.message),
  };
}
