import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Corpus, type CorpusProject } from './corpus-file';
import { installPackages, type DepsResult } from './deps';
import { extractTree, mirrorOf, readAt } from './mirror';

/** Where checkouts, generated data and generator venvs live: outside the repository, kept between runs. */
export const DEFAULT_CACHE = process.env.MESH_CORPUS_CACHE ?? '/work/corpus-cache';

export interface PreparedProject {
  project: CorpusProject;
  /** The whole repository at the project's commit, with its data made and its packages installed. */
  checkout: string;
  /** The dbt project inside it. */
  projectDir: string;
  deps: DepsResult;
  /** Files the mirror lacks (its largest) that no generator made: the project's data is incomplete. */
  missing: string[];
  generated: string[];
}

interface CheckoutMeta {
  repo: string;
  commit: string;
  missing: string[];
  generated: Record<string, string[]>;
}

function run(cmd: string, args: string[], cwd: string, what: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${what} failed (${cmd} ${args.join(' ')}):\n${r.stdout}\n${r.stderr}`);
}

/** A venv of its own for each generator package, so the oracle's venv stays as its requirements pin it. */
function generatorVenv(cache: string, pip: string): string {
  const venv = join(cache, 'venvs', pip.replace(/[^A-Za-z0-9_.-]/g, '_'));
  if (!existsSync(join(venv, '.installed'))) {
    rmSync(venv, { recursive: true, force: true });
    run('python3', ['-m', 'venv', venv], cache, `creating a venv for ${pip}`);
    run(join(venv, 'bin', 'pip'), ['install', '--quiet', pip], cache, `pip install ${pip}`);
    writeFileSync(join(venv, '.installed'), pip);
  }
  return venv;
}

function generate(cache: string, checkout: string, project: CorpusProject, log: (l: string) => void): string[] {
  const g = project.generate!;
  const venv = generatorVenv(cache, g.pip);
  const scratch = mkdtempSync(join(tmpdir(), 'corpus-generate-'));
  try {
    log(`${project.id}: generating its data with ${g.run.join(' ')} (${g.pip})`);
    const [program, ...args] = g.run as [string, ...string[]];
    run(join(venv, 'bin', program), args, scratch, `generating the data of ${project.id}`);
    const into = join(checkout, g.into);
    mkdirSync(into, { recursive: true });
    for (const file of g.keep) {
      const from = join(scratch, g.output, file);
      if (!existsSync(from)) throw new Error(`${project.id}: the generator made no ${g.output}/${file}`);
      copyFileSync(from, join(into, file));
    }
    return g.keep.map((f) => join(g.into, f));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The repository at the commit, once per cache; an interrupted checkout is started again. */
function checkoutOf(cache: string, project: CorpusProject, log: (l: string) => void): { dir: string; meta: CheckoutMeta } {
  const dir = join(cache, 'checkouts', `${project.repo.replace('/', '+')}@${project.commit.slice(0, 10)}`);
  const metaFile = `${dir}.json`;
  if (existsSync(metaFile) && existsSync(dir)) return { dir, meta: JSON.parse(readFileSync(metaFile, 'utf8')) as CheckoutMeta };
  const gitDir = mirrorOf(project.repo);
  const part = `${dir}.part`;
  rmSync(part, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(part, { recursive: true });
  log(`${project.id}: checking out ${project.repo} at ${project.commit.slice(0, 10)}`);
  const { missing } = extractTree(gitDir, project.commit, part);
  renameSync(part, dir);
  const meta: CheckoutMeta = { repo: project.repo, commit: project.commit, missing, generated: {} };
  writeFileSync(metaFile, JSON.stringify(meta, null, 2));
  return { dir, meta };
}

/**
 * Makes each project ready to build: its repository checked out at the pinned commit, its data generated
 * where a generator is named, its packages installed under `dbt_packages/`. Projects of one repository
 * and commit share a checkout, so an upstream project and its consumer sit side by side as in the
 * repository. Packages are installed anew every time (it takes well under a second each).
 */
export function prepareCorpus(corpus: Corpus, projects: CorpusProject[], options: { cache?: string; log?: (l: string) => void } = {}): PreparedProject[] {
  const cache = options.cache ?? DEFAULT_CACHE;
  const log = options.log ?? (() => {});
  mkdirSync(cache, { recursive: true });
  const wanted = new Map<string, CorpusProject>();
  const add = (p: CorpusProject) => {
    if (p.upstream) add(corpus.projects.find((q) => q.id === p.upstream)!);
    wanted.set(p.id, p);
  };
  projects.filter((p) => !p.excluded).forEach(add);
  const prepared: PreparedProject[] = [];
  for (const project of wanted.values()) {
    const { dir, meta } = checkoutOf(cache, project, log);
    if (project.generate && !meta.generated[project.id]) {
      meta.generated[project.id] = generate(cache, dir, project, log);
      writeFileSync(`${dir}.json`, JSON.stringify(meta, null, 2));
    }
    const generated = Object.values(meta.generated).flat();
    const projectDir = join(dir, project.dir);
    const inProject = (path: string) => project.dir === '.' || path.startsWith(`${project.dir}/`);
    // The repository's own package-lock.yml (or none), not the one an earlier install wrote.
    const lockPath = join(projectDir, 'package-lock.yml');
    const lock = readAt(mirrorOf(project.repo), project.commit, join(project.dir, 'package-lock.yml').replace(/^\.\//, ''));
    if (lock === undefined) rmSync(lockPath, { force: true });
    else writeFileSync(lockPath, lock);
    const deps = installPackages(projectDir, corpus.hub);
    log(`${project.id}: ${deps.packages.length ? deps.packages.map((p) => `${p.name} <- ${p.installed}`).join(', ') : 'no packages'}${deps.from === 'lock' ? ' (package-lock.yml)' : ''}`);
    prepared.push({
      project,
      checkout: dir,
      projectDir,
      deps,
      missing: meta.missing.filter((f) => inProject(f) && !generated.includes(f)),
      generated: generated.filter(inProject),
    });
  }
  return prepared;
}
