import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { contentHash } from '../load/parse-cache';

const INDEX = '.index.json';

/**
 * What target/compiled holds: each file's path (relative to the folder) and the hash of its text, in the
 * order of the last compile. Two lists rather than one object keyed by path: a compile produces its
 * files in the same order every time, so the lists are compared position by position, without building
 * or searching a 20,000-key object.
 */
interface Index {
  paths: string[];
  hashes: string[];
  /** Read from an index of the earlier form, which is then rewritten. */
  earlier?: boolean;
}

function readIndex(path: string): Index {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return { paths: [], hashes: [] };
  }
  const { paths, hashes } = (data ?? {}) as Partial<Index>;
  if (Array.isArray(paths) && Array.isArray(hashes) && paths.length === hashes.length) return { paths, hashes };
  // An index of the earlier form, { path: hash }, still saves rewriting every file once.
  if (data && typeof data === 'object' && !Array.isArray(data)) {
    const entries = Object.entries(data).filter((e): e is [string, string] => typeof e[1] === 'string');
    return { paths: entries.map((e) => e[0]), hashes: entries.map((e) => e[1]), earlier: true };
  }
  return { paths: [], hashes: [] };
}

function folderOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/**
 * Writes target/compiled/**. `files` maps paths relative to `root` (forward slashes) to SQL texts, without
 * the final newline the files get. Small-file writes dominate a large compile (tens of thousands of files,
 * each a create on a slow disk), so the folder keeps an index of what each file holds: a file whose
 * content did not change is neither read nor written. Folders are made once and the remaining writes are
 * issued concurrently.
 */
export async function writeCompiledFiles(root: string, files: Map<string, string>): Promise<{ written: number; unchanged: number }> {
  const indexPath = `${root}/${INDEX}`;
  const previous = readIndex(indexPath);
  let previousByPath: Map<string, string> | undefined;
  const hashBefore = (path: string, position: number): string | undefined => {
    if (previous.paths[position] === path) return previous.hashes[position];
    previousByPath ??= new Map(previous.paths.map((p, i) => [p, previous.hashes[i]!]));
    return previousByPath.get(path);
  };
  // One listing per folder tells which files exist, much cheaper than a stat per file.
  const listings = new Map<string, Set<string>>();
  const exists = (path: string): boolean => {
    const folder = folderOf(path);
    let names = listings.get(folder);
    if (!names) {
      try {
        names = new Set(readdirSync(`${root}/${folder}`));
      } catch {
        names = new Set();
      }
      listings.set(folder, names);
    }
    return names.has(folder ? path.slice(folder.length + 1) : path);
  };
  const next: Index = { paths: [], hashes: [] };
  const folders = new Set<string>();
  const pending: Array<[string, string]> = [];
  let unchanged = 0;
  let moved = false;
  for (const [path, text] of files) {
    const position = next.paths.length;
    const hash = contentHash(text);
    next.paths.push(path);
    next.hashes.push(hash);
    if (previous.paths[position] !== path) moved = true;
    if (hashBefore(path, position) === hash && exists(path)) {
      unchanged++;
      continue;
    }
    const folder = folderOf(path);
    if (!folders.has(folder)) {
      mkdirSync(`${root}/${folder}`, { recursive: true });
      folders.add(folder);
    }
    pending.push([`${root}/${path}`, text]);
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
  if (pending.length || moved || previous.earlier || previous.paths.length !== files.size) {
    mkdirSync(root, { recursive: true });
    writeFileSync(`${indexPath}.tmp`, JSON.stringify(next));
    renameSync(`${indexPath}.tmp`, indexPath);
  }
  return { written: pending.length, unchanged };
}
