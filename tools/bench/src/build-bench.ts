import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { DuckDBAdapter } from '@mesh/adapter-duckdb';
import { runProject } from '@mesh/engine';
import { generateProject, type GeneratedProject } from '@mesh/testing';

export interface BuildBenchOptions {
  dir: string;
  /** Scratch folder for the baseline databases. */
  scratch: string;
  models: number;
  repeat: number;
  /** Thread counts to run; undefined means "whatever the engine defaults to" (the target's threads). */
  threads: Array<number | undefined>;
  log(line: string): void;
}

/** Timestamps (ms, from the start of runProject) of the phases runProject goes through. */
export interface BuildMarks {
  /** openAdapter called: compileProject is done. */
  compiled: number;
  /** DuckDBAdapter.open returned. */
  opened: number;
  /** onCompiled: schemas created and existing relations listed. */
  ready: number;
  firstStart: number;
  lastEnd: number;
  /** adapter.close called and returned (sessions are closed just before, by the runner). */
  closeStart: number;
  closeEnd: number;
  /** runProject returned: sessions and database closed, run_results.json written. */
  done: number;
}

export interface BuildRun {
  threads: number;
  totalMs: number;
  marks: BuildMarks;
  /** Time inside session calls (materialize, execute, query), summed over sessions. */
  sessionMs: number;
  statements: number;
  failures: string[];
}

export interface BaselineRun {
  totalMs: number;
  openMs: number;
  statementsMs: number;
  closeMs: number;
  statements: number;
}

export interface BuildBenchResult {
  project: GeneratedProject;
  runs: Map<string, BuildRun[]>;
  /** The threads=1 statement log replayed as is. */
  baseline: BaselineRun[];
  /** One CREATE TABLE ... AS per model, no transaction, temp table or rename: what DuckDB needs at least. */
  minimal: BaselineRun[];
  statementKinds: Array<[string, number]>;
  /** Whether every multi-threaded run ran exactly the statements of the single-threaded one. */
  sameStatements: boolean;
}

interface Instrumented {
  sessionMs: number;
  closeStart: number;
  closeEnd: number;
}

/**
 * Adds up the time spent inside the database calls, to split a run into engine time and DuckDB time. It
 * patches the adapter instance instead of wrapping it in a class of its own, so the engine still gets the
 * real DuckDBAdapter and this keeps working when the Adapter interface grows.
 */
function instrument(adapter: DuckDBAdapter, now: () => number): Instrumented {
  const counters: Instrumented = { sessionMs: 0, closeStart: 0, closeEnd: 0 };
  const openSession = adapter.session.bind(adapter);
  adapter.session = async () => {
    const session = await openSession();
    // materialize calls execute on the same session; count the outermost call only.
    let depth = 0;
    for (const name of ['execute', 'query', 'describe', 'materialize'] as const) {
      const call = (session[name] as (...args: unknown[]) => Promise<unknown>).bind(session);
      (session as unknown as Record<string, unknown>)[name] = async (...args: unknown[]) => {
        const t0 = now();
        depth++;
        try {
          return await call(...args);
        } finally {
          if (--depth === 0) counters.sessionMs += now() - t0;
        }
      };
    }
    return session;
  };
  const close = adapter.close.bind(adapter);
  adapter.close = async () => {
    counters.closeStart = now();
    await close();
    counters.closeEnd = now();
  };
  return counters;
}

function removeDatabase(path: string): void {
  rmSync(path, { force: true });
  rmSync(`${path}.wal`, { force: true });
}

interface EngineRun {
  run: BuildRun;
  log: string[];
  database: string;
  databasePath: string;
}

async function engineRun(dir: string, threads: number | undefined): Promise<EngineRun> {
  let adapter: DuckDBAdapter | undefined;
  let counters: Instrumented | undefined;
  const marks: Partial<BuildMarks> = {};
  const t0 = performance.now();
  const at = () => performance.now() - t0;
  const outcome = await runProject({
    projectDir: dir,
    command: 'run',
    threads,
    openAdapter: async (target) => {
      marks.compiled = at();
      adapter = await DuckDBAdapter.open({ path: target.path, logStatements: true });
      counters = instrument(adapter, at);
      marks.opened = at();
      return adapter;
    },
    onCompiled: () => {
      marks.ready = at();
    },
    onStart: () => {
      marks.firstStart ??= at();
    },
    onEnd: () => {
      marks.lastEnd = at();
    },
  });
  marks.done = at();
  const log = adapter?.statementLog;
  if (!adapter || !counters || !log) throw new Error('the adapter kept no statement log; DuckDBAdapter.open must honour logStatements');
  const failures = outcome.results.filter((r) => r.status !== 'success').map((r) => `${r.unique_id}: ${r.status} ${r.message ?? ''}`);
  return {
    run: {
      threads: threads ?? outcome.parsed.target.threads,
      totalMs: marks.done,
      marks: { ...(marks as BuildMarks), closeStart: counters.closeStart, closeEnd: counters.closeEnd },
      sessionMs: counters.sessionMs,
      statements: log.length,
      failures,
    },
    log: [...log],
    database: outcome.parsed.target.database,
    databasePath: outcome.parsed.target.path,
  };
}

async function replay(path: string, statements: string[]): Promise<BaselineRun> {
  rmSync(dirname(path), { recursive: true, force: true });
  mkdirSync(dirname(path), { recursive: true });
  const t0 = performance.now();
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  const t1 = performance.now();
  for (const sql of statements) await connection.run(sql);
  const t2 = performance.now();
  // Closing checkpoints the WAL into the file; the adapter's close does the same, so both pay for it.
  connection.closeSync();
  instance.closeSync();
  const t3 = performance.now();
  return { totalMs: t3 - t0, openMs: t1 - t0, statementsMs: t2 - t1, closeMs: t3 - t2, statements: statements.length };
}

/**
 * The adapter sends each model's statements in two batches (`BEGIN; CREATE ...` and `...; COMMIT`);
 * the statements are what this benchmark counts and reduces. The adapter's statements start with an
 * upper-case keyword, so a split there never cuts a model's own SQL.
 */
export function statementsOf(log: string[]): string[] {
  return log.flatMap((batch) => batch.split(/;\n(?=[A-Z]+ )|;\n(?=COMMIT$)/));
}

/** The log reduced to what a hand-written script would run: schemas, then CREATE TABLE final AS. */
function minimalStatements(log: string[]): string[] {
  const out: string[] = [];
  for (const sql of statementsOf(log)) {
    if (sql.startsWith('CREATE SCHEMA')) out.push(sql);
    const m = /^CREATE TABLE (.+)\."((?:[^"]|"")+?)(__mesh_tmp)?" AS \(/.exec(sql);
    if (m) out.push(`CREATE TABLE ${m[1]}."${m[2]}" AS (${sql.slice(m[0].length)}`);
  }
  return out;
}

function statementKind(sql: string): string {
  if (sql.startsWith('CREATE TABLE') && sql.includes('__mesh_tmp" AS (')) return 'CREATE TABLE <tmp> AS (...)';
  if (sql.startsWith('CREATE TABLE') && sql.includes('" AS (')) return 'CREATE TABLE <name> AS (...)';
  if (sql.startsWith('DROP TABLE IF EXISTS') && sql.includes('__mesh_tmp')) return 'DROP TABLE IF EXISTS <tmp>';
  if (sql.startsWith('ALTER TABLE') && sql.includes('RENAME TO')) return 'ALTER TABLE <tmp> RENAME TO <name>';
  if (sql.startsWith('CREATE SCHEMA')) return 'CREATE SCHEMA IF NOT EXISTS';
  return sql.split(/\s+/).slice(0, 2).join(' ');
}

export const threadLabel = (t: number | undefined): string => (t === undefined ? 'default' : String(t));

export async function runBuildBench(options: BuildBenchOptions): Promise<BuildBenchResult> {
  const { dir, log } = options;
  const project = generateProject(dir, { models: options.models, trivial: true });
  log(`build: generated ${project.models} trivial table models in ${dir}`);

  const runs = new Map<string, BuildRun[]>();
  const baseline: BaselineRun[] = [];
  const minimal: BaselineRun[] = [];
  let sameStatements = true;
  const sorted = (l: string[]) => [...l].sort().join('\u0000');

  // Untimed: warms the JIT and DuckDB and writes target/compiled once, so the timed runs overwrite those files
  // like any rebuild does instead of paying this VM's erratic file-creation cost. Its single-threaded log is
  // the baseline: a multi-threaded log interleaves BEGIN/COMMIT of several sessions and cannot replay on one
  // connection, while this one holds the same statements in a valid serial order.
  const warm = await engineRun(dir, 1);
  if (warm.run.failures.length) throw new Error(`the warm-up build failed: ${warm.run.failures[0]}`);
  const { databasePath, database, log: reference } = warm;
  log(`build: warm-up run: ${(warm.run.totalMs / 1000).toFixed(2)} s, ${reference.length} statements`);

  for (let r = 0; r < options.repeat; r++) {
    for (const threads of options.threads) {
      // A new database every time: the first build of a project, no DROP of an existing relation.
      removeDatabase(databasePath);
      const { run, log: statements } = await engineRun(dir, threads);
      const key = threadLabel(threads);
      runs.set(key, [...(runs.get(key) ?? []), run]);
      log(`build: engine run ${r + 1}/${options.repeat}, threads ${key} (${run.threads}): ${(run.totalMs / 1000).toFixed(2)} s, ${run.statements} statements${run.failures.length ? `, ${run.failures.length} FAILED: ${run.failures[0]}` : ''}`);
      if (sorted(statements) !== sorted(reference)) sameStatements = false;
    }
    // The statements name the catalog, which DuckDB takes from the file name: same name, other folders.
    baseline.push(await replay(join(options.scratch, 'baseline', `${database}.duckdb`), reference));
    minimal.push(await replay(join(options.scratch, 'minimal', `${database}.duckdb`), minimalStatements(reference)));
    log(`build: baseline replay ${r + 1}/${options.repeat}: ${(baseline.at(-1)!.totalMs / 1000).toFixed(2)} s (${reference.length} statements); minimal: ${(minimal.at(-1)!.totalMs / 1000).toFixed(2)} s`);
  }

  const kinds = new Map<string, number>();
  for (const sql of statementsOf(reference)) kinds.set(statementKind(sql), (kinds.get(statementKind(sql)) ?? 0) + 1);
  return { project, runs, baseline, minimal, statementKinds: [...kinds].sort((a, b) => b[1] - a[1]), sameStatements };
}
