import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { loadProject, parseProject } from '@mesh/engine';
import { maskingKey } from '@mesh/governance';
import { expandEnv, fileChecksum, loadIngestFile } from '@mesh/ingest';
import type { Output } from './commands';
import { parseVars } from './parse-vars';

/**
 * `mesh inputs`: every file a build reads that is not part of the project's own folder: the files its
 * sources read in place (wherever a variable or the environment points them) and the files its
 * ingestion loads, each with the sha256 of its content, plus the masking key's fingerprint. With
 * `--hash` it prints one digest of all of them: nx runs it as a runtime input, so a changed raw file
 * (in a git-ignored folder nx never hashes) rebuilds the domain instead of replaying a stale cache.
 */

export interface InputFile {
  kind: 'source' | 'ingest';
  /** The source (`raw.orders`) or ingestion source it belongs to. */
  of: string;
  /** As the project names it: a path, a glob or a reader call. */
  location: string;
  /** The files it matches now, absolute, with the sha256 of each. */
  files: Array<{ path: string; sha256: string }>;
}

const GLOB = /[*?[{]/;

/** The first path a reader call names (`read_csv('x.csv', ...)`), or the location itself. */
function pathOf(location: string): string {
  const call = /^\s*[A-Za-z_][A-Za-z0-9_]*\s*\(\s*(\[\s*)?'((?:[^']|'')*)'/.exec(location);
  return call ? call[2]!.replaceAll("''", "'") : location;
}

/** DuckDB's glob: the engine that reads the files decides what a pattern matches. */
async function expand(patterns: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  const globs = patterns.filter((p) => GLOB.test(p));
  for (const p of patterns) if (!GLOB.test(p)) out.set(p, [p]);
  if (!globs.length) return out;
  const { DuckDBAdapter } = await import('@mesh/adapter-duckdb');
  const adapter = await DuckDBAdapter.open({ path: ':memory:' });
  try {
    const session = await adapter.session();
    try {
      for (const p of globs) out.set(p, (await session.query(`SELECT file FROM glob('${p.replaceAll("'", "''")}') ORDER BY file`)).map((r) => String(r.file)));
    } finally {
      session.close();
    }
  } finally {
    await adapter.close();
  }
  return out;
}

interface DigestCache {
  [path: string]: { stamp: string; sha256: string };
}

/**
 * Content digests, remembered per file by inode, size and time of change in `.mesh/input-digests.json`
 * (beside the project, outside the disposable target/): a 400 MB export is read once, not at every nx run.
 */
async function digests(paths: string[], cacheFile: string): Promise<Map<string, string>> {
  let cache: DigestCache = {};
  try {
    cache = JSON.parse(readFileSync(cacheFile, 'utf8')) as DigestCache;
  } catch {
    cache = {};
  }
  const out = new Map<string, string>();
  let changed = false;
  for (const path of paths) {
    let stamp: string;
    try {
      const s = statSync(path);
      stamp = `${s.ino}:${s.size}:${s.mtimeMs}`;
    } catch {
      out.set(path, 'missing');
      continue;
    }
    const hit = cache[path];
    if (hit?.stamp === stamp) {
      out.set(path, hit.sha256);
      continue;
    }
    const sha256 = await fileChecksum(path);
    cache[path] = { stamp, sha256 };
    out.set(path, sha256);
    changed = true;
  }
  if (changed) {
    try {
      mkdirSync(dirname(cacheFile), { recursive: true });
      writeFileSync(`${cacheFile}.${process.pid}.tmp`, JSON.stringify(cache));
      renameSync(`${cacheFile}.${process.pid}.tmp`, cacheFile);
    } catch {
      // A read-only checkout hashes again next time.
    }
  }
  return out;
}

export async function projectInputs(projectDir: string, options: { target?: string; vars?: Record<string, unknown> } = {}): Promise<{ project: string; root: string; inputs: InputFile[]; maskingKey?: string }> {
  const files = loadProject(projectDir, { cache: false });
  const parsed = parseProject(files, { vars: options.vars, target: options.target });
  const declared: Array<Omit<InputFile, 'files'> & { pattern: string }> = [];
  for (const node of parsed.nodes) {
    if (node.resource_type !== 'source' || !node.external_location || /^[a-z0-9]+:\/\//i.test(node.external_location)) continue;
    declared.push({ kind: 'source', of: `${node.source_name}.${node.name}`, location: node.external_location, pattern: pathOf(node.external_location) });
  }
  const ingest = loadIngestFile(parsed.root);
  for (const source of ingest?.sources ?? []) {
    const expanded = expandEnv(source.path, process.env, { file: ingest!.file });
    const path = isAbsolute(expanded) ? expanded : resolve(parsed.root, expanded);
    let pattern = path;
    try {
      if (!GLOB.test(path) && statSync(path).isDirectory()) pattern = join(path, '**');
    } catch {
      // A file that does not exist yet: hashed as missing.
    }
    declared.push({ kind: 'ingest', of: source.name, location: source.path, pattern });
  }
  const matched = await expand([...new Set(declared.map((d) => d.pattern))]);
  const all = [...new Set([...matched.values()].flat())].sort();
  const sums = await digests(all, join(parsed.root, '.mesh', 'input-digests.json'));
  const inputs = declared.map(({ pattern, ...d }) => ({ ...d, files: (matched.get(pattern) ?? []).map((path) => ({ path, sha256: sums.get(path)! })) }));
  return { project: parsed.name, root: parsed.root, inputs, maskingKey: maskingKey(parsed.root, parsed.name).id };
}

export async function inputsCommand(flags: { projectDir: string; target?: string; vars?: string; hash?: boolean; json?: boolean }, io: Output): Promise<number> {
  const result = await projectInputs(flags.projectDir, { target: flags.target, vars: parseVars(flags.vars) });
  if (flags.hash) {
    // Paths as the files are found (a moved raw folder is other input), contents by digest.
    const digest = createHash('sha256');
    for (const input of result.inputs) for (const f of input.files) digest.update(`${input.kind}\u0000${input.of}\u0000${f.path}\u0000${f.sha256}\n`);
    digest.update(`masking-key\u0000${result.maskingKey ?? 'none'}\n`);
    io.out(digest.digest('hex'));
    return 0;
  }
  if (flags.json) {
    io.out(JSON.stringify(result, null, 2));
    return 0;
  }
  if (!result.inputs.length) io.out(`${result.project} reads no files outside its folder.`);
  for (const input of result.inputs) {
    io.out(`${input.kind} ${input.of}: ${input.location}`);
    if (!input.files.length) io.out('  (no file matches now)');
    for (const f of input.files) io.out(`  ${f.sha256.slice(0, 12)}  ${relative(process.cwd(), f.path) || f.path}`);
  }
  io.out(`masking key: ${result.maskingKey ?? 'none yet'}`);
  return 0;
}
