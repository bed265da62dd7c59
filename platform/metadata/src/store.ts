import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DuckDBInstance, listValue, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { MeshError } from '@mesh/errors';
import { MIGRATIONS } from './schema';

/** One invocation of build, run, test or seed, and what each node did. */
export interface RunRecord {
  runId: string;
  project: string;
  command: string;
  startedAt: Date;
  finishedAt: Date;
  status: 'success' | 'error';
  nodes: Array<{ uniqueId: string; resourceType: string; status: string; rows?: number; elapsedS: number; finishedAt: Date; message?: string }>;
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

  static async open(path: string): Promise<MetadataStore> {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(path);
    } catch (error) {
      const message = (error as Error).message.split('\n')[0] ?? '';
      throw new MeshError('E_METADATA_OPEN', `cannot open the metadata database ${path}: ${message}`, {
        hint: /lock/i.test(message) ? 'Another mesh command of this project is running; wait for it to finish.' : 'Remove the file if it is damaged: it holds history only, the next run starts a new one.',
      });
    }
    const store = new MetadataStore(instance, await instance.connect());
    await store.migrate(path);
    return store;
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

  async recordRun(run: RunRecord): Promise<void> {
    await this.connection.run('BEGIN TRANSACTION');
    try {
      await this.connection.run('INSERT INTO runs VALUES ($1, $2, $3, $4::TIMESTAMPTZ, $5::TIMESTAMPTZ, $6, $7)', [
        run.runId, run.project, run.command, iso(run.startedAt), iso(run.finishedAt), run.status, (run.finishedAt.getTime() - run.startedAt.getTime()) / 1000,
      ]);
      for (const n of run.nodes) {
        await this.connection.run('INSERT INTO node_results VALUES ($1, $2, $3, $4, $5, $6, $7::TIMESTAMPTZ, $8)', [
          run.runId, n.uniqueId, n.resourceType, n.status, n.rows ?? null, n.elapsedS, iso(n.finishedAt), n.message ?? null,
        ]);
      }
      await this.connection.run('COMMIT');
    } catch (error) {
      await this.connection.run('ROLLBACK');
      throw error;
    }
  }

  async recordSlos(runId: string, project: string, measuredAt: Date, results: SloMeasurement[]): Promise<void> {
    await this.connection.run('BEGIN TRANSACTION');
    try {
      for (const r of results) {
        await this.connection.run('INSERT INTO slo_results VALUES ($1, $2, $3::TIMESTAMPTZ, $4, $5, $6, $7, $8, $9, $10)', [
          runId, project, iso(measuredAt), r.slo, r.model, r.column ?? null, r.measured ?? null, r.objective, r.status, r.message,
        ]);
      }
      await this.connection.run('COMMIT');
    } catch (error) {
      await this.connection.run('ROLLBACK');
      throw error;
    }
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
    return rows.map((r) => ({
      runId: String(r.run_id),
      measuredAt: r.measured_at as Date,
      slo: r.slo as StoredSlo['slo'],
      model: String(r.model),
      column: r.column_name === null ? undefined : String(r.column_name),
      measured: r.measured === null ? undefined : Number(r.measured),
      objective: String(r.objective),
      status: r.status as SloStatus,
      message: String(r.message),
    }));
  }

  async close(): Promise<void> {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
