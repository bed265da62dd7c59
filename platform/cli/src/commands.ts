import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { formatChanges, stringifyContract, type Contract } from '@mesh/contract';
import { exportContractData, gateRelease } from '@mesh/contracts';
import { formatError, MeshError } from '@mesh/errors';
import { compileProject, findProjectFile, isFailure, runProject, topoSort, type Adapter, type ProjectOptions, type ResolvedTarget, type RunCommand, type RunOutcome } from '@mesh/engine';
import { acquireProjectLock, type LockHolder, type ProjectLock } from '@mesh/metadata';
import { loadUpstreams, publish, type PublishGate } from '@mesh/loom';
import { failingSlos } from '@mesh/governance';
import { productInfo } from './product-info';
import { recordAndMeasure, sloRefusal } from './slo-step';
import { formatTable } from '@mesh/text-table';
import { clock, endLine, hookLine, startLine, summaryLine } from './progress';
import { failureReport } from './report';
import { parseVars } from './parse-vars';
import { recordFailedRun, recordInterruptedRun } from './run-history';
import { dialectFor } from './dialects';

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

export function projectOptions(flags: CommonFlags): ProjectOptions {
  return {
    projectDir: flags.projectDir,
    select: flags.select,
    exclude: flags.exclude,
    target: flags.target,
    vars: parseVars(flags.vars),
    failOnDeprecated: flags.failOnDeprecated,
    profilesDir: flags.profilesDir,
    warnError: flags.warnError || undefined,
    upstreams: loadUpstreams,
    dialect: dialectFor,
  };
}

function counts(nodes: Iterable<{ resource_type: string }>): string {
  const c = new Map<string, number>();
  for (const n of nodes) c.set(n.resource_type, (c.get(n.resource_type) ?? 0) + 1);
  const plural = (k: string, n: number) => `${n} ${k}${n === 1 ? '' : 's'}`;
  return ['model', 'seed', 'snapshot', 'test', 'unit_test', 'source'].filter((k) => c.get(k)).map((k) => plural(k.replace('_', ' '), c.get(k)!)).join(', ') || 'nothing';
}

export async function compileCommand(flags: CommonFlags, io: Output): Promise<number> {
  const t0 = performance.now();
  const stages: Array<{ stage: string; ms: string }> = [];
  const project = await compileProject({
    ...projectOptions(flags),
    connect: openExistingDatabase,
    onStage: flags.timings ? (stage, ms) => stages.push({ stage, ms: ms.toFixed(0) }) : undefined,
  });
  if (stages.length) io.out(formatTable(['stage', 'ms'], stages));
  for (const w of project.warnings) io.err(formatError(w).replace(/^error/, 'warning'));
  const ms = performance.now() - t0;
  io.out(`${clock()}  Found ${counts(project.dag.nodes.values())}`);
  io.out(`${clock()}  Compiled ${project.compiled.size} nodes in ${(ms / 1000).toFixed(2)}s; wrote ${relative(process.cwd(), project.targetDir) || '.'}/manifest.json`);
  return 0;
}

export async function listCommand(flags: CommonFlags & { output?: string; resourceType?: string }, io: Output): Promise<number> {
  const project = await compileProject({ ...projectOptions(flags), writeCompiledFiles: false });
  for (const w of project.warnings) io.err(formatError(w).replace(/^error/, 'warning'));
  const ids = topoSort(project.dag, project.selected)
    .map((id) => project.dag.nodes.get(id)!)
    .filter((n) => !flags.resourceType || n.resource_type === flags.resourceType);
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
  let refused: string | undefined;
  const lock = await lockProject(flags.projectDir, command, flags, io);
  // After the lock: time spent waiting for another run is not this run's duration.
  const startedAt = new Date();
  let outcome: RunOutcome;
  try {
    outcome = await runProject({
      ...projectOptions(flags),
      command,
      threads,
      fullRefresh: flags.fullRefresh,
      failFast: flags.failFast || undefined,
      openAdapter: (target) => openTargetAdapter(target),
      onCompiled: (project) => {
        for (const w of project.warnings) io.err(formatError(w).replace(/^error/, 'warning'));
        const t = project.parsed.target;
        io.out(`${clock()}  Running ${command} on project ${project.parsed.name}, target ${t.name} (${t.postgres ? `postgres ${t.postgres.host}:${t.postgres.port}/${t.postgres.database}` : t.trino ? `trino ${t.trino.host}:${t.trino.port}, catalog ${t.trino.catalog}` : relative(process.cwd(), t.path) || t.path})`);
        io.out(`${clock()}  Found ${counts(project.dag.nodes.values())}`);
        for (const message of project.parsed.logs) io.out(`${clock()}  ${message}`);
      },
      onHook: (hook, result) => io.out(hookLine(hook, result)),
      onStart: (node, i, total) => io.out(startLine(node, i, total)),
      onEnd: (node, result, i, total) => io.out(endLine(node, result, i, total)),
      afterRun: async (outcome, adapter) => {
        const failing = failingSlos(await recordAndMeasure(command, outcome, adapter, startedAt, io));
        if (failing.length) refused = 'E_SLO_BREACHED';
        // A seed run tests nothing, so it cannot make a publishable state; a test run can (mesh run, then mesh test).
        if (command === 'seed') return;
        // A broken contract is the graver refusal and is named first; failing SLOs come next.
        let contract: Contract | undefined;
        const gate: PublishGate = async (o, a) => {
          const { verdict, contract: gated } = await contractGate(o, a);
          contract = gated;
          return verdict.ok && failing.length ? { ok: false, ...sloRefusal(failing) } : verdict;
        };
        const published = await publish(outcome, adapter, gate);
        if (published && !published.published) {
          if (published.refused) {
            refused = published.refused.code;
            io.err(formatError(new MeshError(published.refused.code, `${outcome.parsed.name} was not published: ${published.reason}`, {
              details: published.refused.details, hint: published.refused.hint,
            })));
          } else io.err(`warning: ${outcome.parsed.name} was not published: ${published.reason}`);
          return;
        }
        if (!published) return;
        // The data the contract's servers name, for datacontract test: what was just published.
        if (contract) await exportContractData(outcome, adapter, contract);
        if (published.nulledByDefault.length) {
          const columns = published.nulledByDefault.map((c) => `${c.model}.${c.column}`).join(', ');
          io.err(formatError(new MeshError('W_PII_NULLED', `personal columns without a masking reach consumers as NULL: ${columns}`, {
            hint: 'Declare how each is masked (meta: {masking: hash} keeps it joinable), or grant it in clear (pii: clear under access.grants in data_product.yaml); the pii-not-exposed policy lists them with their lines (mesh policy check).',
          })).replace(/^error/, 'warning'));
        }
        if (published.current) {
          io.out(`${clock()}  Publication ${published.version} in ${relative(process.cwd(), published.directory) || '.'} is current: the database holds what it publishes`);
        } else {
          const rows = published.models.reduce((sum, m) => sum + m.rows, 0);
          const shares = published.shares.length ? `, shared with ${published.shares.map((s) => `${s.consumer} (${s.models} model${s.models === 1 ? '' : 's'})`).join(', ')}` : '';
          io.out(`${clock()}  Published ${published.models.length} public model${published.models.length === 1 ? '' : 's'} (${rows.toLocaleString('en-US')} rows) to ${relative(process.cwd(), published.directory)} as version ${published.version}${shares}`);
        }
      },
    });
  } catch (error) {
    await recordFailedRun(command, flags.projectDir, startedAt, error, io);
    throw error;
  } finally {
    lock.release();
  }
  const { results, elapsed, dag } = outcome;
  io.out(`${clock()}  Finished running ${results.length} node${results.length === 1 ? '' : 's'} in ${elapsed.toFixed(2)}s.`);
  const report = failureReport(results, dag);
  if (report) io.out(`\n${report}\n`);
  io.out(summaryLine(results, refused));
  return results.some(isFailure) || refused ? 1 : 0;
}

/** Loaded on demand: compile and ls never open a database, and the native bindings cost start-up time. */
export async function openTargetAdapter(target: ResolvedTarget, options: { readOnly?: boolean } = {}): Promise<Adapter> {
  if (target.type === 'trino' && target.trino) {
    const { TrinoAdapter } = await import('@mesh/adapter-trino');
    return TrinoAdapter.open({ target: target.trino });
  }
  if (target.type === 'postgres' && target.postgres) {
    const { PostgresAdapter } = await import('@mesh/adapter-postgres');
    return PostgresAdapter.open({ target: target.postgres, threads: target.threads });
  }
  const { DuckDBAdapter } = await import('@mesh/adapter-duckdb');
  return DuckDBAdapter.open({ path: target.path, settings: target.settings, readOnly: options.readOnly });
}

/**
 * The target's database for `mesh compile`, when it is there: a DuckDB file that exists, opened read-only
 * (a compile changes nothing, and a build holding the file leaves it unavailable rather than blocked), or a
 * server that answers within a few seconds. Undefined otherwise: compile never creates a database.
 */
export async function openExistingDatabase(target: ResolvedTarget): Promise<Adapter | undefined> {
  if (target.type === 'duckdb') {
    if (target.path === ':memory:' || !existsSync(target.path)) return undefined;
    const { DuckDBAdapter } = await import('@mesh/adapter-duckdb');
    return DuckDBAdapter.open({ path: target.path, settings: target.settings, readOnly: true }).catch(() => undefined);
  }
  const reached = (async () => {
    const adapter = await openTargetAdapter(target);
    try {
      await adapter.listRelations(target.database);
      return adapter;
    } catch {
      await adapter.close().catch(() => undefined);
      return undefined;
    }
  })().catch(() => undefined);
  const timeout = new Promise<undefined>((done) => setTimeout(() => done(undefined), 5000).unref());
  const answer = await Promise.race([reached, timeout]);
  // A server that answers after the wait is let go.
  if (!answer) void reached.then((late) => late?.close());
  return answer;
}

/** One writer per project: a second build fails at once naming the first, or waits with --wait. */
export async function lockProject(projectDir: string, command: string, flags: { wait?: boolean }, io: Output): Promise<ProjectLock> {
  const root = resolve(projectDir);
  // A folder that is not a project gets the engine's error here, rather than a .mesh/ folder it never needed.
  findProjectFile(root);
  const stale: LockHolder[] = [];
  const lock = await acquireProjectLock(root, {
    command,
    wait: flags.wait,
    onWait: (h) => io.err(`${clock()}  Waiting for the ${h.command} of pid ${h.pid} (started ${h.startedAt}) to finish...`),
    onStale: (h) => {
      stale.push(h);
      io.err(`note: took over the lock of ${h.command} pid ${h.pid} (started ${h.startedAt}), which no longer runs`);
    },
  });
  // A killed run recorded nothing itself; its lock is the only trace, so the history learns of it here.
  for (const h of stale) await recordInterruptedRun(root, h, io);
  return lock;
}

/** Publishes only output that honours the released contract, and publishes the contract beside it. */
async function contractGate(outcome: RunOutcome, adapter: Adapter): Promise<{ verdict: Awaited<ReturnType<PublishGate>>; contract: Contract }> {
  const gate = await gateRelease(outcome, adapter, productInfo(outcome.parsed.root));
  if (gate.violations.length) {
    return { contract: gate.contract, verdict: {
      ok: false,
      code: 'E_CONTRACT_BROKEN',
      reason: `its public models break the released contract ${gate.released}`,
      details: formatChanges(gate.violations),
      hint: 'Consumers pinned to this release would break. Restore what was removed or changed, keep the old shape as a model version (versions: in the model YAML), or add a major changeset (pnpm changeset) to release the change as a new major version.',
    } };
  }
  return { contract: gate.contract, verdict: { ok: true, files: { 'contract.odcs.yaml': stringifyContract(gate.contract) } } };
}
