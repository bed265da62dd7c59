import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Local copies of public repositories: bare git directories at `<root>/<owner>+<name>/repo`, as the
 * workspace's `fetch` leaves them. Nothing here writes into a mirror (no checkout, no index), so several
 * readers can share one.
 */
export function mirrorRoot(): string {
  return process.env.MESH_CORPUS_MIRRORS ?? '/work/.mirror';
}

export class MissingMirror extends Error {
  constructor(readonly repo: string, readonly root: string) {
    super(`no mirror of ${repo} in ${root}: fetch github:${repo} first`);
  }
}

export function mirrorOf(repo: string, root = mirrorRoot()): string {
  const dir = join(root, repo.replace('/', '+'), 'repo');
  if (!existsSync(dir)) throw new MissingMirror(repo, root);
  return dir;
}

function git(gitDir: string, args: string[], input?: string): Buffer {
  const r = spawnSync('git', ['--git-dir', gitDir, ...args], { input, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} in ${gitDir}: ${r.stderr.toString().trim()}`);
  return r.stdout;
}

export function tryGit(gitDir: string, args: string[]): string | undefined {
  const r = spawnSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : undefined;
}

export function tags(gitDir: string): string[] {
  return git(gitDir, ['tag', '--list']).toString().split('\n').filter(Boolean);
}

/** A commit, tag or branch name as the 40-hex commit, or undefined when the mirror has no such revision. */
export function resolveRevision(gitDir: string, revision: string): string | undefined {
  return tryGit(gitDir, ['rev-parse', '--verify', '--quiet', `${revision}^{commit}`])?.trim();
}

export function readAt(gitDir: string, commit: string, path: string): string | undefined {
  return tryGit(gitDir, ['show', `${commit}:${path}`]);
}

/**
 * Writes the tree of `commit` (or of one folder of it) into `dest`. A mirror lacks the blobs of its
 * largest files; those are skipped and returned, so the caller can say which data is missing.
 */
export function extractTree(gitDir: string, commit: string, dest: string, folder = ''): { files: number; missing: string[] } {
  const prefix = folder && folder !== '.' ? `${folder.replace(/\/$/, '')}/` : '';
  const listing = git(gitDir, ['ls-tree', '-r', '-z', '--full-tree', commit, ...(prefix ? [prefix] : [])]).toString();
  const entries = listing.split('\0').filter(Boolean).map((line) => {
    const [meta, path] = line.split('\t') as [string, string];
    const [mode, type, sha] = meta.split(' ') as [string, string, string];
    return { mode, type, sha, path: path.slice(prefix.length) };
  }).filter((e) => e.type === 'blob');
  const out = git(gitDir, ['cat-file', '--batch'], entries.map((e) => e.sha).join('\n') + '\n');
  const missing: string[] = [];
  let at = 0;
  for (const entry of entries) {
    const eol = out.indexOf(10, at);
    const header = out.subarray(at, eol).toString();
    at = eol + 1;
    if (header.endsWith(' missing')) {
      missing.push(entry.path);
      continue;
    }
    const size = Number(header.split(' ')[2]);
    const body = out.subarray(at, at + size);
    at += size + 1;
    const target = join(dest, entry.path);
    mkdirSync(dirname(target), { recursive: true });
    if (entry.mode === '120000') symlinkSync(body.toString(), target);
    else {
      writeFileSync(target, body);
      if (entry.mode === '100755') chmodSync(target, 0o755);
    }
  }
  return { files: entries.length - missing.length, missing };
}
