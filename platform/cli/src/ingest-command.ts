import { randomUUID } from 'node:crypto';
import { relative } from 'node:path';
import { join } from 'node:path';
import { openBuildState, resolveProjectTarget } from '@mesh/engine';
import { formatError, MeshError } from '@mesh/errors';
import { ingest, INGEST_FILE, loadIngestFile, targetOf, type FileEvent, type IngestLedger, type IngestReport } from '@mesh/ingest';
import { MetadataStore, metadataPath, type RunRecord } from '@mesh/metadata';
import { alertRun } from './alert';
import { lockProject, openTargetAdapter, type Output } from './commands';
import { readProjectFile } from './project-file';
import { clock } from './progress';
import { recordFailedRun, recordRun, runOrigin } from './run-history';

export interface IngestFlags {
  projectDir: string;
  source?: string[];
  target?: string;
  fullRefresh?: boolean;
  wait?: boolean;
}

/** `mesh ingest`: loads the new and changed files of the domain's sources into its database. */
export async function ingestCommand(flags: IngestFlags, io: Output): Promise<number> {
  const startedAt = new Date();
  try {
    return await ingestLocked(flags, io);
  } catch (error) {
    await recordFailedRun('ingest', flags.projectDir, startedAt, error, io);
    throw error;
  }
}

async function ingestLocked(flags: IngestFlags, io: Output): Promise<number> {
  const { root, name, project } = readProjectFile(flags.projectDir);
  const config = loadIngestFile(root);
  if (!config?.sources.length) {
    throw new MeshError('E_INGEST_NONE', `${name} declares no sources to ingest`, {
      hint: `Declare them under sources: in ${INGEST_FILE} in the domain folder (see "Ingestion, scheduling and runs" in the README).`,
    });
  }
  const target = resolveProjectTarget(root, { target: flags.target });
  if (target.type !== 'duckdb') {
    throw new MeshError('E_INGEST_TARGET', `${name} builds into target '${target.name}' (${target.type}); mesh ingest loads into DuckDB targets only`, {
      hint: `Load the raw tables with the server's own loader (COPY, a replication tool) into the schemas the sources name, or ingest on a DuckDB target (-t <name>).`,
    });
  }
  const lock = await lockProject(root, 'ingest', flags, io);
  // After the lock: time spent waiting for another run is not this run's duration.
  const startedAt = new Date();
  const runId = randomUUID();
  let report: IngestReport;
  try {
    io.out(`${clock()}  Ingesting ${config.sources.length} source${config.sources.length === 1 ? '' : 's'} of ${name} into ${relative(process.cwd(), target.path) || target.path}${flags.fullRefresh ? ' (full refresh: tables dropped, every file loaded)' : ''}`);
    const adapter = await openTargetAdapter(target);
    // The build journal learns which source tables change: views and tests over them are not what
    // they were, and until the load is done (or if it is killed) nothing built on them is published.
    const journal = openBuildState(target, join(root, project['target-path'] ?? 'target'));
    const tables = config.sources.filter((s) => !flags.source?.length || flags.source.includes(s.name)).map((s) => targetOf(s).key);
    const changed = new Set<string>();
    for (const table of tables) journal.loading(table);
    try {
      const session = await adapter.session();
      try {
        report = await ingest({ project: name, root, config, session, ledger: metadataLedger(root), runId, sources: flags.source, fullRefresh: flags.fullRefresh, onFile: (e) => {
          if (e.outcome === 'loaded' || e.outcome === 'replaced') changed.add(e.target);
          io.out(fileLine(e, root));
        } });
      } finally {
        session.close();
      }
      for (const table of tables) journal.loaded(table, changed.has(table) || flags.fullRefresh === true);
    } finally {
      journal.close();
      await adapter.close();
    }
  } finally {
    lock.release();
  }
  for (const error of report.errors) io.err(formatError(error));
  const run = runRecord(runId, name, startedAt, report, root);
  await recordRun(root, run, io);
  io.out(summary(report));
  await alertRun(root, run, [], io);
  return report.errors.length ? 1 : 0;
}

/**
 * The metadata database opened for each read and write and closed at once, never for the whole ingest:
 * only one process can have it open, and `mesh runs` or `mesh status` during a long ingest must get in.
 */
function metadataLedger(root: string): IngestLedger {
  const path = metadataPath(root);
  return {
    ingestedFiles: (project, source) => MetadataStore.use(path, (store) => store.ingestedFiles(project, source)),
    recordIngestedFile: (file, replacing) => MetadataStore.use(path, (store) => store.recordIngestedFile(file, replacing)),
    forgetIngestedFiles: (project, source) => MetadataStore.use(path, (store) => store.forgetIngestedFiles(project, source)),
  };
}

const LABEL: Record<FileEvent['outcome'], string> = { loaded: 'OK', replaced: 'REPLACED', unchanged: 'UNCHANGED', failed: 'ERROR' };

function fileLine(e: FileEvent, root: string): string {
  const detail = e.outcome === 'failed' ? '' : e.outcome === 'unchanged' ? ' (same checksum)' : ` ${e.rows.toLocaleString('en-US')} rows${e.replacedRows ? ` (replacing ${e.replacedRows.toLocaleString('en-US')})` : ''} in ${e.elapsedS.toFixed(2)}s`;
  const notes = e.notes.length ? `; ${e.notes.join('; ')}` : '';
  return `${clock()}  ${LABEL[e.outcome].padEnd(9)} ${e.source} -> ${e.target}  ${relative(root, e.file) || e.file}${detail}${notes}`;
}

function summary(report: IngestReport): string {
  const n = (o: FileEvent['outcome']) => report.files.filter((f) => f.outcome === o).length;
  const rows = report.files.reduce((sum, f) => sum + f.rows, 0);
  return `Done. LOADED=${n('loaded')} REPLACED=${n('replaced')} UNCHANGED=${n('unchanged')} ERROR=${n('failed')} ROWS=${rows}`;
}

function runRecord(runId: string, project: string, startedAt: Date, report: IngestReport, root: string): RunRecord {
  return {
    runId,
    project,
    command: 'ingest',
    startedAt,
    finishedAt: new Date(),
    status: report.errors.length ? 'error' : 'success',
    ...runOrigin(),
    // Unchanged files are left out: a folder of ten thousand files would otherwise record ten thousand no-ops a run.
    nodes: report.files.filter((f) => f.outcome !== 'unchanged').map((f) => ({
      uniqueId: `file.${project}.${f.source}:${relative(root, f.file) || f.file}`,
      resourceType: 'file',
      status: f.outcome === 'failed' ? 'error' : 'success',
      rows: f.rows,
      elapsedS: f.elapsedS,
      finishedAt: f.finishedAt,
      message: f.error ? `[${f.error.code}] ${f.error.message}` : [f.outcome, ...f.notes].join('; '),
    })),
  };
}
