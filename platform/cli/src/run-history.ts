import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PROJECT_FILE_NAMES } from '@mesh/engine';
import { formatError, isMeshError } from '@mesh/errors';
import { MetadataStore, metadataPath, type LockHolder, type RunRecord } from '@mesh/metadata';
import { alertRun } from './alert';
import type { Output } from './commands';
import { projectNameOr } from './project-file';

/**
 * The scheduler starts each step as a child `mesh` process and tells it, through the environment, which
 * schedule run it belongs to; runs started by a person or CI carry neither.
 */
export const PARENT_RUN_ENV = 'MESH_PARENT_RUN';

export function runOrigin(): Pick<RunRecord, 'trigger' | 'parentRunId'> {
  const parent = process.env[PARENT_RUN_ENV];
  return parent ? { trigger: 'schedule', parentRunId: parent } : { trigger: 'cli' };
}

/** Writes a run to the project's history; history is worth having, not worth failing the run for. */
export async function recordRun(root: string, run: RunRecord, io: Output): Promise<void> {
  try {
    await MetadataStore.use(metadataPath(root), (store) => store.recordRun(run));
  } catch (error) {
    io.err(formatError(error).replace(/^error/, 'warning'));
  }
}

/** A run that stopped before any node ran (a compile error, a held lock, a bad ingest.yml) is a run too. */
export async function recordFailedRun(command: string, projectDir: string, startedAt: Date, error: unknown, io: Output): Promise<void> {
  // A held lock is another run's business; recording it would put a failure in the history that never ran.
  if (isMeshError(error) && error.code === 'E_PROJECT_LOCKED') return;
  const root = resolve(projectDir);
  if (!PROJECT_FILE_NAMES.some((f) => existsSync(join(root, f)))) return;
  const message = isMeshError(error) ? `[${error.code}] ${error.message}` : error instanceof Error ? error.message : String(error);
  const run: RunRecord = {
    runId: randomUUID(), project: projectNameOr(root), command, startedAt, finishedAt: new Date(), status: 'error', nodes: [], message, ...runOrigin(),
  };
  await recordRun(root, run, io);
  await alertRun(root, run, [], io);
}

/** A run whose process was killed (or crashed) mid-way, found by the stale lock it left. */
export async function recordInterruptedRun(root: string, holder: LockHolder, io: Output): Promise<void> {
  const run: RunRecord = {
    runId: randomUUID(), project: projectNameOr(root), command: holder.command, startedAt: new Date(holder.startedAt), finishedAt: new Date(), status: 'error', nodes: [],
    message: `[E_RUN_INTERRUPTED] the ${holder.command} of pid ${holder.pid} ended without finishing (killed or crashed); found when its lock was taken over`,
  };
  await recordRun(root, run, io);
}
