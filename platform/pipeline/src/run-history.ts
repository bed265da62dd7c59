import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { findProjectFile, PROJECT_FILE_NAMES, readProjectFile } from '@mesh/engine';
import { isMeshError } from '@mesh/errors';
import { MetadataStore, metadataPath, type LockHolder, type RunRecord } from '@mesh/metadata';
import { alertRun } from './alert';
import type { Reporter } from './events';
import type { RunOrigin } from './options';

/** Writes a run to the project's history; history is worth having, not worth failing the run for. */
export async function recordRun(root: string, run: RunRecord, report: Reporter): Promise<void> {
  try {
    await MetadataStore.use(metadataPath(root), (store) => store.recordRun(run));
  } catch (error) {
    report({ kind: 'warning', error });
  }
}

/** The project's name for history when its file cannot be read (a run that failed on it is still a run). */
export function projectNameOr(projectDir: string): string {
  try {
    return readProjectFile(findProjectFile(resolve(projectDir))).project.name;
  } catch {
    return basename(resolve(projectDir));
  }
}

/**
 * A run that stopped before any node ran (a compile error, a held lock, a bad ingest.yml) is a run too.
 * Returns whether it was recorded: a held lock is another run's business and is not.
 */
export async function recordFailedRun(command: string, projectDir: string, startedAt: Date, error: unknown, origin: RunOrigin, report: Reporter, env?: Record<string, string | undefined>): Promise<boolean> {
  if (isMeshError(error) && error.code === 'E_PROJECT_LOCKED') return false;
  const root = resolve(projectDir);
  if (!PROJECT_FILE_NAMES.some((f) => existsSync(join(root, f)))) return false;
  const message = isMeshError(error) ? `[${error.code}] ${error.message}` : error instanceof Error ? error.message : String(error);
  const run: RunRecord = {
    runId: randomUUID(), project: projectNameOr(root), command, startedAt, finishedAt: new Date(), status: 'error', nodes: [], message, ...origin,
  };
  await recordRun(root, run, report);
  await alertRun(root, run, [], report, env);
  return true;
}

/** A run whose process was killed (or crashed) mid-way, found by the stale lock it left. */
export async function recordInterruptedRun(root: string, holder: LockHolder, report: Reporter): Promise<void> {
  const run: RunRecord = {
    runId: randomUUID(), project: projectNameOr(root), command: holder.command, startedAt: new Date(holder.startedAt), finishedAt: new Date(), status: 'error', nodes: [],
    message: `[E_RUN_INTERRUPTED] the ${holder.command} of pid ${holder.pid} ended without finishing (killed or crashed); found when its lock was taken over`,
  };
  await recordRun(root, run, report);
}
