import { existsSync } from 'node:fs';
import { MeshError } from '@mesh/errors';
import { formatAge } from '@mesh/governance';
import { MetadataStore, metadataPath, type RunDetail, type RunSummary } from '@mesh/metadata';
import { formatTable } from '@mesh/text-table';
import type { Output } from './commands';
import { projectsAt } from './project-file';
import { sloTable } from './slo-table';

/** Opens each project's history in turn, briefly: a build running meanwhile needs the file too. */
export async function withHistories<T>(roots: string[], read: (store: MetadataStore, root: string) => Promise<T>): Promise<Array<{ root: string; value?: T }>> {
  const out: Array<{ root: string; value?: T }> = [];
  for (const root of roots) {
    const path = metadataPath(root);
    if (!existsSync(path)) {
      out.push({ root });
      continue;
    }
    out.push({ root, value: await MetadataStore.use(path, (store) => read(store, root)) });
  }
  return out;
}

export const when = (d: Date | undefined): string => (d ? d.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z') : '');

/** Seconds to a tenth under a minute (most runs), then as an age: 3m 20s. */
const took = (s: number): string => (s < 60 ? `${s.toFixed(1)}s` : formatAge(s));

interface RunsFlags {
  projectDir: string;
  limit?: string;
  command?: string;
  json?: boolean;
}

/** `mesh runs`: the newest runs of the project, or of every domain when run at the workspace root. */
export async function runsCommand(flags: RunsFlags, io: Output): Promise<number> {
  const limit = Number(flags.limit ?? 20);
  if (!Number.isInteger(limit) || limit < 1) {
    io.err(`error[E_CLI_LIMIT] --limit must be a whole number of at least 1, got '${flags.limit}'`);
    return 2;
  }
  const histories = await withHistories(projectsAt(flags.projectDir), (store) => store.listRuns({ limit, command: flags.command }));
  const runs = histories.flatMap((h) => h.value ?? []).sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime()).slice(0, limit);
  if (flags.json) {
    io.out(JSON.stringify(runs.map(runJson), null, 2));
    return 0;
  }
  if (!runs.length) {
    io.out('No runs recorded yet: builds, tests, seeds, ingests and scheduled runs are recorded in .mesh/metadata.duckdb of each domain.');
    return 0;
  }
  io.out(formatTable(['run', 'domain', 'command', 'trigger', 'started', 'took', 'status', 'nodes', 'rows', 'message'], runs.map((r) => ({
    run: r.runId.slice(0, 8),
    domain: r.project,
    command: r.command,
    trigger: r.trigger ?? '',
    started: when(r.startedAt),
    took: took(r.elapsedS),
    status: r.status.toUpperCase(),
    nodes: r.failedNodes ? `${r.failedNodes} of ${r.nodeCount} failed` : String(r.nodeCount),
    rows: r.rows.toLocaleString('en-US'),
    message: r.message ?? '',
  })), { maxWidth: 60 }));
  io.out('Show one with: mesh runs show <run>');
  return 0;
}

/** `mesh runs show <id>`: one run, its nodes (or steps, or files) and the SLOs measured after it. */
export async function runShowCommand(id: string, flags: { projectDir: string; json?: boolean }, io: Output): Promise<number> {
  const found = (await withHistories(projectsAt(flags.projectDir), (store) => store.runDetail(id))).flatMap((h) => (h.value ? [h.value] : []));
  if (found.length > 1) {
    throw new MeshError('E_RUN_AMBIGUOUS', `the run id '${id}' matches runs of ${found.map((f) => f.run.project).join(' and ')}`, { hint: 'Give more characters of the id.' });
  }
  const detail = found[0];
  if (!detail) {
    throw new MeshError('E_RUN_UNKNOWN', `no run '${id}' in the history`, { hint: 'mesh runs lists the recorded runs with their ids.' });
  }
  if (flags.json) {
    io.out(JSON.stringify(detailJson(detail), null, 2));
    return 0;
  }
  const r = detail.run;
  io.out(`run       ${r.runId}`);
  io.out(`domain    ${r.project}`);
  io.out(`command   ${r.command}${r.trigger ? ` (${r.trigger})` : ''}${r.parentRunId ? `, part of schedule run ${r.parentRunId}` : ''}`);
  if (r.scheduledFor) io.out(`due       ${when(r.scheduledFor)}`);
  io.out(`started   ${when(r.startedAt)}, took ${took(r.elapsedS)}`);
  io.out(`status    ${r.status.toUpperCase()}${r.message ? `: ${r.message}` : ''}`);
  if (detail.nodes.length) {
    io.out('');
    io.out(formatTable(['node', 'type', 'status', 'rows', 'took', 'message'], detail.nodes.map((n) => ({
      node: n.uniqueId, type: n.resourceType, status: n.status.toUpperCase(), rows: n.rows ?? '', took: `${n.elapsedS.toFixed(2)}s`, message: n.message ?? '',
    })), { maxWidth: 70 }));
  }
  if (detail.slos.length) {
    io.out('');
    io.out(sloTable(detail.slos));
  }
  return 0;
}

function runJson(r: RunSummary) {
  return {
    run_id: r.runId, domain: r.project, command: r.command, trigger: r.trigger ?? null, parent_run_id: r.parentRunId ?? null,
    scheduled_for: r.scheduledFor?.toISOString() ?? null, started_at: r.startedAt.toISOString(), finished_at: r.finishedAt.toISOString(),
    elapsed_s: r.elapsedS, status: r.status, message: r.message ?? null, nodes: r.nodeCount, failed_nodes: r.failedNodes, rows: r.rows,
  };
}

function detailJson(d: RunDetail) {
  return {
    ...runJson(d.run),
    nodes: d.nodes.map((n) => ({ unique_id: n.uniqueId, resource_type: n.resourceType, status: n.status, rows: n.rows ?? null, elapsed_s: n.elapsedS, finished_at: n.finishedAt.toISOString(), message: n.message ?? null })),
    slos: d.slos.map((s) => ({ slo: s.slo, model: s.model, column: s.column ?? null, measured: s.measured ?? null, objective: s.objective, status: s.status, message: s.message })),
  };
}
