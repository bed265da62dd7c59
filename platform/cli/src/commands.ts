import { relative } from 'node:path';
import { describeTarget, openAdapter, openExistingDatabase as openExisting, type Adapter, type CompiledProject, type ProjectOptions, type ResolvedTarget, type RunCommand } from '@mesh/engine';
import { compile, list, projectOptions as pipelineProjectOptions, runDomain, type DomainRunResult, type ProjectSelection, type RunOrigin } from '@mesh/pipeline';
import { formatTable } from '@mesh/text-table';
import { clock, summaryLine } from './progress';
import { failureReport } from './report';
import { parseVars } from './parse-vars';
import { printEvent } from './print-events';

export interface CommonFlags {
  projectDir: string;
  select?: string[];
  exclude?: string[];
  target?: string;
  vars?: string;
  failOnDeprecated?: boolean;
  timings?: boolean;
  profilesDir?: string;
  warnError?: boolean;
}

export interface RunFlags extends CommonFlags {
  threads?: string;
  fullRefresh?: boolean;
  failFast?: boolean;
  /** Wait for another run of the project to finish instead of failing at once. */
  wait?: boolean;
}

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

/**
 * A scheduler of its own (Airflow, cron, CI) tells a `mesh` process, through the environment, which run
 * of its own this one belongs to; runs started by a person carry none.
 */
export const PARENT_RUN_ENV = 'MESH_PARENT_RUN';

export function runOrigin(): RunOrigin {
  const parent = process.env[PARENT_RUN_ENV];
  return parent ? { trigger: 'schedule', parentRunId: parent } : { trigger: 'cli' };
}

export function selection(flags: CommonFlags): ProjectSelection {
  return {
    projectDir: flags.projectDir,
    select: flags.select,
    exclude: flags.exclude,
    target: flags.target,
    vars: parseVars(flags.vars),
    failOnDeprecated: flags.failOnDeprecated,
    profilesDir: flags.profilesDir,
    warnError: flags.warnError,
  };
}

export function projectOptions(flags: CommonFlags): ProjectOptions {
  return pipelineProjectOptions(selection(flags));
}

function counts(nodes: Iterable<{ resource_type: string }>): string {
  const c = new Map<string, number>();
  for (const n of nodes) c.set(n.resource_type, (c.get(n.resource_type) ?? 0) + 1);
  const plural = (k: string, n: number) => `${n} ${k}${n === 1 ? '' : 's'}`;
  return ['model', 'seed', 'snapshot', 'test', 'unit_test', 'source'].filter((k) => c.get(k)).map((k) => plural(k.replace('_', ' '), c.get(k)!)).join(', ') || 'nothing';
}

export async function compileCommand(flags: CommonFlags, io: Output): Promise<number> {
  const { project, stages, elapsedMs } = await compile({ ...selection(flags), connect: openExistingDatabase }, (event) => printEvent(event, io));
  if (flags.timings) io.out(formatTable(['stage', 'ms'], stages.map((s) => ({ stage: s.stage, ms: s.ms.toFixed(0) }))));
  io.out(`${clock()}  Found ${counts(project.dag.nodes.values())}`);
  io.out(`${clock()}  Compiled ${project.compiled.size} nodes in ${(elapsedMs / 1000).toFixed(2)}s; wrote ${relative(process.cwd(), project.targetDir) || '.'}/manifest.json`);
  return 0;
}

export async function listCommand(flags: CommonFlags & { output?: string; resourceType?: string }, io: Output): Promise<number> {
  const ids = await list({ ...selection(flags), resourceType: flags.resourceType }, (event) => printEvent(event, io));
  if (flags.output === 'json') {
    for (const n of ids) io.out(JSON.stringify({ unique_id: n.unique_id, resource_type: n.resource_type, name: n.name, original_file_path: n.original_file_path, tags: n.tags }));
  } else if (flags.output === 'table') {
    io.out(formatTable(['unique_id', 'materialized', 'access', 'path'], ids.map((n) => ({
      unique_id: n.unique_id,
      materialized: 'config' in n && 'materialized' in n.config ? n.config.materialized : '',
      access: 'config' in n && 'access' in n.config ? n.config.access : '',
      path: n.original_file_path,
    })), { maxWidth: 80 }));
  } else {
    for (const n of ids) io.out(n.fqn.join('.'));
  }
  return 0;
}

export async function runCommand(command: RunCommand, flags: RunFlags, io: Output): Promise<number> {
  const threads = flags.threads === undefined ? undefined : Number(flags.threads);
  if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) {
    io.err(`error[E_CLI_THREADS] --threads must be a whole number of at least 1, got '${flags.threads}'`);
    return 2;
  }
  const result = await runDomain(command, {
    ...selection(flags),
    threads,
    fullRefresh: flags.fullRefresh,
    failFast: flags.failFast,
    wait: flags.wait,
    origin: runOrigin(),
    openAdapter: (target) => openTargetAdapter(target),
  }, (event) => {
    if (event.kind !== 'compiled') return printEvent(event, io);
    for (const line of runningLines(command, event.project)) io.out(line);
  });
  printRunEnd(result, io);
  return result.ok ? 0 : 1;
}

/** dbt's closing lines: how long it took, what went wrong, and the counts. */
export function printRunEnd({ outcome, refused }: DomainRunResult, io: Output): void {
  const { results, elapsed, dag } = outcome;
  io.out(`${clock()}  Finished running ${results.length} node${results.length === 1 ? '' : 's'} in ${elapsed.toFixed(2)}s.`);
  const report = failureReport(results, dag);
  if (report) io.out(`\n${report}\n`);
  io.out(summaryLine(results, refused));
}

/** The header of a run: what runs, on which project and target, and what the project holds. */
export function runningLines(command: RunCommand, project: CompiledProject): string[] {
  const t = project.parsed.target;
  return [
    `${clock()}  Running ${command} on project ${project.parsed.name}, target ${t.name} (${describeTarget(t)})`,
    `${clock()}  Found ${counts(project.dag.nodes.values())}`,
  ];
}

/** The target's database, opened through its registered engine (which loads its bindings on demand). */
export function openTargetAdapter(target: ResolvedTarget, options: { readOnly?: boolean } = {}): Promise<Adapter> {
  return openAdapter(target, options);
}

/** The target's database for `mesh compile`, when it is there (see EnginePlugin.openExisting): never created. */
export function openExistingDatabase(target: ResolvedTarget): Promise<Adapter | undefined> {
  return openExisting(target);
}
