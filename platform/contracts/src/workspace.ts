import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_FILE_NAMES } from '@mesh/engine';

const SKIP = new Set(['node_modules', 'target', 'dist']);

/** Mesh project folders in a workspace, at most two levels down (`domains/sales`, or `sales` in a flat one). */
export function workspaceProjects(workspaceRoot: string): string[] {
  const out: string[] = [];
  const visit = (dir: string, depth: number) => {
    if (PROJECT_FILE_NAMES.some((f) => existsSync(join(dir, f)))) {
      out.push(dir);
      return;
    }
    if (depth === 0) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && !entry.name.startsWith('.') && !SKIP.has(entry.name)) visit(join(dir, entry.name), depth - 1);
    }
  };
  visit(workspaceRoot, 2);
  return out.sort();
}
