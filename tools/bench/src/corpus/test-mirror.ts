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
