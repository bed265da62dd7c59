import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { compareDatabases, dbt, readDbtProject, writeDuckdbProfile, type DatabaseComparison } from '@mesh/oracle';
import { MESH_BIN } from '../paths';
import type { PreparedProject } from './prepare';
import { probeBlockers, type Blocker } from './probe';

export type Tool = 'dbt' | 'mesh';

export interface StepRun {
  args: string[];
  code: number;
  ms: number;
  /** The end of the tool's output, for the report of a failing step. */
  tail: string;
}

export interface NodeOutcome {
  id: string;
  dbt: string;
  mesh: string;
  /** Mesh's message for a node whose status differs: its run_results message, or the build's first error. */
  error?: string;
}

export interface ProjectRun {
  id: string;
  steps: Record<Tool, StepRun[]>;
  nodes: NodeOutcome[];
  /** Nodes only mesh ran. */
  meshOnly: Array<{ id: string; status: string }>;
  relations?: DatabaseComparison;
  relationError?: string;
  /** The first error line mesh printed, if a step of it failed. */
  meshFirstError?: string;
  /** Where mesh stopped before running any node: the blockers behind the first, found in a scratch copy. */
  blockers?: Blocker[];
}

interface NodeResult {
  status: string;
  message?: string;
}

function readResults(projectDir: string, targetPath: string): Map<string, NodeResult> {
  const file = join(projectDir, targetPath, 'run_results.json');
  if (!existsSync(file)) return new Map();
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { results?: Array<{ unique_id: string; status: string; message?: string | null }> };
  return new Map((parsed.results ?? []).map((r) => [r.unique_id, { status: r.status, message: r.message ?? undefined }]));
}

/** The first line of an error mesh printed (`error[E_...] file:line: ...` and its hint), or its last words. */
export function firstError(output: string): string | undefined {
  const lines = output.split('\n');
  const i = lines.findIndex((l) => /^\s*error(\[[A-Z_0-9]+\])?[: ]/i.test(l) || /\bError\b:/.test(l));
  if (i >= 0) return lines.slice(i, i + 2).map((l) => l.trim()).filter(Boolean).join(' / ');
  return undefined;
}

/**
 * The node mesh ran in place of one of dbt's under another unique_id: the same id without dbt's hash
 * suffix, or a test of the same kind on the same model and column whose name mesh shortened.
 */
export function twinOf(dbtId: string, meshIds: string[]): string | undefined {
  const bare = dbtId.replace(/\.[0-9a-f]{10}$/, '');
  const exact = meshIds.find((id) => id === bare || id.replace(/\.[0-9a-f]{10}$/, '') === bare);
  if (exact) return exact;
  if (!dbtId.startsWith('test.')) return undefined;
  const stem = bare.split('.').pop()!.slice(0, 40);
  const prefix = `${bare.split('.').slice(0, 2).join('.')}.`;
  return meshIds.find((id) => id.startsWith(prefix) && (id.slice(prefix.length).startsWith(stem) || stem.startsWith(id.slice(prefix.length).replace(/_?_[0-9a-f]{10}$/, '').replace(/\.[0-9a-f]{10}$/, ''))));
}

interface Side {
  tool: Tool;
  root: string;
  runs: StepRun[];
  results: Map<string, NodeResult>;
}

function runStep(tool: Tool, projectDir: string, args: string[], prepared: PreparedProject, attach: Record<string, string>, timeoutMs: number): StepRun {
  const t0 = performance.now();
  const output = Object.keys(attach).length
    ? { attach: Object.entries(attach).map(([alias, path]) => ({ path: resolve(projectDir, path), alias, read_only: true })) }
    : undefined;
  if (tool === 'dbt') {
    const r = dbt(projectDir, [...args, ...prepared.project.dbtFlags], { output, timeoutMs });
    return { args, code: r.code, ms: performance.now() - t0, tail: r.output.slice(-6000) };
  }
  // The DuckDB profile a user writes for a project of another warehouse, the same one dbt is given;
  // without it, both would read the project's own profiles.yml (Postgres, Snowflake...).
  const profilesDir = writeDuckdbProfile(projectDir, { output });
  const r = spawnSync(MESH_BIN, [...args, '--profiles-dir', profilesDir], {
    cwd: projectDir,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
    timeout: timeoutMs,
    maxBuffer: 256 * 1024 * 1024,
  });
  const printed = `${r.stdout ?? ''}\n${r.stderr ?? ''}${r.error ? `\n${r.error.message}` : ''}`;
  return { args, code: r.status ?? -1, ms: performance.now() - t0, tail: printed.slice(-6000) };
}

function runSide(tool: Tool, prepared: PreparedProject, upstream: PreparedProject | undefined, scratch: string, timeoutMs: number, log: (l: string) => void): Side {
  const root = join(scratch, tool);
  // The whole checkout: local packages, upstream projects and data live beside the project, not in it.
  cpSync(prepared.checkout, root, { recursive: true, verbatimSymlinks: true });
  if (upstream) {
    const upDir = join(root, upstream.project.dir);
    for (const step of upstream.project.steps) {
      const r = runStep(tool, upDir, step, upstream, upstream.project.attach, timeoutMs);
      log(`  ${tool}: upstream ${upstream.project.id}: ${step.join(' ')} -> exit ${r.code} in ${(r.ms / 1000).toFixed(1)} s`);
    }
  }
  const projectDir = join(root, prepared.project.dir);
  const targetPath = readDbtProject(projectDir)['target-path'] ?? 'target';
  const runs: StepRun[] = [];
  const results = new Map<string, NodeResult>();
  for (const step of prepared.project.steps) {
    rmSync(join(projectDir, targetPath, 'run_results.json'), { force: true });
    const r = runStep(tool, projectDir, step, prepared, prepared.project.attach, timeoutMs);
    runs.push(r);
    log(`  ${tool}: ${step.join(' ')} -> exit ${r.code} in ${(r.ms / 1000).toFixed(1)} s`);
    for (const [id, result] of readResults(projectDir, targetPath)) results.set(id, result);
  }
  return { tool, root, runs, results };
}

/**
 * Builds one project with dbt and with mesh, each in its own copy of the checkout, and compares what
 * each did: the exit of every step, the status of every node dbt ran, and every relation row for row.
 */
export async function runProject(prepared: PreparedProject, upstream: PreparedProject | undefined, options: { timeoutMs: number; keep?: boolean; log: (l: string) => void }): Promise<ProjectRun> {
  const scratch = mkdtempSync(join(tmpdir(), `corpus-${prepared.project.id}-`));
  try {
    const d = runSide('dbt', prepared, upstream, scratch, options.timeoutMs, options.log);
    const m = runSide('mesh', prepared, upstream, scratch, options.timeoutMs, options.log);
    const meshFailed = m.runs.find((r) => r.code !== 0);
    const meshFirstError = meshFailed ? firstError(meshFailed.tail) ?? meshFailed.tail.trim().split('\n').slice(-3).join(' / ') : undefined;
    const meshIds = [...m.results.keys()].filter((id) => !d.results.has(id));
    const nodes: NodeOutcome[] = [...d.results].map(([id, r]) => {
      const mr = m.results.get(id);
      const mesh = mr?.status ?? 'absent';
      const outcome: NodeOutcome = { id, dbt: r.status, mesh };
      if (mesh !== r.status) {
        const twin = mr ? undefined : twinOf(id, meshIds);
        outcome.error = mr?.message?.trim()
          || (mr ? `mesh status ${mr.status}` : undefined)
          || (twin ? `unique_id differs from dbt's: mesh ran ${twin} (${m.results.get(twin)!.status})` : undefined)
          || meshFirstError
          || 'not in mesh\'s run_results.json, though mesh exited 0';
      }
      return outcome;
    });
    const meshOnly = [...m.results].filter(([id]) => !d.results.has(id)).map(([id, r]) => ({ id, status: r.status }));
    const name = readDbtProject(prepared.projectDir).name;
    const targetPath = readDbtProject(prepared.projectDir)['target-path'] ?? 'target';
    const db = (side: Side) => join(side.root, prepared.project.dir, targetPath, `${name}.duckdb`);
    // An upstream a side failed to build has no file to attach; that side's views over it fail to copy.
    const attachOf = (side: Side) => Object.fromEntries(Object.entries(prepared.project.attach)
      .map(([alias, path]) => [alias, resolve(side.root, prepared.project.dir, path)])
      .filter(([, path]) => existsSync(path!)));
    let relations: DatabaseComparison | undefined;
    let relationError: string | undefined;
    if (!existsSync(db(d))) relationError = 'dbt made no database';
    else {
      // Without a database of mesh's, every relation of dbt's counts as missing: compare with an empty one.
      let meshDb = db(m);
      if (!existsSync(meshDb)) {
        meshDb = join(scratch, 'mesh-made-none', `${name}.duckdb`);
        mkdirSync(join(scratch, 'mesh-made-none'));
        (await DuckDBInstance.create(meshDb)).closeSync();
      }
      try {
        relations = await compareDatabases(db(d), meshDb, {
          attach: { left: attachOf(d), right: attachOf(m) },
          searchPath: { left: join(d.root, prepared.project.dir), right: join(m.root, prepared.project.dir) },
          sample: 2,
        });
      } catch (e) {
        relationError = (e as Error).message.split('\n')[0];
      }
    }
    const blockers = meshFirstError && m.results.size === 0 ? probeBlockers(prepared.checkout, prepared.project.dir, scratch) : undefined;
    return { id: prepared.project.id, steps: { dbt: d.runs, mesh: m.runs }, nodes, meshOnly, relations, relationError, meshFirstError, blockers };
  } finally {
    if (options.keep) options.log(`  kept ${scratch}`);
    else rmSync(scratch, { recursive: true, force: true });
  }
}
