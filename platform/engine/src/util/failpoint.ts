import { writeSync } from 'node:fs';

/**
 * Named points where a process can be stopped on purpose, for the fault-injection suite: with
 * `MESH_FAILPOINT=<name>` (a comma-separated list; `*` at the end matches a prefix) the process
 * writes `failpoint <name>` to stderr and stops itself with SIGSTOP when it gets there, so a test
 * can kill -9 it at exactly that point, or change the disk under it and let it go on (SIGCONT).
 * Without the variable a failpoint is one comparison.
 */
const wanted = (process.env.MESH_FAILPOINT ?? '').split(',').map((s) => s.trim()).filter(Boolean);

export function failpoint(name: string): void {
  if (!wanted.length) return;
  if (!wanted.some((w) => (w.endsWith('*') ? name.startsWith(w.slice(0, -1)) : w === name))) return;
  writeSync(2, `failpoint ${name}\n`);
  process.kill(process.pid, 'SIGSTOP');
}
