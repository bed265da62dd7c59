import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '@mesh/cli';
import { REPO_ROOT } from '@mesh/testing';
import { checkCommand, readWorkspace } from './check-command';
import { pageCommands, shownCommands, type ShownCommand } from './extract-commands';

const workspace = readWorkspace(REPO_ROOT, buildProgram());
const shown = pageCommands(REPO_ROOT);
const at = (c: ShownCommand) => `${c.file}:${c.line}: ${c.text}`;

describe('the commands README.md and docs/ show', () => {
  it('are found on every page that shows any, blocks and inline', () => {
    const pages = new Set(shown.map((c) => c.file));
    expect([...pages].sort()).toEqual(expect.arrayContaining(['README.md', 'docs/api.md', 'docs/catalog.md', 'docs/domains.md', 'docs/operations.md', 'docs/releases.md']));
    expect(shown.filter((c) => c.kind === 'block').length).toBeGreaterThan(20);
    expect(shown.some((c) => c.kind === 'inline' && c.text.startsWith('mesh schedule'))).toBe(true);
  });

  it('each name a real program, script, mesh subcommand and option, with mesh run through pnpm exec', () => {
    const problems = shown.flatMap((c) => checkCommand(c, workspace).problems.map((p) => `${at(c)}\n    ${p}`));
    expect(problems).toEqual([]);
  });
});

describe('the checks themselves', () => {
  const check = (text: string, kind: ShownCommand['kind'] = 'block') => checkCommand({ file: 'x.md', line: 1, text, kind, cwd: '.' }, workspace).problems;

  it('refuse what a reader could not paste', () => {
    expect(check('mesh build')).toEqual(["mesh is not on PATH outside the workspace's scripts: write pnpm exec mesh"]);
    expect(check('pnpm exec mesh buidl')).toEqual(["'buidl' is not a mesh command (mesh --help lists them)"]);
    expect(check('pnpm exec mesh build --thread 2')[0]).toMatch(/^mesh build has no option --thread \(it has --project-dir, /);
    expect(check('pnpm exec mesh contract chek')[0]).toMatch(/^'chek' is not a subcommand of mesh contract \(generate, diff, check, release, migrate\)/);
    expect(check('pnpm demoo')[0]).toMatch(/^pnpm demoo: the root package.json has no such script/);
    expect(check('pnpm --filter @mesh/datagen generat --out x')).toEqual(["@mesh/datagen has no script 'generat'"]);
    expect(check('bash .ci/nope')).toEqual(['.ci/nope does not exist']);
    expect(check('npm install -g pnpm@9.0.0')).toEqual([`installs pnpm 9.0.0, but package.json pins pnpm@${workspace.pnpmVersion}`]);
    expect(check('pnpm exec nx run-many -t biuld')).toEqual(["no project defines the nx target 'biuld'"]);
    expect(check('nx run-many -t build')).toEqual(["nx is not on PATH outside the workspace's scripts: write pnpm exec nx"]);
    expect(check('TOKEN=$(pnpm exec mesh token ad --name x)')).toEqual(["'ad' is not a subcommand of mesh token (add, remove, list)"]);
    expect(check('dbt run')).toEqual(["'dbt' is not a program these pages may use (pnpm, pnpm exec, npm, bash, cd, curl, git)"]);
  });

  it('take inline usage as names: placeholders and optional flags, no pnpm exec needed', () => {
    expect(check('mesh contract generate [--out f] [--types f.ts]', 'inline')).toEqual([]);
    expect(check('mesh runs show <id>', 'inline')).toEqual([]);
    expect(check('mesh schedule --twice', 'inline')[0]).toMatch(/^mesh schedule has no option --twice/);
  });

  it('follow a block into the folder its cd lines name', () => {
    const lines = shownCommands('x.md', '```sh\ncd domains/inventory\npnpm exec mesh contract check\n```\n');
    expect(lines.map((l) => [l.cwd, l.text])).toEqual([['.', 'cd domains/inventory'], ['domains/inventory', 'pnpm exec mesh contract check']]);
    expect(checkCommand(lines[1]!, workspace).runs).toEqual([
      { args: ['contract', 'check', '--help'], cwd: join(REPO_ROOT, 'domains/inventory') },
      { args: ['contract', 'check'], cwd: join(REPO_ROOT, 'domains/inventory') },
    ]);
  });
});
