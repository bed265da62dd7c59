import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A real git repository made in a temp folder, in the layout `fetch` leaves mirrors in. */
export function makeMirror(root: string, repo: string, commits: Array<{ files: Record<string, string>; tag?: string }>): string {
  const work = mkdtempSync(join(tmpdir(), 'corpus-work-'));
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { cwd: work, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  for (const c of commits) {
    for (const [path, text] of Object.entries(c.files)) {
      mkdirSync(dirname(join(work, path)), { recursive: true });
      writeFileSync(join(work, path), text);
    }
    git('add', '-A');
    git('commit', '-qm', c.tag ?? 'change');
    if (c.tag) git('tag', c.tag);
  }
  const bare = join(root, repo.replace('/', '+'), 'repo');
  mkdirSync(dirname(bare), { recursive: true });
  execFileSync('git', ['clone', '-q', '--bare', work, bare]);
  rmSync(work, { recursive: true, force: true });
  return bare;
}

/** A dbt project of the given files in a new temp folder. */
export function writeProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'corpus-project-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** Puts MESH_CORPUS_MIRRORS back as it was before a test pointed it at its own mirrors, and removes those. */
export function restoreMirrors(root: string, saved: string | undefined): void {
  if (saved === undefined) delete process.env.MESH_CORPUS_MIRRORS;
  else process.env.MESH_CORPUS_MIRRORS = saved;
  rmSync(root, { recursive: true, force: true });
}
