import { randomUUID } from 'node:crypto';
import { join, relative, resolve } from 'node:path';
import { engineOf, findProjectFile, openBuildState, readProjectFile, registeredEngines, resolveProjectTarget } from '@mesh/engine';
import { MeshError } from '@mesh/errors';
import { ingest as ingestSources, INGEST_FILE, loadIngestFile, targetOf, type IngestLedger, type IngestReport } from '@mesh/ingest';
import { MetadataStore, metadataPath, type RunRecord } from '@mesh/metadata';
import { alertRun } from './alert';
import { silent, type Reporter } from './events';
import { lockProject } from './lock';
import { CLI_ORIGIN, type DatabaseOptions, type RunOrigin } from './options';
import { recordFailedRun, recordRun } from './run-history';

export interface IngestOptions extends DatabaseOptions {
  projectDir: string;
  /** Only these sources (all of ingest.yml's otherwise). */
  sources?: string[];
  target?: string;
  /** Drop the sources' tables and load every file they name now. */
  fullRefresh?: boolean;
}

export interface IngestResult {
  report: IngestReport;
  run: RunRecord;
  ok: boolean;
}

/** `mesh ingest`: loads the new and changed files of the domain's sources into its database. */
export async function ingest(options: IngestOptions, report: Reporter = silent): Promise<IngestResult> {
  const startedAt = new Date();
  const origin = options.origin ?? CLI_ORIGIN;
  try {
    return await ingestLocked(options, origin, report);
  } catch (error) {
    await recordFailedRun('ingest', options.projectDir, startedAt, error, origin, report, options.env);
    throw error;
  }
}

async function ingestLocked(options: IngestOptions, origin: RunOrigin, report: Reporter): Promise<IngestResult> {
  const root = resolve(options.projectDir);
  const { project } = readProjectFile(findProjectFile(root));
  const name = project.name;
  const config = loadIngestFile(root);
  if (!config?.sources.length) {
    throw new MeshError('E_INGEST_NONE', `${name} declares no sources to ingest`, {
      hint: `Declare them under sources: in ${INGEST_FILE} in the domain folder (see "Ingestion, scheduling and runs" in docs/operations.md).`,
    });
  }
  const target = resolveProjectTarget(root, { target: options.target });
  const engine = engineOf(target.type);
  const reader = engine.capabilities.ingest ? engine.dialect.readIngestFile : undefined;
  if (!reader) {
    const loaders = registeredEngines().filter((e) => e.capabilities.ingest).map((e) => e.title);
    throw new MeshError('E_INGEST_TARGET', `${name} builds into target '${target.name}' (${target.type}); mesh ingest loads into ${loaders.join(' and ')} targets only`, {
      hint: `Load the raw tables with the server's own loader (COPY, a replication tool) into the schemas the sources name, or ingest on a DuckDB target (-t <name>).`,
    });
  }
  const lock = await lockProject(root, 'ingest', options.wait, report);
  // After the lock: time spent waiting for another run is not this run's duration.
  const startedAt = new Date();
  const runId = randomUUID();
  let result: IngestReport;
  try {
    report({ kind: 'ingest-start', project: name, sources: config.sources.length, path: target.path, fullRefresh: options.fullRefresh === true });
    const adapter = await options.openAdapter(target);
    // The build journal learns which source tables change: views and tests over them are not what
    // they were, and until the load is done (or if it is killed) nothing built on them is published.
    const journal = openBuildState(target, join(root, project['target-path'] ?? 'target'));
    const tables = config.sources.filter((s) => !options.sources?.length || options.sources.includes(s.name)).map((s) => targetOf(s).key);
    const changed = new Set<string>();
    for (const table of tables) journal.loading(table);
    try {
      const session = await adapter.session();
      try {
        result = await ingestSources({ project: name, root, config, session, reader, ledger: metadataLedger(root), runId, sources: options.sources, fullRefresh: options.fullRefresh, onFile: (file) => {
          if (file.outcome === 'loaded' || file.outcome === 'replaced') changed.add(file.target);
          report({ kind: 'ingest-file', file, root });
        } });
      } finally {
        session.close();
      }
      for (const table of tables) journal.loaded(table, changed.has(table) || options.fullRefresh === true);
    } finally {
      journal.close();
      await adapter.close();
    }
  } finally {
    lock.release();
  }
  for (const error of result.errors) report({ kind: 'error', error });
  const run = runRecord(runId, name, startedAt, result, root, origin);
  await recordRun(root, run, report);
  await alertRun(root, run, [], report, options.env);
  return { report: result, run, ok: !result.errors.length };
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

function runRecord(runId: string, project: string, startedAt: Date, report: IngestReport, root: string, origin: RunOrigin): RunRecord {
  return {
    runId,
    project,
    command: 'ingest',
    startedAt,
    finishedAt: new Date(),
    status: report.errors.length ? 'error' : 'success',
    ...origin,
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
