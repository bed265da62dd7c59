import { statSync } from 'node:fs';
import type { AdapterSession } from '@mesh/engine';
import { didYouMean, quoteIdent } from '@mesh/engine';
import { MeshError, isMeshError } from '@mesh/errors';
import type { IngestedFile, IngestedFiles, LegacyIngestedFile } from '@mesh/metadata';
import { targetOf, type DomainOperations, type SourceConfig, type TargetTable } from './config';
import { fileChecksum } from './checksum';
import { discoverFiles, type SourceFile } from './discover-files';
import { loadFile, rekeyRows, SOURCE_FILE, tableExists } from './load-file';
import { describeChange } from './schema-drift';

/** Where loaded files are remembered: the project's metadata database (MetadataStore), or a fake in tests. */
export interface IngestLedger {
  /** What a source has loaded so far, read once per source. */
  ingestedFiles(project: string, source: string): Promise<IngestedFiles>;
  /** `replacing`: the absolute path of the legacy record this one takes the place of. */
  recordIngestedFile(file: IngestedFile, replacing?: string): Promise<void>;
  /** After a full refresh dropped the source's table: its files are loaded as if for the first time. */
  forgetIngestedFiles(project: string, source: string): Promise<void>;
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
  /** Drop each source's table first and load every file it names now, as if none had been loaded. */
  fullRefresh?: boolean;
  env?: Record<string, string | undefined>;
  now?: () => Date;
  onFile?(event: FileEvent): void;
}

export interface IngestReport {
  files: FileEvent[];
  errors: MeshError[];
}

/**
 * Loads every new or changed file of the domain's sources; unchanged files (same path, same sha256, and
 * their rows still in the table) are skipped. Within a source, files load in path order and the first
 * file that fails stops that source, so a later file never lands before an earlier broken one is fixed;
 * other sources go on.
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
    let files: SourceFile[];
    let known: IngestedFiles;
    let present: Map<string, number>;
    try {
      if (options.fullRefresh) {
        await dropTable(options.session, targetOf(source));
        await options.ledger.forgetIngestedFiles(options.project, source.name);
      }
      files = await discoverFiles(options.session, source, { root: options.root, env: options.env ?? process.env, location });
      known = await options.ledger.ingestedFiles(options.project, source.name);
      present = await rowsPerFile(options.session, targetOf(source));
    } catch (error) {
      emit({ source: source.name, target, file: source.path, outcome: 'failed', rows: 0, replacedRows: 0, elapsedS: 0, finishedAt: now(), notes: [], error: asMeshError(error) });
      continue;
    }
    const records = new Map(known.files.map((f) => [f.file, f]));
    const legacy = [...known.legacy];
    for (const file of files) {
      const event = await ingestFile(options, source, file, recordOf(file, records, legacy), present, location, now);
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

/** What the ledger knows of a file: its record, or one keyed by absolute path before files had keys. */
interface KnownFile {
  record: Omit<IngestedFile, 'file'>;
  /** Set when the record is a legacy one: the absolute path it, and the file's rows, are keyed by. */
  legacyPath?: string;
}

/**
 * The record of a file: by its key, or else a legacy record keyed by the absolute path it has now or, when
 * the folder moved too, by a path ending in its key (the shortest such path: the deeper ones belong to
 * files of the same name in sub-folders). A legacy record matched is taken out of `legacy`, so two files
 * never claim the same one.
 */
function recordOf(file: SourceFile, records: Map<string, IngestedFile>, legacy: LegacyIngestedFile[]): KnownFile | undefined {
  const record = records.get(file.key);
  if (record) return { record };
  const suffix = `/${file.key}`;
  const candidates = legacy.filter((l) => l.path === file.path || l.path.replaceAll('\\', '/').endsWith(suffix));
  const found = candidates.find((l) => l.path === file.path) ?? candidates.sort((a, b) => a.path.length - b.path.length)[0];
  if (!found) return undefined;
  legacy.splice(legacy.indexOf(found), 1);
  return { record: found, legacyPath: found.path };
}

async function ingestFile(options: IngestOptions, source: SourceConfig, file: SourceFile, known: KnownFile | undefined, present: Map<string, number>, location: { file: string; line?: number }, now: () => Date): Promise<FileEvent> {
  const t0 = performance.now();
  const target = targetOf(source);
  const { path, key } = file;
  const base = { source: source.name, target: target.key, file: path, notes: [] as string[], rows: 0, replacedRows: 0 };
  const finish = (rest: Pick<FileEvent, 'outcome'> & Partial<FileEvent>): FileEvent => ({ ...base, elapsedS: (performance.now() - t0) / 1000, finishedAt: now(), ...rest });
  try {
    const checksum = await fileChecksum(path);
    const legacyPath = known?.legacyPath;
    // The table is the truth, not the ledger: a database restored from a cache or a backup, rebuilt, or
    // dropped by --full-refresh lacks rows the ledger says were loaded, and then the file loads again.
    const rowsThere = present.get(legacyPath ?? key) ?? 0;
    const intact = known !== undefined && rowsThere === known.record.rowsLoaded;
    if (known?.record.checksum === checksum && intact) {
      // Unchanged, but its rows and record still carry the absolute path an older version keyed them by.
      if (legacyPath !== undefined) {
        await rekeyRows(options.session, target, legacyPath, key);
        await options.ledger.recordIngestedFile({ ...known.record, file: key }, legacyPath);
      }
      return finish({ outcome: 'unchanged' });
    }
    const loadedAt = now();
    // The file's current absolute path too: an older version may have loaded it and died before recording it.
    const formerKeys = [path, ...(legacyPath === undefined ? [] : [legacyPath])];
    const result = await loadFile({ session: options.session, source, file: path, key, formerKeys, target, loadedAt, location });
    await options.ledger.recordIngestedFile({
      project: options.project, source: source.name, file: key, path, checksum, bytes: statSync(path).size, rowsLoaded: result.rows, target: target.key, runId: options.runId, loadedAt,
    }, legacyPath);
    const restored = known?.record.checksum === checksum && !intact;
    return finish({
      outcome: known && !restored && !options.fullRefresh ? 'replaced' : 'loaded',
      rows: result.rows,
      replacedRows: result.replacedRows,
      notes: [
        ...(restored && !options.fullRefresh ? [`loaded again: ${target.key} held ${rowsThere.toLocaleString('en-US')} of its ${known.record.rowsLoaded.toLocaleString('en-US')} rows`] : []),
        ...(result.createdTable ? [`created ${target.key}`] : []),
        ...result.schemaChanges.map((c) => `${describeChange(c)}${c.kind === 'added' ? ': added to the table' : c.kind === 'missing' ? ': loaded as NULL' : ''}`)],
    });
  } catch (error) {
    return finish({ outcome: 'failed', error: asMeshError(error) });
  }
}

/** Rows per `_source_file` in a source's table; empty when the table does not exist yet. */
async function rowsPerFile(session: AdapterSession, target: TargetTable): Promise<Map<string, number>> {
  if (!(await tableExists(session, target))) return new Map();
  const rows = await session.query(`SELECT ${SOURCE_FILE} AS file, count(*) AS n FROM ${quoteIdent(target.schema)}.${quoteIdent(target.table)} GROUP BY ALL`);
  return new Map(rows.map((r) => [String(r.file), Number(r.n)]));
}

async function dropTable(session: AdapterSession, target: TargetTable): Promise<void> {
  await session.execute(`DROP TABLE IF EXISTS ${quoteIdent(target.schema)}.${quoteIdent(target.table)}`);
}

function asMeshError(error: unknown): MeshError {
  if (isMeshError(error)) return error;
  return new MeshError('E_INGEST_FAILED', error instanceof Error ? error.message.split('\n')[0]! : String(error), { cause: error });
}
