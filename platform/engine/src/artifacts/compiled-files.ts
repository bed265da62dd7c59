import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { contentHash } from '../load/parse-cache';

const INDEX = '.index.json';

/**
 * Writes target/compiled/**. Small-file writes dominate a large compile (tens of thousands of files,
 * each a create on a slow disk), so the folder keeps an index of what each file holds: a file whose
 * content did not change is neither read nor written. Folders are made once and the remaining writes
 * are issued concurrently. Texts are the SQL without the final newline the files get.
 */
export async function writeCompiledFiles(root: string, files: Map<string, string>): Promise<{ written: number; unchanged: number }> {
  const indexPath = join(root, INDEX);
  let previous: Record<string, string> = {};
  try {
    previous = JSON.parse(readFileSync(indexPath, 'utf8')) as Record<string, string>;
  } catch {
    previous = {};
  }
  const next: Record<string, string> = {};
  const folders = new Set<string>();
  // One listing per folder tells which files exist, much cheaper than a stat per file.
  const listings = new Map<string, Set<string>>();
  const exists = (path: string): boolean => {
    const folder = dirname(path);
    let names = listings.get(folder);
    if (!names) {
      try {
        names = new Set(readdirSync(folder));
      } catch {
        names = new Set();
      }
      listings.set(folder, names);
    }
    return names.has(path.slice(folder.length + 1));
  };
  const pending: Array<[string, string]> = [];
  let unchanged = 0;
  for (const [path, text] of files) {
    // Paths are built under root; slicing is far cheaper than path.relative on 20,000 of them.
    const key = path.startsWith(`${root}/`) ? path.slice(root.length + 1) : path;
    const hash = contentHash(text);
    next[key] = hash;
    if (previous[key] === hash && exists(path)) {
      unchanged++;
      continue;
    }
    const folder = dirname(path);
    if (!folders.has(folder)) {
      mkdirSync(folder, { recursive: true });
      folders.add(folder);
    }
    pending.push([path, text]);
  }
  const CONCURRENCY = 32;
  let cursor = 0;
  const worker = async () => {
    while (cursor < pending.length) {
      const [path, text] = pending[cursor++]!;
      await writeFile(path, `${text}\n`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, pending.length) }, worker));
  if (pending.length || Object.keys(previous).length !== files.size) {
    mkdirSync(root, { recursive: true });
    writeFileSync(`${indexPath}.tmp`, JSON.stringify(next));
    renameSync(`${indexPath}.tmp`, indexPath);
  }
  return { written: pending.length, unchanged };
}
