import { spawnSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compileProject } from '@mesh/engine';
import { compileStages, type Stage } from './compile-stages';
import { profile, summarize, type Summary } from './cpu-profile';
import { generateProject, type GeneratedProject } from '@mesh/testing';
import { MESH_BIN, REPO_ROOT } from './paths';

export interface CompileBenchOptions {
  dir: string;
  models: number;
  repeat: number;
  /** Where to write a .cpuprofile of one extra in-process compile; no profiling when undefined. */
  profileFile?: string;
  log(line: string): void;
}

export interface CompileBenchResult {
  project: GeneratedProject;
  generateMs: number;
  /** The first compileProject of the process, into an empty target/: cold JIT, every file created. */
  firstMs: number;
  /** compileProject in this process, each run over the target/ of the previous one. */
  inProcessMs: number[];
  /** The same without target/compiled/** (manifest.json still written): the compiler without most disk I/O. */
  noFilesMs: number[];
  /** Whole `mesh compile` processes: spawn to exit. */
  coldProcessMs: number[];
  /** What each of those processes printed as its own compile time ("Compiled N nodes in X s"). */
  coldReportedMs: number[];
  /** `mesh --help`: node + tsx + loading every module, no project; the floor of any mesh command. */
  startupMs: number[];
  compiledNodes: number;
  manifestBytes: number;
  /** One more in-process compile, step by step. */
  stages: Stage[];
  profile?: Summary;
}

export async function runCompileBench(options: CompileBenchOptions): Promise<CompileBenchResult> {
  const { dir, log } = options;
  let t0 = performance.now();
  const project = generateProject(dir, { models: options.models });
  const generateMs = performance.now() - t0;
  log(`compile: generated ${project.models} models, ${project.tests} tests in ${project.files} files (${(generateMs / 1000).toFixed(1)} s) in ${dir}`);

  // Timed runs recompile over an existing target/, the everyday case. Starting each from an empty one would
  // mostly measure the disk: on the reference VM creating a file right after deleting thousands costs
  // 0.1-1.3 ms and varies from run to run, while overwriting one costs a steady 0.1 ms.
  rmSync(join(dir, 'target'), { recursive: true, force: true });
  t0 = performance.now();
  await compileProject({ projectDir: dir, writeCompiledFiles: true });
  const firstMs = performance.now() - t0;
  log(`compile: first in-process run (empty target/): ${(firstMs / 1000).toFixed(2)} s`);

  const inProcessMs: number[] = [];
  let compiledNodes = 0;
  for (let i = 0; i < options.repeat; i++) {
    t0 = performance.now();
    const compiled = await compileProject({ projectDir: dir, writeCompiledFiles: true });
    inProcessMs.push(performance.now() - t0);
    compiledNodes = compiled.compiled.size;
    log(`compile: in-process run ${i + 1}/${options.repeat}: ${(inProcessMs.at(-1)! / 1000).toFixed(2)} s`);
  }
  const manifestBytes = statSync(join(dir, 'target', 'manifest.json')).size;

  const noFilesMs: number[] = [];
  for (let i = 0; i < options.repeat; i++) {
    t0 = performance.now();
    await compileProject({ projectDir: dir, writeCompiledFiles: false });
    noFilesMs.push(performance.now() - t0);
    log(`compile: in-process run without compiled files ${i + 1}/${options.repeat}: ${(noFilesMs.at(-1)! / 1000).toFixed(2)} s`);
  }

  const coldProcessMs: number[] = [];
  const coldReportedMs: number[] = [];
  for (let i = 0; i < options.repeat; i++) {
    t0 = performance.now();
    const r = spawnSync(MESH_BIN, ['compile', '--project-dir', dir], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
    coldProcessMs.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`mesh compile exited with ${r.status}:\n${r.stdout}\n${r.stderr}`);
    const reported = /Compiled \d+ nodes in ([\d.]+)s/.exec(r.stdout);
    coldReportedMs.push(reported ? Number(reported[1]) * 1000 : Number.NaN);
    log(`compile: cold process run ${i + 1}/${options.repeat}: ${(coldProcessMs.at(-1)! / 1000).toFixed(2)} s`);
  }

  const startupMs: number[] = [];
  for (let i = 0; i < options.repeat; i++) {
    t0 = performance.now();
    const r = spawnSync(MESH_BIN, ['--help'], { cwd: REPO_ROOT, encoding: 'utf8' });
    startupMs.push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`mesh --help exited with ${r.status}:\n${r.stderr}`);
  }

  const stages = await compileStages(dir);
  log(`compile: stage breakdown done (${(stages.reduce((n, s) => n + s.ms, 0) / 1000).toFixed(2)} s)`);

  let summary: Summary | undefined;
  if (options.profileFile) {
    const { profile: p } = await profile(() => compileProject({ projectDir: dir, writeCompiledFiles: true }), options.profileFile);
    summary = summarize(p);
    log(`compile: CPU profile written to ${options.profileFile}`);
  }

  return { project, generateMs, firstMs, inProcessMs, noFilesMs, coldProcessMs, coldReportedMs, startupMs, compiledNodes, manifestBytes, stages, profile: summary };
}
