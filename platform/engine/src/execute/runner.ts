import { MeshError } from '@mesh/errors';
import type { Compiler } from '../compile/compile';
import type { Dag } from '../graph/dag';
import type { Resolution } from '../graph/resolve-refs';
import type { ParsedProject } from '../parse/parse-project';
import { isModelLike, type GraphNode, type ModelNode, type TestNode } from '../types';
import { RunTimeRenderer } from './run-time-render';
import { qualifiedName } from '../compile/relations';
import { isCommentOnly } from '../util/sql-text';
import { relationKey, type Adapter, type AdapterSession, type MaterializePlan, type RelationKind } from './adapter';
import { checkContract } from './contract';
import { testEdges } from './test-edges';
import { databaseErrorHint } from './database-error-hint';
import { NodeStates, type BuildState } from './build-state';
import { failpoint } from '../util/failpoint';
import { sourceColumn, sourceLine } from './source-line';
import { runUnitTest } from './unit-test';
import { orderUnitTests } from './unit-test-order';
import type { NodeResult } from './results';

export type RunCommand = 'run' | 'test' | 'build' | 'seed' | 'snapshot';

export interface RunEvents {
  onStart?(node: GraphNode, index: number, total: number): void;
  onEnd?(node: GraphNode, result: NodeResult, index: number, total: number): void;
}

export interface RunOptions extends RunEvents {
  command: RunCommand;
  selected: Set<string>;
  threads: number;
  fullRefresh?: boolean;
  /** How many failing rows of a test to show. */
  failingRowLimit?: number;
  /** dbt's fail_fast: after the first failure nothing more starts; what has not run is skipped. */
  failFast?: boolean;
  /** dbt's warn_error: a test that would warn fails. */
  warnError?: boolean;
}

function executes(node: GraphNode, command: RunCommand): boolean {
  if ('external' in node && node.external) return false;
  switch (node.resource_type) {
    case 'model':
      return command === 'run' || command === 'build';
    case 'seed':
      return command === 'seed' || command === 'build';
    case 'snapshot':
      return command === 'snapshot' || command === 'build';
    case 'test':
    case 'unit_test':
      return command === 'test' || command === 'build';
    default:
      return false;
  }
}

const isEphemeral = (node: GraphNode) => node.resource_type === 'model' && node.config.materialized === 'ephemeral';

/**
 * A column the upstream withheld from this project reads to DuckDB as a column that does not exist; the
 * user needs to hear that it is personal data they have no clearance for, not that they misspelled it.
 */
function withheldColumn(node: GraphNode, text: string, withheld: Resolution['withheld']): { column: string; model: string; hint: string } | undefined {
  const column = /Referenced column "?([^"\s]+)"? not found/.exec(text)?.[1];
  if (!column || !('depends_on' in node)) return undefined;
  for (const id of node.depends_on.nodes) {
    const entry = withheld.get(id);
    const name = entry?.columns.find((c) => c.toLowerCase() === column.toLowerCase());
    if (entry && name) return { column: name, model: id, hint: entry.hint };
  }
  return undefined;
}

/**
 * A file a source reads that is not there, said with the source that reads it and where its
 * external_location is written (and, for a relative path, where it was read from).
 */
function missingFileHint(text: string, node: GraphNode, dag: Dag): string | undefined {
  const path = /No files found that match the pattern "([^"]+)"/.exec(text)?.[1];
  if (!path || !('depends_on' in node)) return undefined;
  for (const id of node.depends_on.nodes) {
    const source = dag.nodes.get(id);
    if (source?.resource_type !== 'source' || !source.external_location?.includes(path)) continue;
    return `source('${source.source_name}', '${source.name}') reads ${path}, which does not exist. Fix its external_location in ${source.original_file_path} (or the vars and environment variables it uses), or create the file.`;
  }
  return undefined;
}

function errorResult(node: GraphNode, error: unknown, withheld: Resolution['withheld'], dag: Dag): Pick<NodeResult, 'status' | 'message' | 'error'> {
  if (error instanceof MeshError) {
    return {
      status: 'error',
      message: error.message,
      error: { code: error.code, hint: error.hint, details: error.details, file: error.location?.file, line: error.location?.line },
    };
  }
  const text = error instanceof Error ? error.message : String(error);
  const refused = withheldColumn(node, text, withheld);
  if (refused) {
    return {
      status: 'error',
      message: `${node.unique_id} reads column '${refused.column}' of ${refused.model}, which is personal data withheld from this project`,
      error: { code: 'E_PII_WITHHELD', file: node.original_file_path, hint: refused.hint, details: text.split('\n')[0] },
    };
  }
  return {
    status: 'error',
    message: text,
    error: {
      code: 'E_SQL',
      file: node.original_file_path,
      hint: missingFileHint(text, node, dag) ?? databaseErrorHint(text),
    },
  };
}

/** Runs the selected nodes in DAG order on up to `threads` sessions; a failure skips everything downstream. */
export class Runner {
  constructor(
    private readonly parsed: ParsedProject,
    private readonly dag: Dag,
    private readonly resolution: Resolution,
    private readonly compiler: Compiler,
    private readonly adapter: Adapter,
    /** Relations in the database now; kept current as nodes are built. */
    private readonly relations: Map<string, RelationKind>,
    private readonly renderer: RunTimeRenderer = new RunTimeRenderer(parsed, dag, resolution, compiler),
    /** The journal of what the database holds and which tests passed on it. */
    private readonly state?: BuildState,
    private readonly states?: NodeStates,
  ) {}

  async run(options: RunOptions): Promise<NodeResult[]> {
    const { command } = options;
    const runnable = [...options.selected].filter((id) => {
      const node = this.dag.nodes.get(id);
      return node && (executes(node, command) || (isEphemeral(node) && command !== 'test' && command !== 'seed'));
    });
    const set = new Set(runnable);
    // dbt build: a node waits for the tests of what is upstream of it, and is skipped if one fails.
    const gates = command === 'build' ? testEdges(this.dag, runnable.filter((id) => this.dag.nodes.get(id)!.resource_type === 'test')) : new Map<string, string[]>();
    const waitsFor = new Map<string, string[]>();
    for (const id of runnable) {
      if (this.dag.nodes.get(id)!.resource_type === 'unit_test') continue;
      const prereq = new Set(this.dag.parents.get(id)!.filter((p) => set.has(p)));
      for (const test of gates.get(id) ?? []) prereq.add(test);
      waitsFor.set(id, [...prereq]);
    }
    orderUnitTests(this.dag, runnable, waitsFor, command);
    return this.schedule(runnable, waitsFor, options);
  }

  private async schedule(ids: string[], waitsFor: Map<string, string[]>, options: RunOptions): Promise<NodeResult[]> {
    const pending = new Map<string, number>();
    const dependents = new Map<string, string[]>();
    for (const id of ids) {
      pending.set(id, waitsFor.get(id)!.length);
      for (const p of waitsFor.get(id)!) {
        const list = dependents.get(p) ?? [];
        list.push(id);
        dependents.set(p, list);
      }
    }
    const ready = ids.filter((id) => pending.get(id) === 0).sort();
    const failed = new Set<string>();
    const results: NodeResult[] = [];
    const reported = ids.filter((id) => !isEphemeral(this.dag.nodes.get(id)!)).length;
    let counter = 0;
    let done = 0;
    let running = 0;
    const threads = Math.max(1, options.threads);
    const sessions: AdapterSession[] = [];
    for (let i = 0; i < Math.min(threads, Math.max(1, ids.length)); i++) sessions.push(await this.adapter.session());

    const finish = (id: string, ok: boolean) => {
      done++;
      if (!ok) failed.add(id);
      for (const child of dependents.get(id) ?? []) {
        const left = pending.get(child)! - 1;
        pending.set(child, left);
        if (left === 0) ready.push(child);
      }
    };

    const skip = (id: string, because: string, kind: 'skipped' | 'stopped' | 'error' = 'skipped') => {
      const node = this.dag.nodes.get(id)!;
      const now = new Date().toISOString();
      const index = ++counter;
      const status = kind === 'error' ? 'error' : 'skipped';
      const result: NodeResult = {
        unique_id: id, status, message: kind === 'skipped' ? `skipped because ${because} failed` : because,
        execution_time: 0, started_at: now, completed_at: now, thread_id: 'main',
        ...(status === 'error' ? { error: { code: 'E_BUILD_ORDER', file: node.original_file_path, hint: 'The node waits on tests that wait on it; report this with the project, it should not happen.' } } : {}),
      };
      results.push(result);
      options.onEnd?.(node, result, index, reported);
    };

    const worker = async (session: AdapterSession, threadId: string): Promise<void> => {
      for (;;) {
        const id = ready.shift();
        if (id === undefined) {
          if (done === ids.length) return;
          if (running === 0) {
            // Nothing runs and nothing is ready: the remaining nodes wait on each other (a test that
            // checks a model downstream of what it guards). Skip them rather than hang.
            for (const [left, count] of pending) if (count > 0 && !results.some((r) => r.unique_id === left)) {
              pending.set(left, 0);
              skip(left, `${left} was never ready: it waits on nodes that wait on it`, 'error');
              finish(left, false);
            }
            wake();
            continue;
          }
          await new Promise<void>((resolve) => waiters.push(resolve));
          continue;
        }
        const node = this.dag.nodes.get(id)!;
        const failedParent = (this.dag.parents.get(id) ?? []).concat(waitsFor.get(id) ?? []).find((p) => failed.has(p));
        if (options.failFast && failed.size && !failedParent) {
          if (!isEphemeral(node)) skip(id, 'Skipping due to fail_fast', 'stopped');
          finish(id, false);
        } else if (failedParent) {
          if (!isEphemeral(node)) skip(id, failedParent);
          finish(id, false);
        } else if (isEphemeral(node)) {
          finish(id, true);
        } else {
          const index = ++counter;
          options.onStart?.(node, index, reported);
          running++;
          const result = await this.executeNode(node, session, threadId, options).finally(() => running--);
          results.push(result);
          options.onEnd?.(node, result, index, reported);
          finish(id, result.status !== 'error' && result.status !== 'fail');
        }
        wake();
      }
    };
    const waiters: Array<() => void> = [];
    const wake = () => {
      for (const w of waiters.splice(0)) w();
    };
    try {
      await Promise.all(sessions.map((s, i) => worker(s, `Thread-${i + 1}`)));
    } finally {
      for (const s of sessions) s.close();
    }
    return results;
  }

  private async executeNode(node: GraphNode, session: AdapterSession, threadId: string, options: RunOptions): Promise<NodeResult> {
    const started = new Date();
    const t0 = performance.now();
    let partial: Pick<NodeResult, 'status' | 'message' | 'rows' | 'failures' | 'failingRows' | 'error' | 'diff'>;
    let compiled: string | undefined;
    let relationName: string | undefined;
    try {
      session.queryComment = this.parsed.queryComment?.(node);
      if (node.resource_type === 'test') {
        // A test whose SQL asked the database while parsing (a package test reading columns) renders again.
        compiled = this.parsed.rendered.get(node.unique_id)?.dynamic ? await this.renderer.nodeSql(node, session, false) : this.compiler.compileNode(node).sql;
        // The states the test runs on: a pass vouches for these and for no later ones.
        const on = this.states?.parentStates(node.unique_id) ?? {};
        let status: NodeResult['status'] = 'error';
        try {
          partial = await this.executeTest(node, compiled, session, options.failingRowLimit ?? 5, options.warnError === true);
          status = partial.status;
        } finally {
          this.state?.tested(node.unique_id, status, on);
        }
        failpoint(`tested:${node.unique_id}`);
      } else if (node.resource_type === 'unit_test') {
        const outcome = await runUnitTest(node, this.compiler.compileNode(node).unitTest!, session);
        compiled = outcome.compiled;
        partial = { status: outcome.status, message: outcome.message, failures: outcome.failures, diff: outcome.diff };
      } else if (isModelLike(node)) {
        const out = await this.executeModel(node, session, options.fullRefresh === true);
        compiled = out.sql;
        relationName = out.relation;
        partial = { status: 'success', message: out.message, rows: out.rows };
      } else {
        partial = { status: 'skipped', message: 'not executable' };
      }
    } catch (error) {
      partial = errorResult(node, error, this.resolution.withheld, this.dag);
      if (partial.error && !partial.error.file) partial.error.file = node.original_file_path;
      if (partial.error?.code === 'E_SQL') await this.locate(node, partial.error, session);
    } finally {
      session.queryComment = undefined;
    }
    return {
      unique_id: node.unique_id,
      ...partial,
      execution_time: (performance.now() - t0) / 1000,
      started_at: started.toISOString(),
      completed_at: new Date().toISOString(),
      thread_id: threadId,
      compiled_code: compiled,
      relation_name: relationName,
    };
  }

  /**
   * Points a database error at the line of the model's own file: the database places it in the compiled
   * SQL (asked again for the query alone, since a statement run inside a transaction batch reports no
   * position), and the compiled line is aligned back onto the file.
   */
  private async locate(node: GraphNode, error: NonNullable<NodeResult['error']>, session: AdapterSession): Promise<void> {
    if (node.resource_type === 'source' || node.resource_type === 'unit_test' || (node.resource_type === 'test' && node.test_metadata) || node.resource_type === 'seed') return;
    let sql: string;
    try {
      sql = this.compiler.compileNode(node).sql;
    } catch {
      return;
    }
    const position = await session.errorPosition(sql).catch(() => undefined);
    if (!position) return;
    const line = sourceLine(sql, node.raw_code, position.line);
    if (line === undefined) return;
    error.line = line;
    const column = position.column === undefined ? undefined : sourceColumn(sql.split('\n')[position.line - 1] ?? '', node.raw_code.split('\n')[line - 1] ?? '', position.column);
    if (column !== undefined) error.column = column;
    const shown = node.raw_code.split('\n')[line - 1] ?? '';
    error.details = [error.details, `${line} | ${shown}`, ...(column !== undefined ? [`${' '.repeat(String(line).length)} | ${' '.repeat(column - 1)}^`] : []), `(line ${position.line} of the compiled SQL in target/compiled/)`].filter(Boolean).join('\n');
  }

  /**
   * Counts the failures with the test's fail_calc and compares them with error_if and warn_if in the
   * database, as dbt does; with store_failures the failing rows are kept in a table of the audit schema.
   */
  private async executeTest(node: TestNode, sql: string, session: AdapterSession, limit: number, warnError: boolean) {
    const c = node.config;
    if (c.store_failures) {
      // Built as a table model is, so each engine replaces it in its own dialect.
      const relation = { database: this.parsed.target.database, schema: c.schema ?? 'main_dbt_test__audit', identifier: node.alias };
      const key = relationKey(relation);
      await session.materialize({ kind: 'table', relation, sql }, this.relations.get(key));
      this.relations.set(key, 'table');
      sql = `select * from ${qualifiedName(relation, this.parsed.target)}`;
    }
    const [row] = await session.query(
      `SELECT failures, (failures ${c.error_if}) AS should_error, (failures ${c.warn_if}) AS should_warn FROM (SELECT ${c.fail_calc} AS failures FROM (\n${sql}\n) AS __mesh_test) AS __mesh_counts`,
    );
    const failures = Number(row?.failures ?? 0);
    const shouldError = c.severity === 'error' && row?.should_error === true;
    const shouldWarn = row?.should_warn === true;
    if (!shouldError && !shouldWarn) return { status: 'pass' as const, message: 'pass', failures };
    const shown = c.limit === undefined ? limit : Math.min(limit, c.limit);
    const failingRows = await session.query(`SELECT * FROM (\n${sql}\n) AS __mesh_test LIMIT ${shown}`);
    const status = shouldError || warnError ? ('fail' as const) : ('warn' as const);
    return { status, message: `${failures} failing row${failures === 1 ? '' : 's'}`, failures, failingRows };
  }

  private async executeModel(node: ModelNode, session: AdapterSession, fullRefresh: boolean) {
    const relation = { database: node.database, schema: node.schema, identifier: node.alias };
    const key = relationKey(relation);
    const existing = this.relations.get(key);
    const config = node.config;
    let plan: MaterializePlan;
    let sql = '';
    if (node.resource_type === 'seed') {
      plan = {
        kind: 'seed', relation, path: `${this.parsed.root}/${node.original_file_path}`, file: node.original_file_path,
        columnTypes: config.column_types ?? {},
        delimiter: typeof config.delimiter === 'string' ? config.delimiter : undefined,
        quoteColumns: typeof config.quote_columns === 'boolean' ? config.quote_columns : undefined,
      };
    } else if (node.resource_type === 'snapshot') {
      // Snapshots are never rebuilt from scratch, not even with --full-refresh: their history is the point.
      sql = this.parsed.rendered.get(node.unique_id)?.dynamic ? await this.renderer.nodeSql(node, session, false) : this.compiler.compileNode(node).sql;
      plan = { kind: 'snapshot', relation, sql, snapshot: node.snapshot! };
    } else {
      // An incremental model merges into its table once it exists; the first build and a full refresh
      // build the whole table and swap it in, as a table model does.
      const merging = config.materialized === 'incremental' && existing === 'table' && !fullRefresh && config.full_refresh !== true;
      // dbt renders a model again at run time when it introspects, and an incremental one to merge.
      sql = merging || this.parsed.rendered.get(node.unique_id)?.dynamic ? await this.renderer.nodeSql(node, session, merging) : this.compiler.compileNode(node).sql;
      if (isCommentOnly(sql)) {
        throw new MeshError('E_MODEL_EMPTY', `model ${node.name} has no SQL to build: ${node.original_file_path} holds only comments`, {
          location: { file: node.original_file_path, line: 1 },
          node: node.unique_id,
          hint: 'Write the model\'s select statement, or delete the file.',
        });
      }
      await this.runModelHooks(node, 'pre-hook', session);
      const contract = config.contract.enforced ? await checkContract(node, await session.describe(sql), session) : undefined;
      if (config.materialized === 'view') plan = { kind: 'view', relation, sql };
      else if (config.materialized === 'external') plan = { kind: 'external', relation, sql, external: node.externalFiles! };
      else if (merging) {
        const uniqueKey = config.unique_key === undefined ? [] : Array.isArray(config.unique_key) ? config.unique_key : [config.unique_key];
        const strategy = config.incremental_strategy ?? (uniqueKey.length ? 'merge' : 'append');
        plan = { kind: 'incremental', relation, sql, strategy, uniqueKey, contract };
      } else plan = { kind: 'table', relation, sql, contract };
    }
    const from = this.states?.parentStates(node.unique_id) ?? {};
    this.state?.building(node.unique_id);
    let result: Awaited<ReturnType<AdapterSession['materialize']>>;
    try {
      result = await session.materialize(plan, existing);
    } catch (error) {
      // Materializations are atomic: a failed one left the relation as it was.
      this.state?.unchanged(node.unique_id);
      throw error;
    }
    failpoint(`committed:${node.unique_id}`);
    this.state?.builtFrom(node.unique_id, node.checksum, from);
    failpoint(`built:${node.unique_id}`);
    this.relations.set(key, plan.kind === 'view' || plan.kind === 'external' ? 'view' : 'table');
    if (node.resource_type === 'model') await this.runModelHooks(node, 'post-hook', session);
    const verb = { view: 'CREATE VIEW', seed: 'INSERT', incremental: 'MERGE', table: 'CREATE TABLE', snapshot: 'SNAPSHOT', external: 'COPY' }[plan.kind];
    const message = result.rows === undefined ? verb : `${verb} (${result.rows.toLocaleString('en-US')} rows)`;
    return { sql, relation: qualifiedName(relation, this.parsed.target), rows: result.rows, message };
  }

  /** A model's pre- or post-hooks, each rendered at run time with `this` the model's relation, then run. */
  private async runModelHooks(node: ModelNode, kind: 'pre-hook' | 'post-hook', session: AdapterSession): Promise<void> {
    for (const hook of modelHooks(node, kind)) {
      const sql = await this.renderer.renderText(hook, { file: node.original_file_path, pkg: node.package_name, thisRelation: this.renderer.relationOf(node) }, session);
      if (sql.trim()) await session.runStatement(sql, false);
    }
  }
}

/** A model's hooks of one kind, as dbt collects them from every config level (strings, lists, `{sql: ...}`). */
export function modelHooks(node: ModelNode, kind: 'pre-hook' | 'post-hook'): string[] {
  const out: string[] = [];
  const add = (value: unknown) => {
    if (value === undefined || value === null) return;
    if (Array.isArray(value)) value.forEach(add);
    else if (typeof value === 'object') add((value as { sql?: unknown }).sql);
    else out.push(String(value));
  };
  add(node.config[kind]);
  add(node.config[kind.replace('-', '_')]);
  return out;
}
