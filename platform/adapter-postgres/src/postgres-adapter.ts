import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { MeshError } from '@mesh/errors';
import {
  commented,
  type Adapter, type AdapterCapabilities, type AdapterSession, type ColumnInfo, type MaterializePlan, type MaterializeResult, type PostgresTargetConfig, type PublishOptions, type PublishRelation, type QueryComment, type QueryValue, type RelationFacts, type RelationKind, type RelationName, type ShareTarget, type SqlErrorPosition, type StagedFile, type StatementAnswer,
} from '@mesh/engine';
import { consumerRole, fromPgType, lit, maskExpression, pgError, pgSchema, q, rel, toPgType } from './dialect';
import { createTableStatements, mergeStatements, parseCsvHeader, seedColumnType, seedTypeProbe, swapStatements, tmpName } from './materialize-sql';

export interface PostgresAdapterOptions {
  /** The target as the project file declares it (host, port, database, user, password_env). */
  target: Pick<PostgresTargetConfig, 'host' | 'port' | 'database' | 'password_env'> & { user?: string };
  /** Connections in the pool: one per build thread, plus the adapter's own. */
  threads?: number;
  /** Where the password comes from; `process.env` unless a test passes its own. */
  env?: Record<string, string | undefined>;
  logStatements?: boolean;
}

// Numbers come back as numbers, as DuckDB's rows do; bigints past 2^53 and exact decimals as text.
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 || oid === 1700) return (v: string) => (Number.isSafeInteger(Number(v)) || (oid === 1700 && Number.isFinite(Number(v))) ? Number(v) : v);
    // Dates and timestamps without a zone are read as UTC, so the same value prints the same on any machine.
    if (oid === 1082) return (v: string) => new Date(`${v}T00:00:00Z`);
    if (oid === 1114) return (v: string) => new Date(`${v.replace(' ', 'T')}Z`);
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
};

class PostgresSession implements AdapterSession {
  queryComment: QueryComment | undefined;

  constructor(
    private readonly client: pg.PoolClient,
    private readonly adapter: PostgresAdapter,
  ) {}

  private async run(sql: string): Promise<pg.QueryResult> {
    sql = commented(sql, this.queryComment);
    this.adapter.statementLog?.push(sql);
    try {
      return await this.client.query({ text: sql, types });
    } catch (error) {
      throw this.adapter.explain(error);
    }
  }

  async execute(sql: string): Promise<void> {
    await this.run(sql);
  }

  async query(sql: string): Promise<Array<Record<string, unknown>>> {
    return (await this.run(sql)).rows as Array<Record<string, unknown>>;
  }

  /** PostgreSQL gives a failing position as a character offset (1-based) into the statement. */
  async errorPosition(sql: string): Promise<SqlErrorPosition | undefined> {
    try {
      await this.client.query({ text: `PREPARE __mesh_position AS ${sql}` });
      await this.client.query('DEALLOCATE __mesh_position');
      return undefined;
    } catch (error) {
      const offset = Number((error as { position?: string }).position) - 'PREPARE __mesh_position AS '.length;
      if (!Number.isFinite(offset) || offset < 1) return undefined;
      const before = sql.slice(0, offset - 1);
      const line = before.split('\n').length;
      return { line, column: offset - before.lastIndexOf('\n') - 1 };
    }
  }

  /** Plans the query with no rows (`LIMIT 0`), then names each column's type by its oid and modifier. */
  async describe(sql: string): Promise<ColumnInfo[]> {
    const result = await this.run(`SELECT * FROM (\n${sql}\n) AS __mesh_describe LIMIT 0`);
    return this.typed(result.fields);
  }

  async typed(fields: pg.FieldDef[]): Promise<ColumnInfo[]> {
    if (!fields.length) return [];
    const pairs = fields.map((f) => `(${f.dataTypeID}, ${f.dataTypeModifier})`).join(', ');
    const names = (await this.run(`SELECT format_type(t.oid, t.mod) AS type FROM (VALUES ${pairs}) AS t(oid, mod)`)).rows as Array<{ type: string }>;
    return fields.map((f, i) => ({ name: f.name, type: fromPgType(names[i]!.type) }));
  }

  async runStatement(sql: string, fetch: boolean): Promise<StatementAnswer> {
    sql = commented(sql, this.queryComment);
    this.adapter.statementLog?.push(sql);
    let result: pg.QueryResult;
    try {
      // The values as the server writes them: a template prints a decimal, a date, a timestamp as Python would.
      result = await this.client.query({ text: sql, types: textTypes, rowMode: 'array' });
    } catch (error) {
      throw this.adapter.explain(error);
    }
    if (!fetch) return { columns: [], rows: [], rowsAffected: result.rowCount ?? undefined };
    const columns = await this.typed(result.fields);
    const rows = (result.rows as unknown[][]).map((row) => result.fields.map((f, i) => templateValue(row[i], f.dataTypeID)));
    return { columns, rows, rowsAffected: result.rowCount ?? undefined };
  }

  async columnsOf(relation: RelationName): Promise<ColumnInfo[]> {
    return this.describe(`SELECT * FROM ${rel(relation)}`);
  }

  async relationKind(relation: RelationName): Promise<RelationKind | undefined> {
    const rows = (await this.run(`SELECT CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'view' ELSE 'table' END AS kind
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE lower(n.nspname) = lower(${lit(pgSchema(relation))}) AND lower(c.relname) = lower(${lit(relation.identifier)}) AND c.relkind IN ('r', 'v', 'm', 'p', 'f')`)).rows as Array<{ kind: RelationKind }>;
    return rows[0]?.kind;
  }

  async relationsLike(database: string, schemaPattern: string, identifierPattern: string, exclude: string): Promise<Array<RelationName & { kind: RelationKind }>> {
    // Schemas of one project are `<project>_<schema>`: the pattern is matched against the schema's own part.
    const prefix = `${database}_`;
    const rows = (await this.run(`SELECT substr(n.nspname, ${prefix.length + 1}) AS schema, c.relname AS name, CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'view' ELSE 'table' END AS kind
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname LIKE ${lit(`${prefix.replace(/[\\%_]/g, '\\$&')}%`)} AND substr(n.nspname, ${prefix.length + 1}) ILIKE ${lit(schemaPattern)}
        AND c.relname ILIKE ${lit(identifierPattern)}${exclude ? ` AND c.relname NOT ILIKE ${lit(exclude)}` : ''} AND c.relkind IN ('r', 'v', 'm', 'p', 'f')
      ORDER BY 1, 2`)).rows as Array<{ schema: string; name: string; kind: RelationKind }>;
    return rows.map((r) => ({ database, schema: r.schema, identifier: r.name, kind: r.kind }));
  }

  async canonicalTypes(declared: string[]): Promise<string[]> {
    if (!declared.length) return [];
    const select = (list: string[]) => `SELECT ${list.map((t, i) => `CAST(NULL AS ${toPgType(t)}) AS c${i}`).join(', ')}`;
    try {
      return (await this.typed((await this.client.query(select(declared))).fields)).map((c) => c.type);
    } catch {
      for (const type of declared) {
        try {
          await this.client.query(select([type]));
        } catch (error) {
          throw new MeshError('E_TYPE_UNKNOWN', `'${type}' is not a type the postgres adapter knows`, {
            hint: 'Use a type both engines know: INTEGER, BIGINT, VARCHAR, DOUBLE, DECIMAL(18,2), DATE, TIMESTAMP or BOOLEAN.',
            details: (error as Error).message.split('\n')[0],
          });
        }
      }
      throw new Error('unreachable: every type parsed alone');
    }
  }

  /**
   * One transaction per model: PostgreSQL's DDL is transactional, so building beside the old table,
   * dropping it and renaming the new one either all happen or none does.
   */
  async materialize(plan: MaterializePlan, existing: RelationKind | undefined): Promise<MaterializeResult> {
    await this.run('BEGIN');
    try {
      const rows = await this.build(plan, existing);
      await this.run('COMMIT');
      return { rows };
    } catch (error) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  private async build(plan: MaterializePlan, existing: RelationKind | undefined): Promise<number | undefined> {
    const target = plan.relation;
    switch (plan.kind) {
      case 'view': {
        if (existing === 'table') await this.run(`DROP TABLE ${rel(target)}`);
        // CREATE OR REPLACE VIEW cannot drop or retype columns; then the view is dropped and made anew.
        await this.run('SAVEPOINT __mesh_view');
        try {
          await this.run(`CREATE OR REPLACE VIEW ${rel(target)} AS (\n${plan.sql}\n)`);
        } catch (error) {
          if (existing !== 'view') throw error;
          await this.run('ROLLBACK TO SAVEPOINT __mesh_view');
          await this.run(`DROP VIEW ${rel(target)}`);
          await this.run(`CREATE VIEW ${rel(target)} AS (\n${plan.sql}\n)`);
        }
        return undefined;
      }
      case 'table':
        return this.replaceTable(target, existing, async (into) => {
          let rows: number | undefined;
          for (const sql of createTableStatements(into, plan.sql, plan.contract)) rows = (await this.run(sql)).rowCount ?? undefined;
          return rows;
        });
      case 'seed':
        return this.replaceTable(target, existing, (into) => this.loadSeed(into, plan.path, plan.columnTypes));
      case 'incremental': {
        if (existing !== 'table') return this.build({ kind: 'table', relation: target, sql: plan.sql, contract: plan.contract }, existing);
        const fresh = `${target.identifier}__mesh_new`;
        const made = await this.run(`CREATE TEMP TABLE ${q(fresh)} ON COMMIT DROP AS (\n${plan.sql}\n)`);
        const columns = (await this.run(`SELECT * FROM ${q(fresh)} LIMIT 0`)).fields.map((f) => f.name);
        for (const sql of mergeStatements(target, fresh, columns, plan.strategy, plan.uniqueKey)) await this.run(sql);
        return made.rowCount ?? undefined;
      }
      case 'snapshot':
      case 'external':
        // The engine checks capabilities before a run; this is the last line should a caller skip that.
        throw new MeshError('E_ADAPTER_UNSUPPORTED', `the postgres adapter does not build ${plan.kind === 'snapshot' ? 'snapshots' : 'external models'}`, {
          hint: 'Build the project on a duckdb target.',
        });
    }
  }

  private async replaceTable(target: RelationName, existing: RelationKind | undefined, create: (into: RelationName) => Promise<number | undefined>): Promise<number | undefined> {
    if (!existing) return create(target);
    const tmp = tmpName(target, 'tmp');
    await this.run(`DROP TABLE IF EXISTS ${rel(tmp)}`);
    const rows = await create(tmp);
    for (const sql of swapStatements(target, tmp, existing)) await this.run(sql);
    return rows;
  }

  /** COPY streams the file to the server as text; the types are then decided there, by SQL. */
  private async loadSeed(into: RelationName, path: string, columnTypes: Record<string, string>): Promise<number> {
    const staged = tmpName(into, 'csv');
    const columns = await this.copyCsv(staged, path, false);
    const [probe] = (await this.run(seedTypeProbe(staged, columns))).rows as Array<Record<string, unknown>>;
    const declared = new Map(Object.entries(columnTypes).map(([k, v]) => [k.toLowerCase(), v]));
    const select = columns.map((c, i) => {
      const type = declared.get(c.toLowerCase()) ?? seedColumnType(probe ?? {}, i);
      return `CAST(NULLIF(${q(c)}, '') AS ${toPgType(type)}) AS ${q(c)}`;
    });
    const made = await this.run(`CREATE TABLE ${rel(into)} AS SELECT ${select.join(', ')} FROM ${rel(staged)}`);
    await this.run(`DROP TABLE ${rel(staged)}`);
    return made.rowCount ?? 0;
  }

  /** Creates `into` with the file's header as text columns and streams the file in with COPY FROM STDIN. */
  async copyCsv(into: RelationName, path: string, unlogged: boolean): Promise<string[]> {
    const columns = await readHeader(path);
    await this.run(`DROP TABLE IF EXISTS ${rel(into)}`);
    // Unlogged: a staged copy of a file needs no crash safety, and skipping the WAL halves the load.
    await this.run(`CREATE ${unlogged ? 'UNLOGGED ' : ''}TABLE ${rel(into)} (${columns.map((c) => `${q(c)} text`).join(', ')})`);
    const sql = `COPY ${rel(into)} FROM STDIN WITH (FORMAT csv, HEADER true)`;
    this.adapter.statementLog?.push(sql);
    try {
      await pipeline(createReadStream(path), this.client.query(copyFrom(sql)));
    } catch (error) {
      throw this.adapter.explain(error);
    }
    return columns;
  }

  close(): void {
    this.client.release();
  }
}

// Dates, timestamps and exact numbers stay as the server's text; templates get them tagged (templateValue).
const TEXT_OIDS = new Set([1082, 1114, 1184, 1700, 700, 701]);
const textTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (TEXT_OIDS.has(oid)) return (v: string) => v;
    return types.getTypeParser(oid, format);
  },
};

/** A value of a statement's result as a template gets it: dates, timestamps and numbers as Python's types. */
function templateValue(value: unknown, oid: number): QueryValue {
  if (value === null || value === undefined) return null;
  if (oid === 1082) return { temporal: 'date', text: String(value) };
  if (oid === 1114 || oid === 1184) return { temporal: 'datetime', text: String(value) };
  if (oid === 1700) return { number: String(value) };
  if (oid === 700 || oid === 701) {
    const text = String(Number(value));
    return { number: /[.e]/.test(text) ? text : `${text}.0` };
  }
  return value as QueryValue;
}

async function readHeader(path: string): Promise<string[]> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new MeshError('E_SOURCE_FILE', `cannot read ${path}: ${(error as Error).message}`, { hint: 'Check external_location of the source (or the seed file).' });
  }
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = buffer.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '');
    const end = text.indexOf('\n');
    const columns = parseCsvHeader(end < 0 ? text : text.slice(0, end));
    if (!columns.length || columns.some((c) => !c)) {
      throw new MeshError('E_SOURCE_FILE', `${path} has no header line naming every column`, { hint: 'The first line of a CSV source names its columns.' });
    }
    return columns;
  } finally {
    await handle.close();
  }
}

export class PostgresAdapter implements Adapter {
  readonly type = 'postgres';
  /** Snapshots and external files are DuckDB's for now: a run that needs them is refused before it starts. Shares live in the server, never in files. */
  readonly capabilities: AdapterCapabilities = { shares: 'schemas', pinnedShares: true, snapshots: false, externalFiles: false, tableExport: false };
  readonly statementLog?: string[];

  private constructor(
    private readonly pool: pg.Pool,
    private readonly where: { host: string; port: number; database: string; user?: string; passwordEnv: string },
    log: boolean,
  ) {
    if (log) this.statementLog = [];
  }

  /**
   * Connects, creating the target's database when it is missing (a team switching the target needs
   * nothing else set up), and checks the login once so a wrong password fails before any work starts.
   */
  static async open(options: PostgresAdapterOptions): Promise<PostgresAdapter> {
    const t = options.target;
    const env = options.env ?? process.env;
    const where = { host: t.host, port: t.port, database: t.database, user: t.user, passwordEnv: t.password_env };
    const config: pg.PoolConfig = { host: t.host, port: t.port, user: t.user, password: env[t.password_env], max: (options.threads ?? 4) + 1, connectionTimeoutMillis: 10_000 };
    const pool = new pg.Pool({ ...config, database: t.database });
    pool.on('error', () => undefined); // an idle client dropped by the server; the next query reconnects
    try {
      (await pool.connect()).release();
    } catch (error) {
      await pool.end();
      if ((error as { code?: string }).code !== '3D000') throw pgError(error, where);
      await createDatabase(config, t.database, where);
      return PostgresAdapter.open(options);
    }
    return new PostgresAdapter(pool, where, options.logStatements === true);
  }

  /** The error a user can act on, for errors of this server. */
  explain(error: unknown): unknown {
    return pgError(error, this.where);
  }

  async session(): Promise<AdapterSession> {
    try {
      return new PostgresSession(await this.pool.connect(), this);
    } catch (error) {
      throw this.explain(error);
    }
  }

  private async withSession<T>(work: (session: PostgresSession) => Promise<T>): Promise<T> {
    const session = (await this.session()) as PostgresSession;
    try {
      return await work(session);
    } finally {
      session.close();
    }
  }

  async listRelations(database: string): Promise<Map<string, RelationKind>> {
    const prefix = `${database}_`;
    const rows = await this.withSession((s) => s.query(
      `SELECT n.nspname AS schema, c.relname AS name, CASE WHEN c.relkind IN ('v', 'm') THEN 'view' ELSE 'table' END AS kind
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.relkind IN ('r', 'p', 'v', 'm') AND starts_with(n.nspname, ${lit(prefix)})`,
    ));
    const out = new Map<string, RelationKind>();
    for (const row of rows) out.set(`${String(row.schema).slice(prefix.length)}.${String(row.name)}`.toLowerCase(), row.kind as RelationKind);
    return out;
  }

  async ensureSchemas(database: string, schemas: string[]): Promise<void> {
    await this.withSession(async (s) => {
      for (const schema of new Set(schemas)) await s.execute(`CREATE SCHEMA IF NOT EXISTS ${q(pgSchema({ database, schema }))}`);
    });
  }

  /** Upstreams on PostgreSQL are read where they are published, on this server: nothing to attach. */
  async attach(name: string, path: string): Promise<void> {
    throw new MeshError('E_UPSTREAM_ENGINE', `upstream '${name}' publishes a DuckDB database (${path}), which a postgres target cannot read`, {
      hint: `Build '${name}' on the same PostgreSQL server (a postgres target), or build this project on DuckDB.`,
    });
  }

  async publish(_relations: PublishRelation[], destination: string): Promise<number[]> {
    throw new MeshError('E_PUBLISH_ENGINE', `the postgres adapter publishes shares in the database, not files (${destination})`, {
      hint: 'Publishing calls publishShare on adapters that have it.',
    });
  }

  async stageFiles(files: StagedFile[]): Promise<void> {
    // Each file in its own transaction on its own connection: loads run side by side, and a reader sees
    // the previous copy until the new one is complete.
    await this.withSession(async (s) => {
      for (const schema of new Set(files.map((f) => pgSchema(f.relation)))) await s.execute(`CREATE SCHEMA IF NOT EXISTS ${q(schema)}`);
    });
    const load = async (file: StagedFile) => this.withSession(async (s) => {
      await s.execute('BEGIN');
      try {
        await s.copyCsv(file.relation, file.path, true);
        await s.execute('COMMIT');
      } catch (error) {
        await s.execute('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
    await Promise.all(files.map(load));
  }

  /**
   * A share is a schema of tables copied from the producer's, masked columns computed on the way and
   * withheld ones left out, readable by the grantee's role only. A copy, not views: the producer's
   * next build changes its own tables, never what a publication holds, and no view definition (which
   * every role can read in the catalog) carries the masking key. Each publication writes schemas of
   * its own version in one transaction each; consumers read the one the current manifest names.
   */
  async publishShare(relations: PublishRelation[], share: ShareTarget, options: PublishOptions = {}): Promise<number[]> {
    return this.withSession(async (s) => {
      const role = consumerRole(share.grantee);
      if (role !== 'PUBLIC') {
        // Roles are global to the server and producers publish in parallel: a concurrent CREATE ROLE is fine.
        await s.execute(`DO $$ BEGIN CREATE ROLE ${role} NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`);
      }
      await s.execute('BEGIN');
      try {
        await s.execute(`DROP SCHEMA IF EXISTS ${q(share.schema)} CASCADE`);
        await s.execute(`CREATE SCHEMA ${q(share.schema)}`);
        const counts: number[] = [];
        for (const r of relations) {
          const columns = (await s.describe(`SELECT * FROM ${rel(r)}`)).map((c) => c.name);
          const masks = new Map((r.masks ?? []).map((m) => [m.column.toLowerCase(), m.method]));
          const withheld = new Set((r.withheld ?? []).map((c) => c.toLowerCase()));
          const select = columns.filter((c) => !withheld.has(c.toLowerCase())).map((c) => {
            const method = masks.get(c.toLowerCase());
            return method ? `${maskExpression(c, method, options.maskingKey)} AS ${q(c)}` : q(c);
          });
          await s.execute(`CREATE TABLE ${q(share.schema)}.${q(r.identifier)} AS SELECT ${select.join(', ')} FROM ${rel(r)}`);
          counts.push(Number((await s.query(`SELECT count(*) AS n FROM ${q(share.schema)}.${q(r.identifier)}`))[0]?.n ?? 0));
        }
        await s.execute(`REVOKE ALL ON SCHEMA ${q(share.schema)} FROM PUBLIC`);
        await s.execute(`GRANT USAGE ON SCHEMA ${q(share.schema)} TO ${role}`);
        await s.execute(`GRANT SELECT ON ALL TABLES IN SCHEMA ${q(share.schema)} TO ${role}`);
        await s.execute('COMMIT');
        return counts;
      } catch (error) {
        await s.execute('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  async dropStaleShares(producer: string, keep: string[]): Promise<void> {
    await this.withSession(async (s) => {
      const rows = await s.query(`SELECT nspname FROM pg_namespace WHERE starts_with(nspname, ${lit(`${producer}_share_`)})`);
      for (const row of rows) if (!keep.includes(String(row.nspname))) await s.execute(`DROP SCHEMA ${q(String(row.nspname))} CASCADE`);
    });
  }

  async exportTables(): Promise<number[]> {
    throw new MeshError('E_ADAPTER_UNSUPPORTED', 'the postgres adapter does not copy relations into files', {
      hint: 'Read the data where it is published: the share schemas on the server.',
    });
  }

  async describeRelations(relations: RelationName[]): Promise<RelationFacts[]> {
    if (!relations.length) return [];
    return this.withSession(async (s) => {
      const wanted = `(VALUES ${relations.map((r) => `(${lit(pgSchema(r))}, ${lit(r.identifier)})`).join(', ')}) AS w(s, t)`;
      const found = await s.query(
        `SELECT n.nspname AS s, c.relname AS t, CASE WHEN c.relkind IN ('v', 'm') THEN 'view' ELSE 'table' END AS kind,
                obj_description(c.oid, 'pg_class') AS comment, pg_get_userbyid(c.relowner) AS owner, pg_total_relation_size(c.oid) AS bytes
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN ${wanted} ON n.nspname = w.s AND c.relname = w.t
         WHERE c.relkind IN ('r', 'p', 'v', 'm')`,
      );
      const columns = await s.query(
        `SELECT n.nspname AS s, c.relname AS t, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnum AS idx, col_description(c.oid, a.attnum) AS comment
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace JOIN ${wanted} ON n.nspname = w.s AND c.relname = w.t
         WHERE a.attnum > 0 AND NOT a.attisdropped ORDER BY n.nspname, c.relname, a.attnum`,
      );
      const out: RelationFacts[] = [];
      for (const r of relations) {
        const row = found.find((f) => f.s === pgSchema(r) && f.t === r.identifier);
        if (!row) continue;
        const kind = row.kind as RelationKind;
        const facts: RelationFacts = {
          relation: r,
          kind,
          comment: (row.comment as string | null) ?? null,
          owner: (row.owner as string | null) ?? null,
          columns: columns.filter((c) => c.s === row.s && c.t === row.t).map((c, i) => ({ name: String(c.name), type: fromPgType(String(c.type)), index: i + 1, comment: (c.comment as string | null) ?? null })),
        };
        if (kind === 'table') {
          facts.rows = Number((await s.query(`SELECT count(*) AS n FROM ${rel(r)}`))[0]!.n);
          facts.bytes = Number(row.bytes);
          facts.bytesMeaning = "The table's size on disk with its indexes and TOAST data (pg_total_relation_size).";
        }
        out.push(facts);
      }
      return out;
    });
  }

  async loadedAt(sql: string): Promise<{ maxLoadedAt: Date | null; now: Date }> {
    // extract(epoch ...) counts a timestamp without a zone as UTC, as dbt reads one.
    const row = (await this.withSession((s) => s.query(`SELECT extract(epoch FROM (${sql})) * 1000 AS max_ms, extract(epoch FROM now()) * 1000 AS now_ms`)))[0]!;
    return { maxLoadedAt: row.max_ms === null ? null : new Date(Number(row.max_ms)), now: new Date(Number(row.now_ms)) };
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

async function createDatabase(config: pg.PoolConfig, database: string, where: Parameters<typeof pgError>[1]): Promise<void> {
  const client = new pg.Client({ ...config, database: 'postgres' });
  try {
    await client.connect();
    await client.query(`CREATE DATABASE ${q(database)}`);
  } catch (error) {
    // Two domains opening the new database at once: the other one made it.
    if ((error as { code?: string }).code !== '42P04') throw pgError(error, where);
  } finally {
    await client.end().catch(() => undefined);
  }
}
