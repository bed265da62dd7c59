import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { MeshError } from '@mesh/errors';
import type {
  Adapter, AdapterCapabilities, AdapterSession, ColumnInfo, ContractColumn, MaterializePlan, MaterializeResult, PublishRelation, QueryValue, RelationFacts, RelationKind, RelationName, ShareTarget, StagedFile, StatementAnswer, TrinoTargetConfig, PublishOptions, SqlErrorPosition,
} from '@mesh/engine';
import { TrinoClient, TrinoQueryError, type TrinoResult } from './client';
import { CsvConverter } from './csv-to-parquet';
import { describeColumns, fromTrinoType, fromTrinoValue, lit, maskExpression, q, rel, toTrinoType, trinoError, type ServerDescription } from './dialect';
import { constraintCheckQuery, constraintChecks, contractTableDdl, createTableAs, deleteInsertStatement, insertContractRows, mergeStatement, tmpName } from './materialize-sql';

export interface TrinoAdapterOptions {
  /** The target with its defaults filled in (the engine's resolved `trino` target). */
  target: TrinoTargetConfig & { user: string; catalog: string };
  /** Where the password comes from; `process.env` unless a test passes its own. */
  env?: Record<string, string | undefined>;
  logStatements?: boolean;
}

const token = () => randomBytes(4).toString('hex');

class TrinoSession implements AdapterSession {
  constructor(private readonly adapter: TrinoAdapter) {}

  execute(sql: string): Promise<void> {
    return this.adapter.run(sql).then(() => undefined);
  }

  async query(sql: string): Promise<Array<Record<string, unknown>>> {
    const result = await this.adapter.run(sql);
    return result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c.name, fromTrinoValue(row[i], c.type)])));
  }

  /** Trino reports where a query fails to analyze as a line and column of the statement sent. */
  async errorPosition(sql: string): Promise<SqlErrorPosition | undefined> {
    try {
      await this.adapter.run(`SELECT * FROM (\n${sql}\n) AS __mesh_position LIMIT 0`);
      return undefined;
    } catch (error) {
      const at = error instanceof TrinoQueryError ? error.location : undefined;
      return at && at.line > 1 ? { line: at.line - 1, column: at.column } : undefined;
    }
  }

  /** `LIMIT 0` plans the query and returns its columns with no rows read. */
  async describe(sql: string): Promise<ColumnInfo[]> {
    return describeColumns((await this.adapter.run(`SELECT * FROM (\n${sql}\n) AS __mesh_describe LIMIT 0`)).columns);
  }

  async canonicalTypes(declared: string[]): Promise<string[]> {
    if (!declared.length) return [];
    const select = (list: string[]) => `SELECT ${list.map((t, i) => `CAST(NULL AS ${toTrinoType(t)}) AS c${i}`).join(', ')} LIMIT 0`;
    try {
      return describeColumns((await this.adapter.run(select(declared))).columns).map((c) => c.type);
    } catch {
      for (const type of declared) {
        try {
          await this.adapter.run(select([type]));
        } catch (error) {
          throw new MeshError('E_TYPE_UNKNOWN', `'${type}' is not a type the trino adapter knows`, {
            hint: 'Use a type every engine knows: INTEGER, BIGINT, VARCHAR, DOUBLE, DECIMAL(18,2), DATE, TIMESTAMP or BOOLEAN.',
            details: (error as Error).message.split('\n')[0],
          });
        }
      }
      throw new Error('unreachable: every type parsed alone');
    }
  }

  materialize(plan: MaterializePlan, existing: RelationKind | undefined): Promise<MaterializeResult> {
    return this.adapter.materialize(plan, existing);
  }

  /** A template's statement: its rows with dates, timestamps and decimals tagged as templates read them. */
  async runStatement(sql: string, fetch: boolean): Promise<StatementAnswer> {
    const result = await this.adapter.run(sql);
    if (!fetch) return { columns: [], rows: [], rowsAffected: result.updateCount };
    const columns = describeColumns(result.columns);
    return { columns, rows: result.rows.map((row) => row.map((value, i) => templateValue(value, result.columns[i]!.type))), rowsAffected: result.updateCount };
  }

  async columnsOf(relation: RelationName): Promise<ColumnInfo[]> {
    return this.describe(`SELECT * FROM ${rel(relation)}`);
  }

  async relationKind(relation: RelationName): Promise<RelationKind | undefined> {
    const rows = await this.query(`SELECT table_type FROM ${q(relation.database)}.information_schema.tables
      WHERE lower(table_schema) = lower(${lit(relation.schema)}) AND lower(table_name) = lower(${lit(relation.identifier)})`);
    return rows.length ? (rows[0]!.table_type === 'VIEW' ? 'view' : 'table') : undefined;
  }

  async relationsLike(database: string, schemaPattern: string, identifierPattern: string, exclude: string): Promise<Array<RelationName & { kind: RelationKind }>> {
    const rows = await this.query(`SELECT table_schema, table_name, table_type FROM ${q(database)}.information_schema.tables
      WHERE table_schema <> 'information_schema' AND lower(table_schema) LIKE lower(${lit(schemaPattern)}) AND lower(table_name) LIKE lower(${lit(identifierPattern)})
      ${exclude ? `AND lower(table_name) NOT LIKE lower(${lit(exclude)})` : ''} ORDER BY 1, 2`);
    return rows.map((r) => ({ database, schema: String(r.table_schema), identifier: String(r.table_name), kind: r.table_type === 'VIEW' ? 'view' : 'table' }));
  }

  close(): void {}
}

/** A value of Trino's protocol as a template gets it: dates and timestamps tagged, decimals as their text. */
function templateValue(value: unknown, type: string): QueryValue {
  if (value === null || value === undefined) return null;
  const t = type.toLowerCase();
  if (t === 'date') return { temporal: 'date', text: String(value) };
  if (t.startsWith('timestamp')) return { temporal: 'datetime', text: String(value) };
  if (t.startsWith('decimal')) return { number: String(value) };
  return value as QueryValue;
}

/**
 * The engine's Trino adapter: each domain is an Iceberg catalog, built as the domain's own Trino user.
 * A build writes new snapshots of the same tables (a failed statement commits nothing), and shares are
 * views pinned to the snapshots a build tested, in a new schema per publication that Trino's access
 * control lets only the grantee read.
 */
export class TrinoAdapter implements Adapter {
  readonly type = 'trino';
  /** Snapshots and external files are DuckDB's for now: a run that needs them is refused before it starts. */
  readonly capabilities: AdapterCapabilities = { shares: 'schemas', pinnedShares: true, snapshots: false, externalFiles: false, tableExport: false };
  readonly statementLog?: string[];
  private readonly converter: CsvConverter;

  private constructor(
    private readonly client: TrinoClient,
    private readonly where: ServerDescription,
    readonly catalog: string,
    staging: TrinoAdapterOptions['target']['staging'],
    log: boolean,
  ) {
    this.converter = new CsvConverter(staging);
    if (log) this.statementLog = [];
  }

  /** Connects and checks the login and the domain's catalog once, so a wrong setting fails before any work. */
  static async open(options: TrinoAdapterOptions): Promise<TrinoAdapter> {
    const t = options.target;
    const env = options.env ?? process.env;
    const url = `${t.http_scheme}://${t.host}:${t.port}`;
    const where = { url, user: t.user, passwordEnv: t.password_env };
    let ca: string | undefined;
    if (t.ca_file) {
      try {
        ca = readFileSync(t.ca_file, 'utf8');
      } catch (error) {
        throw new MeshError('E_TRINO_TLS', `cannot read ca_file ${t.ca_file}: ${(error as Error).message}`, { hint: 'Fix ca_file: of the trino target.' });
      }
    }
    const client = new TrinoClient({ url, user: t.user, password: env[t.password_env], ca });
    const adapter = new TrinoAdapter(client, where, t.catalog, t.staging, options.logStatements === true);
    try {
      await adapter.run(`SHOW SCHEMAS FROM ${q(t.catalog)}`);
    } catch (error) {
      client.close();
      // Trino's access control answers first for a catalog the user may not use, whether it exists or not.
      const missing = (error instanceof TrinoQueryError && error.errorName === 'CATALOG_NOT_FOUND') || (error instanceof MeshError && error.code === 'E_TRINO_PERMISSION');
      if (missing) {
        throw new MeshError('E_TRINO_CATALOG', `the Trino cluster at ${url} has no catalog '${t.catalog}' that ${t.user} may build into`, {
          hint: `Each domain builds into an Iceberg catalog of its own: the cluster needs etc/catalog/${t.catalog}.properties and an access rule that makes ${t.user} its owner (see docs/engines.md), or set catalog: of the trino target.`,
        });
      }
      throw error;
    }
    return adapter;
  }

  async run(sql: string): Promise<TrinoResult> {
    this.statementLog?.push(sql);
    try {
      return await this.client.query(sql);
    } catch (error) {
      throw trinoError(error, this.where);
    }
  }

  async session(): Promise<AdapterSession> {
    return new TrinoSession(this);
  }

  private async rows(sql: string): Promise<Array<Record<string, unknown>>> {
    return new TrinoSession(this).query(sql);
  }

  async listRelations(database: string): Promise<Map<string, RelationKind>> {
    const rows = await this.rows(
      `SELECT table_schema, table_name, table_type FROM ${q(database)}.information_schema.tables WHERE table_schema <> 'information_schema'`,
    );
    const out = new Map<string, RelationKind>();
    for (const row of rows) out.set(`${String(row.table_schema)}.${String(row.table_name)}`.toLowerCase(), row.table_type === 'VIEW' ? 'view' : 'table');
    return out;
  }

  /** For catalog.json: Trino's information_schema of each catalog, and row counts of tables (Iceberg keeps no byte size Trino reports). */
  async describeRelations(relations: RelationName[]): Promise<RelationFacts[]> {
    const out: RelationFacts[] = [];
    for (const catalog of new Set(relations.map((r) => r.database))) {
      const wanted = relations.filter((r) => r.database === catalog);
      const pairs = wanted.map((r) => `(${lit(r.schema.toLowerCase())}, ${lit(r.identifier.toLowerCase())})`).join(', ');
      const tables = await this.rows(`SELECT table_schema, table_name, table_type FROM ${q(catalog)}.information_schema.tables WHERE (table_schema, table_name) IN (VALUES ${pairs})`);
      const columns = await this.rows(`SELECT table_schema, table_name, column_name, data_type, ordinal_position FROM ${q(catalog)}.information_schema.columns WHERE (table_schema, table_name) IN (VALUES ${pairs}) ORDER BY table_schema, table_name, ordinal_position`);
      for (const t of tables) {
        const relation = { database: catalog, schema: String(t.table_schema), identifier: String(t.table_name) };
        const kind: RelationKind = t.table_type === 'VIEW' ? 'view' : 'table';
        const facts: RelationFacts = {
          relation,
          kind,
          comment: null,
          owner: null,
          columns: columns
            .filter((c) => c.table_schema === t.table_schema && c.table_name === t.table_name)
            .map((c) => ({ name: String(c.column_name), type: fromTrinoType(String(c.data_type)), index: Number(c.ordinal_position), comment: null })),
        };
        if (kind === 'table') facts.rows = Number((await this.rows(`SELECT count(*) AS n FROM ${rel(relation)}`))[0]?.n ?? 0);
        out.push(facts);
      }
    }
    return out;
  }

  /** A timestamp without a zone is read in the session's zone, UTC unless the cluster says otherwise. */
  async loadedAt(sql: string): Promise<{ maxLoadedAt: Date | null; now: Date }> {
    const row = (await this.rows(`SELECT to_unixtime(CAST((${sql}) AS timestamp(6) with time zone)) * 1000 AS max_ms, to_unixtime(current_timestamp) * 1000 AS now_ms`))[0]!;
    return { maxLoadedAt: row.max_ms === null || row.max_ms === undefined ? null : new Date(Number(row.max_ms)), now: new Date(Number(row.now_ms)) };
  }

  async exportTables(): Promise<number[]> {
    throw new MeshError('E_ADAPTER_UNSUPPORTED', 'the trino adapter does not copy relations into files', {
      hint: 'Read the data where it is published: the share schemas in the producer\'s catalog.',
    });
  }

  async ensureSchemas(database: string, schemas: string[]): Promise<void> {
    for (const schema of new Set(schemas)) await this.run(`CREATE SCHEMA IF NOT EXISTS ${q(database)}.${q(schema)}`);
  }

  /** Upstreams on Trino are read where they are published, in their catalogs: there is no file to attach. */
  async attach(name: string, path: string): Promise<void> {
    throw new MeshError('E_UPSTREAM_ENGINE', `upstream '${name}' publishes a DuckDB database (${path}), which Trino cannot read`, {
      hint: `Build '${name}' on the same Trino cluster (a trino target), or build this project on DuckDB.`,
    });
  }

  async publish(_relations: PublishRelation[], destination: string): Promise<number[]> {
    throw new MeshError('E_PUBLISH_ENGINE', `the trino adapter publishes shares in the cluster, not files (${destination})`, {
      hint: 'Publishing calls publishShare on adapters whose capabilities say shares: schemas.',
    });
  }

  async materialize(plan: MaterializePlan, existing: RelationKind | undefined): Promise<MaterializeResult> {
    const target = plan.relation;
    switch (plan.kind) {
      case 'view':
        // A table cannot become a view in one statement; the rare change of materialization is two.
        if (existing === 'table') await this.run(`DROP TABLE ${rel(target)}`);
        await this.run(`CREATE OR REPLACE VIEW ${rel(target)} AS ${`SELECT * FROM (\n${plan.sql}\n) AS __mesh_model`}`);
        return {};
      case 'table':
        return { rows: await this.buildTable(target, plan.sql, existing, plan.contract) };
      case 'seed':
        return { rows: await this.loadSeed(target, plan, existing) };
      case 'incremental': {
        if (existing !== 'table') return { rows: await this.buildTable(target, plan.sql, existing, plan.contract) };
        const columns = (await new TrinoSession(this).describe(plan.sql)).map((c) => c.name);
        if (plan.strategy === 'delete+insert' && plan.uniqueKey.length) {
          return { rows: await this.withStaged(target, plan.sql, plan.contract, async (staged) => {
            const count = Number((await this.rows(`SELECT count(*) AS n FROM ${rel(staged)}`))[0]?.n ?? 0);
            await this.run(deleteInsertStatement(target, staged, columns, plan.uniqueKey));
            return count;
          }) };
        }
        if (plan.contract && needsChecks(plan.contract)) {
          // The new rows are checked before they reach the table: staged, counted, then merged.
          return { rows: await this.withStaged(target, plan.sql, plan.contract, async (staged) =>
            (await this.run(mergeStatement(target, `SELECT * FROM ${rel(staged)}`, columns, plan.strategy === 'append' ? [] : plan.uniqueKey))).updateCount) };
        }
        return { rows: (await this.run(mergeStatement(target, plan.sql, columns, plan.strategy === 'append' ? [] : plan.uniqueKey))).updateCount };
      }
      case 'snapshot':
      case 'external':
        // The engine checks capabilities before a run; this is the last line should a caller skip that.
        throw new MeshError('E_ADAPTER_UNSUPPORTED', `the trino adapter does not build ${plan.kind === 'snapshot' ? 'snapshots' : 'external models'}`, {
          hint: 'Build the project on a duckdb target.',
        });
    }
  }

  /**
   * A table without constraints is one `CREATE OR REPLACE TABLE ... AS`: a new snapshot or nothing. With
   * contract constraints, the rows go first into a staging table declared with the contract's NOT NULL
   * columns (Trino refuses a NULL there), the constraints Iceberg cannot hold are counted on it, and only
   * then does one statement replace the table.
   */
  private async buildTable(target: RelationName, sql: string, existing: RelationKind | undefined, contract: ContractColumn[] | undefined): Promise<number | undefined> {
    if (existing === 'view') await this.run(`DROP VIEW ${rel(target)}`);
    const replace = existing === 'table';
    if (!contract || !needsChecks(contract)) {
      return this.created(await this.run(createTableAs(target, sql, replace, contract?.map((c) => c.name))));
    }
    return this.withStaged(target, sql, contract, async (staged) =>
      this.created(await this.run(createTableAs(target, `SELECT * FROM ${rel(staged)}`, replace))));
  }

  /** Stages the rows of `sql` (under the contract, with its checks), runs `use`, and always drops the staging table. */
  private async withStaged<T>(target: RelationName, sql: string, contract: ContractColumn[] | undefined, use: (staged: RelationName) => Promise<T>): Promise<T> {
    const staged = tmpName(target, `new_${token()}`);
    try {
      if (contract) {
        await this.run(contractTableDdl(staged, contract));
        await this.run(insertContractRows(staged, sql, contract));
        await this.checkConstraints(target, staged, contract);
      } else {
        await this.run(createTableAs(staged, sql, false));
      }
      return await use(staged);
    } finally {
      await this.run(`DROP TABLE IF EXISTS ${rel(staged)}`).catch(() => undefined);
    }
  }

  private async checkConstraints(target: RelationName, staged: RelationName, contract: ContractColumn[]): Promise<void> {
    const checks = constraintChecks(staged, contract);
    if (!checks.length) return;
    const [row] = (await this.run(constraintCheckQuery(checks))).rows;
    const broken = checks.map((c, i) => ({ label: c.label, rows: Number(row?.[i] ?? 0) })).filter((c) => c.rows > 0);
    if (!broken.length) return;
    throw new MeshError('E_CONTRACT_CONSTRAINT', `${target.schema}.${target.identifier} breaks its contract's ${broken.map((b) => `${b.label} (${b.rows} row${b.rows === 1 ? '' : 's'})`).join(', ')}`, {
      hint: 'Trino checks these constraints before the table is replaced (Iceberg holds only NOT NULL); the previous table is left as it was. Fix the model or the contract.',
    });
  }

  private created(result: TrinoResult): number | undefined {
    const n = result.rows[0]?.[0];
    return typeof n === 'number' ? n : result.updateCount;
  }

  /** A seed: DuckDB's reader writes Parquet, Iceberg adds the file to a load table, one statement copies it in. */
  private async loadSeed(target: RelationName, plan: Extract<MaterializePlan, { kind: 'seed' }>, existing: RelationKind | undefined): Promise<number | undefined> {
    if (existing === 'view') await this.run(`DROP VIEW ${rel(target)}`);
    const load = tmpName(target, `load_${token()}`);
    const staged = await this.converter.convert(plan.path, `${target.database}/${target.schema}/${load.identifier}`, 'seed', plan);
    try {
      await this.addParquet(load, staged.columns, staged.location);
      return this.created(await this.run(createTableAs(target, `SELECT * FROM ${rel(load)}`, existing === 'table')));
    } finally {
      await this.run(`DROP TABLE IF EXISTS ${rel(load)}`).catch(() => undefined);
      rmSync(staged.dir, { recursive: true, force: true });
    }
  }

  private async addParquet(into: RelationName, columns: ColumnInfo[], location: string): Promise<void> {
    await this.run(`CREATE TABLE ${rel(into)} (${columns.map((c) => `${q(c.name)} ${toTrinoType(c.type)}`).join(', ')})`);
    await this.run(`ALTER TABLE ${rel(into)} EXECUTE add_files(location => ${lit(location)}, format => 'PARQUET')`);
  }

  /**
   * External CSV sources, loaded at each build. Each becomes a table of its own file (added, not
   * copied: a ten-million-line source costs one Parquet write), and the source's name a view over the
   * newest one, replaced in one statement; the load it replaced is dropped after.
   */
  async stageFiles(files: StagedFile[]): Promise<void> {
    for (const schema of new Set(files.map((f) => `${q(f.relation.database)}.${q(f.relation.schema)}`))) await this.run(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    // One after the other: DuckDB converts each file with all its threads already.
    for (const file of files) {
      const target = file.relation;
      const load = tmpName(target, `load_${token()}`);
      const folder = `${target.database}/${target.schema}/${load.identifier}`;
      const staged = await this.converter.convert(file.path, folder, 'source');
      await this.addParquet(load, staged.columns, staged.location);
      await this.run(`CREATE OR REPLACE VIEW ${rel(target)} AS SELECT * FROM ${rel(load)}`);
      const prefix = `${target.identifier}__mesh_load_`.toLowerCase();
      const old = await this.rows(
        `SELECT table_name FROM ${q(target.database)}.information_schema.tables WHERE table_schema = ${lit(target.schema.toLowerCase())} AND starts_with(table_name, ${lit(prefix)}) AND table_name <> ${lit(load.identifier.toLowerCase())}`,
      );
      for (const row of old) {
        const name = String(row.table_name);
        await this.run(`DROP TABLE IF EXISTS ${rel({ ...target, identifier: name })}`);
        this.converter.remove(`${target.database}/${target.schema}/${name}`);
      }
    }
  }

  /** The snapshot a table reads now, as text: Iceberg's ids are 64-bit and JSON numbers are not. */
  private async currentSnapshot(r: RelationName): Promise<string | undefined> {
    const rows = await this.rows(`SELECT CAST(snapshot_id AS varchar) AS id FROM ${q(r.database)}.${q(r.schema)}.${q(`${r.identifier}$refs`)} WHERE name = 'main'`);
    return rows[0] ? String(rows[0].id) : undefined;
  }

  /**
   * A share: a new schema of views, each reading the snapshot of its table as this build tested it
   * (`FOR VERSION AS OF`), withheld columns left out. Views run with their owner's rights, so the
   * grantee needs nothing on the producer's schemas; Trino's access control lets the grantee's user
   * read schemas named `..._share_<grantee>_v...` only. A model whose personal data is hashed is copied
   * instead, the keyed hash computed on the way: a view would carry the key in its definition.
   */
  async publishShare(relations: PublishRelation[], share: ShareTarget, options: PublishOptions = {}): Promise<number[]> {
    const schema = `${q(this.catalog)}.${q(share.schema)}`;
    await this.run(`CREATE SCHEMA ${schema}`);
    const counts: number[] = [];
    for (const r of relations) {
      const kinds = await this.rows(`SELECT table_type FROM ${q(r.database)}.information_schema.tables WHERE table_schema = ${lit(r.schema.toLowerCase())} AND table_name = ${lit(r.identifier.toLowerCase())}`);
      const snapshot = kinds[0]?.table_type === 'BASE TABLE' ? await this.currentSnapshot(r) : undefined;
      const from = `${rel(r)}${snapshot ? ` FOR VERSION AS OF ${snapshot}` : ''}`;
      const columns = (await new TrinoSession(this).describe(`SELECT * FROM ${from}`)).map((c) => c.name);
      const masks = new Map((r.masks ?? []).map((m) => [m.column.toLowerCase(), m.method]));
      const withheld = new Set((r.withheld ?? []).map((c) => c.toLowerCase()));
      const select = columns.filter((c) => !withheld.has(c.toLowerCase())).map((c) => {
        const method = masks.get(c.toLowerCase());
        return method ? `${maskExpression(c, method, options.maskingKey)} AS ${q(c)}` : q(c);
      });
      const keyed = (r.masks ?? []).some((m) => m.method === 'hash');
      await this.run(`CREATE ${keyed ? 'TABLE' : 'VIEW'} ${schema}.${q(r.identifier)} AS SELECT ${select.join(', ')} FROM ${from}`);
      counts.push(Number((await this.rows(`SELECT count(*) AS n FROM ${from}`))[0]?.n ?? 0));
    }
    return counts;
  }

  /** Drops the share schemas of this producer that `keep` does not name: revoked grants and old publications. */
  async dropStaleShares(producer: string, keep: string[]): Promise<void> {
    const prefix = `${producer}_share_`.toLowerCase();
    const schemas = await this.rows(`SELECT schema_name FROM ${q(this.catalog)}.information_schema.schemata WHERE starts_with(schema_name, ${lit(prefix)})`);
    const kept = new Set(keep.map((k) => k.toLowerCase()));
    for (const row of schemas) {
      const schema = String(row.schema_name);
      if (kept.has(schema)) continue;
      const relations = await this.rows(`SELECT table_name, table_type FROM ${q(this.catalog)}.information_schema.tables WHERE table_schema = ${lit(schema)}`);
      for (const v of relations) await this.run(`DROP ${v.table_type === 'VIEW' ? 'VIEW' : 'TABLE'} IF EXISTS ${q(this.catalog)}.${q(schema)}.${q(String(v.table_name))}`);
      await this.run(`DROP SCHEMA IF EXISTS ${q(this.catalog)}.${q(schema)}`);
    }
  }

  async close(): Promise<void> {
    this.converter.close();
    this.client.close();
  }
}

const needsChecks = (contract: ContractColumn[]) => contract.some((c) => c.notNull || c.primaryKey || c.unique || c.checks.length > 0);
