import { accessSync, constants, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { parse, type ParseEntry } from 'shell-quote';
import type { ShownCommand } from './extract-commands';

/** What a command is checked against: the repository's scripts and binaries, and the mesh CLI's own definition. */
export interface Workspace {
  root: string;
  /** The root package.json's scripts and the pnpm version it pins. */
  scripts: Set<string>;
  pnpmVersion: string | undefined;
  /** Workspace packages by name: their folder and scripts. */
  packages: Map<string, { dir: string; scripts: Set<string> }>;
  /** The nx targets some project defines. */
  nxTargets: Set<string>;
  /** `mesh`, as its own program defines it (commander). */
  mesh: Command;
}

/** A mesh command worth running to prove it works as written: quick, and changing nothing. */
export interface CheapRun {
  args: string[];
  cwd: string;
}

export interface CommandCheck {
  problems: string[];
  runs: CheapRun[];
}

const PNPM_BUILTINS = new Set(['install', 'i', 'add', 'exec', 'run', 'dlx', 'why', 'list', 'ls']);
/** Subcommands that only read: run in full. Every other shown mesh command is run with --help. */
const READ_ONLY = [['contract', 'check'], ['contract', 'diff'], ['policy', 'check'], ['token', 'list']];

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

function scriptsOf(pkg: Record<string, unknown>): Set<string> {
  return new Set(Object.keys((pkg.scripts as Record<string, string> | undefined) ?? {}));
}

/** The workspace as the checks see it: package.json files under the folders pnpm-workspace.yaml lists. */
export function readWorkspace(root: string, mesh: Command): Workspace {
  const pkg = readJson(join(root, 'package.json'));
  const packages = new Map<string, { dir: string; scripts: Set<string> }>();
  const nxTargets = new Set(Object.keys((readJson(join(root, 'nx.json')).targetDefaults as Record<string, unknown> | undefined) ?? {}));
  for (const group of ['packages', 'platform', 'domains', 'tools', 'examples']) {
    if (!existsSync(join(root, group))) continue;
    for (const name of readdirSync(join(root, group))) {
      const file = join(root, group, name, 'package.json');
      if (!existsSync(file)) continue;
      const p = readJson(file);
      packages.set(String(p.name), { dir: join(root, group, name), scripts: scriptsOf(p) });
      for (const target of Object.keys(((p.nx as { targets?: Record<string, unknown> } | undefined)?.targets) ?? {})) nxTargets.add(target);
    }
  }
  const pnpmVersion = /^pnpm@(.+)$/.exec(String(pkg.packageManager ?? ''))?.[1];
  return { root, scripts: scriptsOf(pkg), pnpmVersion, packages, nxTargets, mesh };
}

function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, program), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The simple commands of a line (split at &&, ||, ;, | and &), each as its words, comments dropped. */
function simpleCommands(text: string): string[][] {
  // Variables are kept as written ($TOKEN, $PWD): the checks are about names, not values.
  const entries: ParseEntry[] = parse(text, (key) => `$${key}`);
  const out: string[][] = [[]];
  for (const e of entries) {
    if (typeof e === 'string') out.at(-1)!.push(e);
    else if ('op' in e && e.op !== 'glob') out.push([]);
    else if ('op' in e) out.at(-1)!.push(e.pattern);
  }
  return out.filter((words) => words.length > 0);
}

/** `mesh` words against the CLI's definition: each subcommand exists, each option is one it takes. */
function checkMesh(mesh: Command, words: string[], inline: boolean): { problems: string[]; path: string[] } {
  const problems: string[] = [];
  let command = mesh;
  const path: string[] = [];
  let i = 0;
  for (; i < words.length; i++) {
    const sub = command.commands.find((c) => c.name() === words[i] || c.aliases().includes(words[i]!));
    if (!sub) break;
    command = sub;
    path.push(sub.name());
  }
  // Prose may name the program itself: `pnpm exec mesh`.
  if (!words.length && inline) return { problems, path };
  if (!path.length) {
    problems.push(words.length ? `'${words[0]}' is not a mesh command (mesh --help lists them)` : 'mesh without a command');
    return { problems, path };
  }
  if (command.commands.length && i < words.length && !words[i]!.startsWith('-') && !words[i]!.startsWith('<') && !words[i]!.startsWith('[')) {
    problems.push(`'${words[i]}' is not a subcommand of mesh ${path.join(' ')} (${command.commands.map((c) => c.name()).join(', ')})`);
    return { problems, path };
  } else if (command.commands.length && !inline && i === words.length) {
    problems.push(`mesh ${path.join(' ')} needs a subcommand (${command.commands.map((c) => c.name()).join(', ')})`);
  }
  for (const raw of words.slice(i)) {
    // Usage written inline: [--out f], --against 1.0.0|file, <run>.
    const word = raw.replace(/^\[+|\]+$/g, '');
    if (!word.startsWith('-') || word === '-' || word === '--') continue;
    const flag = word.split('=')[0]!;
    if (flag === '--help' || flag === '-h') continue;
    const known = command.options.some((o) => o.long === flag || o.short === flag || (o.negate && o.long === flag));
    if (!known) problems.push(`mesh ${path.join(' ')} has no option ${flag} (it has ${command.options.map((o) => o.long ?? o.short).join(', ') || 'none'})`);
  }
  return { problems, path };
}

/**
 * Checks one shown command: the program is there, a pnpm script or package exists, a mesh command and
 * its options exist. A block's mesh commands are to be run as the reader runs them, through `pnpm exec`
 * (mesh is not on PATH outside the workspace's scripts); the cheap ones are returned to be run.
 */
export function checkCommand(shown: ShownCommand, ws: Workspace): CommandCheck {
  const problems: string[] = [];
  const runs: CheapRun[] = [];
  const cwd = resolve(ws.root, shown.cwd);
  const meshCommand = (words: string[]) => {
    const { problems: p, path } = checkMesh(ws.mesh, words, shown.kind === 'inline');
    problems.push(...p);
    if (!p.length && shown.kind === 'block') {
      runs.push({ args: [...path, '--help'], cwd });
      if (READ_ONLY.some((r) => r.join(' ') === path.join(' '))) runs.push({ args: words, cwd });
    }
  };
  let commands: string[][];
  try {
    // Inline usage names its arguments as <run>, which a shell would read as a redirection.
    commands = simpleCommands(shown.kind === 'inline' ? shown.text.replace(/<[^<>\s]+>/g, 'ARG') : shown.text);
  } catch (error) {
    return { problems: [`not a shell command: ${(error as Error).message}`], runs };
  }
  const nxCommand = (args: string[]) => {
    const flag = args.findIndex((a) => a === '-t' || a === '--target');
    if (flag >= 0 && !ws.nxTargets.has(args[flag + 1] ?? '')) problems.push(`no project defines the nx target '${args[flag + 1]}'`);
  };
  for (const all of commands) {
    // Assignments before a command (TEDDY_RAW_DIR=... pnpm ...), or alone (TOKEN=$(...) leaves TOKEN=$).
    const first = all.findIndex((w) => !/^[A-Za-z_][A-Za-z0-9_]*=/.test(w));
    const words = first < 0 ? [] : all.slice(first);
    const [program, ...rest] = words;
    switch (program) {
      case undefined:
        break;
      case 'mesh':
        if (shown.kind === 'block') problems.push('mesh is not on PATH outside the workspace\'s scripts: write pnpm exec mesh');
        meshCommand(rest);
        break;
      case 'pnpm': {
        const [first, second, ...more] = rest;
        if (first === 'exec') {
          const bin = second ?? '';
          if (!existsSync(join(ws.root, 'node_modules', '.bin', bin))) problems.push(`pnpm exec ${bin}: no such binary in the workspace (node_modules/.bin)`);
          else if (bin === 'mesh') meshCommand(more);
          else if (bin === 'nx') nxCommand(more);
        } else if (first === '--filter' || first === '-F') {
          const pkg = ws.packages.get(second ?? '');
          if (!pkg) problems.push(`pnpm --filter ${second}: no workspace package of that name`);
          else if (!pkg.scripts.has(more[0] ?? '')) problems.push(`${second} has no script '${more[0]}'`);
        } else if (first === '--dir' || first === '-C') {
          const dir = resolve(cwd, second ?? '');
          const scripts = existsSync(join(dir, 'package.json')) ? scriptsOf(readJson(join(dir, 'package.json'))) : new Set<string>();
          if (!scripts.has(more[0] ?? '')) problems.push(`${dir} has no script '${more[0]}'`);
        } else if (!PNPM_BUILTINS.has(first ?? '') && !ws.scripts.has(first ?? '')) {
          problems.push(`pnpm ${first}: the root package.json has no such script (scripts: ${[...ws.scripts].join(', ')})`);
        }
        break;
      }
      case 'nx':
        if (shown.kind === 'block') problems.push('nx is not on PATH outside the workspace\'s scripts: write pnpm exec nx');
        nxCommand(rest);
        break;
      case 'npm':
        if (!onPath('npm')) problems.push('npm is not installed');
        for (const w of rest) {
          const pinned = /^pnpm@(.+)$/.exec(w)?.[1];
          if (pinned && ws.pnpmVersion && pinned !== ws.pnpmVersion) problems.push(`installs pnpm ${pinned}, but package.json pins pnpm@${ws.pnpmVersion}`);
        }
        break;
      case 'bash':
      case 'sh':
        if (rest[0] && !rest[0].startsWith('-') && !existsSync(resolve(cwd, rest[0]))) problems.push(`${rest[0]} does not exist`);
        break;
      case 'cd':
        if (!existsSync(resolve(cwd, rest[0] ?? '')) || !statSync(resolve(cwd, rest[0] ?? '')).isDirectory()) problems.push(`cd ${rest[0]}: no such folder`);
        break;
      case 'curl':
      case 'git':
        if (!onPath(program)) problems.push(`${program} is not installed`);
        break;
      default:
        problems.push(`'${program}' is not a program these pages may use (pnpm, pnpm exec, npm, bash, cd, curl, git)`);
    }
  }
  return { problems, runs };
}
