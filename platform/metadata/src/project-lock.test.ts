import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatError } from '@mesh/errors';
import { acquireProjectLock, lockPath, type LockHolder } from './project-lock';

const project = () => mkdtempSync(join(tmpdir(), 'mesh-lock-'));

/** A pid that existed and is gone: a child that has already exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

function writeLock(root: string, holder: Partial<LockHolder>): void {
  mkdirSync(join(root, '.mesh'), { recursive: true });
  writeFileSync(lockPath(root), JSON.stringify({ command: 'build', startedAt: '2026-03-01T10:00:00.000Z', host: hostname(), ...holder }));
}

describe('the project lock', () => {
  it('is held by one at a time; the second fails at once naming the holder', async () => {
    const root = project();
    const lock = await acquireProjectLock(root, { command: 'build' });
    const error = await acquireProjectLock(root, { command: 'ingest' }).catch((e: unknown) => e);
    expect(formatError(error)).toContain(`error[E_PROJECT_LOCKED] ${lockPath(root)}: another build of this project is running (pid ${process.pid}, started ${lock.holder.startedAt})`);
    lock.release();
    expect(existsSync(lockPath(root))).toBe(false);
    (await acquireProjectLock(root, { command: 'ingest' })).release();
  });

  it('waits for the holder with wait, and gives up after a time limit', async () => {
    const root = project();
    const lock = await acquireProjectLock(root, { command: 'build' });
    const waited: number[] = [];
    const second = acquireProjectLock(root, { command: 'build', wait: true, pollMs: 10, onWait: (h) => waited.push(h.pid) });
    setTimeout(() => lock.release(), 100);
    (await second).release();
    expect(waited).toEqual([process.pid]);
    const held = await acquireProjectLock(root, { command: 'build' });
    const error = await acquireProjectLock(root, { command: 'build', wait: true, pollMs: 10, timeoutMs: 50 }).catch((e: unknown) => e);
    expect(formatError(error)).toContain('gave up waiting for the build of pid');
    held.release();
  });

  it('takes over a lock whose process is gone, and says so', async () => {
    const root = project();
    const pid = deadPid();
    writeLock(root, { pid });
    const stale: number[] = [];
    const lock = await acquireProjectLock(root, { command: 'build', onStale: (h) => stale.push(h.pid) });
    expect(stale).toEqual([pid]);
    expect(lock.holder.pid).toBe(process.pid);
    lock.release();
  });

  it('respects a lock of another machine, whose pid it cannot check', async () => {
    const root = project();
    writeLock(root, { pid: deadPid(), host: 'elsewhere' });
    await expect(acquireProjectLock(root, { command: 'build' })).rejects.toThrow(/pid \d+ on elsewhere/);
  });

  it('of many processes racing for a stale lock, exactly one gets it', async () => {
    const root = project();
    writeLock(root, { pid: deadPid() });
    const script = `
      import { acquireProjectLock } from ${JSON.stringify(join(import.meta.dirname, 'project-lock.ts'))};
      try { await acquireProjectLock(process.argv[1], { command: 'build' }); console.log('got'); setTimeout(() => {}, 3000); }
      catch (e) { console.log(e.code); }`;
    // The winner holds the lock long enough for the slowest to start and find it held, not released.
    const { spawn } = await import('node:child_process');
    const runs = Array.from({ length: 4 }, () => new Promise<string>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, root], { cwd: import.meta.dirname });
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString()));
      child.on('close', () => resolve(out.trim()));
    }));
    const outcomes = (await Promise.all(runs)).sort();
    expect(outcomes).toEqual(['E_PROJECT_LOCKED', 'E_PROJECT_LOCKED', 'E_PROJECT_LOCKED', 'got']);
  });
});
