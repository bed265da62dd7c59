import { statSync } from 'node:fs';
import type { AdapterSession } from '@mesh/engine';
import { didYouMean } from '@mesh/engine';
import { MeshError, isMeshError } from '@mesh/errors';
import type { IngestedFile } from '@mesh/metadata';
import { targetOf, type DomainOperations, type SourceConfig } from './config';
import { fileChecksum } from './checksum';
import { discoverFiles } from './discover-files';
import { loadFile } from './load-file';
import { describeChange } from './schema-drift';

/** Where loaded files are remembered: the project's metadata database (MetadataStore), or a fake in tests. */
export interface IngestLedger {
  ingestedFile(project: string, source: string, path: string): Promise<IngestedFile | undefined>;
  recordIngestedFile(file: IngestedFile): Promise<void>;
}

export type FileOutcome = 'loaded' | 'replaced' | 'unchanged' | 'failed';

/** What happened to one file (or, for a source that could not even list its files, to the source). */
export interface FileEvent {
  source: string;
  target: string;
  file: string;
  outcome: FileOutcome;
  rows: number;
  replacedRows: number;
  elapsedS: number;
  finishedAt: Date;
  /** Schema changes applied with on_schema_change: add_columns, in words. */
  notes: string[];
  error?: MeshError;
}

export interface IngestOptions {
  project: string;
  root: string;
  config: DomainOperations;
  /** A session on the domain's database (the engine's target), where the tables are loaded. */
  session: AdapterSession;
  ledger: IngestLedger;
  runId: string;
  /** Only these sources (by name); all when empty. */
  sources?: string[];
  env?: Record<string, string | undefined>;
  now?: () => Date;
  onFile?(event: FileEvent): void;
}

export interface IngestReport {
  files: FileEvent[];
  errors: MeshError[];
}

/**
 * Loads every new or changed file of the domain's sources; unchanged files (same path, same sha256) are
 * skipped. Within a source, files load in path order and the first file that fails stops that source,
 * so a later file never lands before an earlier broken one is fixed; other sources go on.
 */
export async function ingest(options: IngestOptions): Promise<IngestReport> {
  const now = options.now ?? (() => new Date());
  const files: FileEvent[] = [];
  const errors: MeshError[] = [];
  const emit = (event: FileEvent) => {
    files.push(event);
    if (event.error) errors.push(event.error);
    options.onFile?.(event);
  };
  for (const source of selectSources(options)) {
    const location = { file: options.config.file, line: options.config.lineOf(['sources', options.config.sources.indexOf(source)]) };
    const target = targetOf(source).key;
    let paths: string[];
    try {
      paths = await discoverFiles(options.session, source, { root: options.root, env: options.env ?? process.env, location });
    } catch (error) {
      emit({ source: source.name, target, file: source.path, outcome: 'failed', rows: 0, replacedRows: 0, elapsedS: 0, finishedAt: now(), notes: [], error: asMeshError(error) });
      continue;
    }
    for (const path of paths) {
      const event = await ingestFile(options, source, path, location, now);
      emit(event);
      if (event.outcome === 'failed') break;
    }
  }
  return { files, errors };
}

function selectSources(options: IngestOptions): SourceConfig[] {
  const all = options.config.sources;
  if (!options.sources?.length) return all;
  for (const name of options.sources) {
    if (!all.some((s) => s.name === name)) {
      const guess = didYouMean(name, all.map((s) => s.name));
      throw new MeshError('E_INGEST_SOURCE_UNKNOWN', `no source named '${name}' in ${options.config.file}${guess ? ` (did you mean '${guess}'?)` : ''}`, {
        hint: `Sources: ${all.map((s) => s.name).join(', ') || 'none'}.`,
      });
    }
  }
  return all.filter((s) => options.sources!.includes(s.name));
}

async function ingestFile(options: IngestOptions, source: SourceConfig, path: string, location: { file: string; line?: number }, now: () => Date): Promise<FileEvent> {
  const t0 = performance.now();
  const target = targetOf(source);
  const base = { source: source.name, target: target.key, file: path, notes: [] as string[], rows: 0, replacedRows: 0 };
  const finish = (rest: Pick<FileEvent, 'outcome'> & Partial<FileEvent>): FileEvent => ({ ...base, elapsedS: (performance.now() - t0) / 1000, finishedAt: now(), ...rest });
  try {
    const checksum = await fileChecksum(path);
    const known = await options.ledger.ingestedFile(options.project, source.name, path);
    if (known?.checksum === checksum) return finish({ outcome: 'unchanged' });
    const loadedAt = now();
    const result = await loadFile({ session: options.session, source, file: path, target, loadedAt, location });
    await options.ledger.recordIngestedFile({
      project: options.project, source: source.name, path, checksum, bytes: statSync(path).size, rowsLoaded: result.rows, target: target.key, runId: options.runId, loadedAt,
    });
    return finish({
      outcome: known ? 'replaced' : 'loaded',
      rows: result.rows,
      replacedRows: result.replacedRows,
      notes: [...(result.createdTable ? [`created ${target.key}`] : []), ...result.schemaChanges.map((c) => `${describeChange(c)}${c.kind === 'added' ? ': added to the table' : c.kind === 'missing' ? ': loaded as NULL' : ''}`)],
    });
  } catch (error) {
    return finish({ outcome: 'failed', error: asMeshError(error) });
  }
}

function asMeshError(error: unknown): MeshError {
  if (isMeshError(error)) return error;
  return new MeshError('E_INGEST_FAILED', error instanceof Error ? error.message.split('\n')[0]! : String(error), { cause: error });
}
