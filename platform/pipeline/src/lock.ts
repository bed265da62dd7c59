import { resolve } from 'node:path';
import { findProjectFile } from '@mesh/engine';
import { acquireProjectLock, type LockHolder, type ProjectLock } from '@mesh/metadata';
import type { Reporter } from './events';
import { recordInterruptedRun } from './run-history';

/** One writer per project: a second build fails at once naming the first, or waits when told to. */
export async function lockProject(projectDir: string, command: string, wait: boolean | undefined, report: Reporter): Promise<ProjectLock> {
  const root = resolve(projectDir);
  // A folder that is not a project gets the engine's error here, rather than a .mesh/ folder it never needed.
  findProjectFile(root);
  const stale: LockHolder[] = [];
  const lock = await acquireProjectLock(root, {
    command,
    wait,
    onWait: (holder) => report({ kind: 'lock-wait', holder }),
    onStale: (holder) => {
      stale.push(holder);
      report({ kind: 'lock-stale', holder });
    },
  });
  // A killed run recorded nothing itself; its lock is the only trace, so the history learns of it here.
  for (const h of stale) await recordInterruptedRun(root, h, report);
  return lock;
}
