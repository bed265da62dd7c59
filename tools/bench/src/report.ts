import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { version as duckdbVersion } from '@duckdb/node-api';
import type { BaselineRun, BuildBenchResult, BuildRun } from './build-bench';
import type { CompileBenchResult } from './compile-bench';
import { REPO_ROOT } from './paths';

export const COMPILE_TARGET_MS = 2000;
export const BUILD_TARGET_RATIO = 1.3;

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** The run whose total is the median, so a breakdown adds up to the figure in the table. */
export function medianRun<T extends { totalMs: number }>(runs: T[]): T {
  const s = [...runs].sort((a, b) => a.totalMs - b.totalMs);
  return s[Math.floor((s.length - 1) / 2)]!;
}

const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const msf = (ms: number) => `${ms.toFixed(0)} ms`;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const int = (n: number) => n.toLocaleString('en-US');
const nRuns = (n: number) => `${n} run${n === 1 ? '' : 's'}`;

export function table(header: string[], rows: string[][], align?: Array<'l' | 'r'>): string {
  const sep = header.map((_, i) => ((align?.[i] ?? 'l') === 'r' ? '---:' : '---'));
  return [header, sep, ...rows].map((r) => `| ${r.join(' | ')} |`).join('\n');
}

export function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const gib = (totalmem() / 2 ** 30).toFixed(1);
  return `${availableParallelism()} cores (${cpu}), ${gib} GiB RAM, ${process.platform}/${process.arch}, Node ${process.version}, DuckDB ${duckdbVersion()}`;
}

function revision(): string {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (head.status !== 0) return 'unknown revision';
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO_ROOT, encoding: 'utf8' });
  return `${head.stdout.trim()}${dirty.stdout.trim() ? ' with uncommitted changes' : ''}`;
}

export function stamp(): string {
  return `Run on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC at ${revision()}; machine: ${machine()}.`;
}

const met = (ok: boolean) => (ok ? 'met' : '**missed**');

export function compileMarkdown(r: CompileBenchResult): string {
  const p = r.project;
  const inProc = median(r.inProcessMs);
  const cold = median(r.coldProcessMs);
  const stagesTotal = r.stages.reduce((n, s) => n + s.ms, 0);
  const lines = [
    stamp(),
    '',
    `Project: ${int(p.models)} models (${int(p.jinjaModels)} needing nunjucks, ${int(p.fanInModels)} with 2-3 parents, longest chain ${p.depth}), ${p.seeds} seeds, ${int(p.tests)} generic tests, ${int(p.files)} files; ${int(r.compiledNodes)} nodes compiled, manifest.json ${(r.manifestBytes / 1e6).toFixed(1)} MB. Median of ${nRuns(r.inProcessMs.length)}.`,
    '',
    table(['Measure', 'Median', 'Min', 'Max', `Target (< ${sec(COMPILE_TARGET_MS)})`], [
      ['`compileProject` in-process', sec(inProc), sec(Math.min(...r.inProcessMs)), sec(Math.max(...r.inProcessMs)), met(inProc < COMPILE_TARGET_MS)],
      ['`compileProject` in-process, `writeCompiledFiles: false`', sec(median(r.noFilesMs)), sec(Math.min(...r.noFilesMs)), sec(Math.max(...r.noFilesMs)), ''],
      ['`mesh compile`, whole cold process', sec(cold), sec(Math.min(...r.coldProcessMs)), sec(Math.max(...r.coldProcessMs)), met(cold < COMPILE_TARGET_MS)],
      ['of which the CLI reports as compile', sec(median(r.coldReportedMs)), sec(Math.min(...r.coldReportedMs)), sec(Math.max(...r.coldReportedMs)), ''],
      ['`mesh --help` (process start-up floor)', sec(median(r.startupMs)), sec(Math.min(...r.startupMs)), sec(Math.max(...r.startupMs)), ''],
      ['first `compileProject` of the process, into an empty `target/` (1 run)', sec(r.firstMs), '', '', ''],
    ], ['l', 'r', 'r', 'r', 'l']),
    '',
    `Where the in-process time goes (one more warm run, ${sec(stagesTotal)}):`,
    '',
    table(['Stage', 'Time', 'Share', 'Notes'], r.stages.map((s) => [s.name, msf(s.ms), pct(s.ms / stagesTotal), s.note ?? '']), ['l', 'r', 'r', 'l']),
  ];
  if (r.profile) {
    lines.push(
      '',
      `CPU profile of one more in-process compile (${sec(r.profile.totalMs)} sampled), self time by module:`,
      '',
      table(['Module', 'Self time', 'Share'], r.profile.byModule.slice(0, 12).map((row) => [row.label, msf(row.ms), pct(row.share)]), ['l', 'r', 'r']),
      '',
      'Hottest functions (self time):',
      '',
      table(['Function', 'Self time', 'Share'], r.profile.selfByFunction.slice(0, 15).map((row) => [`\`${row.label}\``, msf(row.ms), pct(row.share)]), ['l', 'r', 'r']),
      '',
      'Engine functions by inclusive time:',
      '',
      table(['Function', 'Inclusive', 'Share'], r.profile.inclusiveOwn.slice(0, 20).map((row) => [`\`${row.label}\``, msf(row.ms), pct(row.share)]), ['l', 'r', 'r']),
    );
  }
  return lines.join('\n');
}

function breakdown(run: BuildRun): string[][] {
  const m = run.marks;
  const window = m.lastEnd - m.firstStart;
  const row = (what: string, ms: number) => [what, msf(ms), pct(ms / run.totalMs)];
  return [
    row('compileProject (load, parse, compile, write target/)', m.compiled),
    row('DuckDBAdapter.open', m.opened - m.compiled),
    row('ensureSchemas + listRelations', m.ready - m.opened),
    row('open sessions, schedule first node', m.firstStart - m.ready),
    row('inside session.materialize (DuckDB + driver)', run.sessionMs),
    row('between materializations (runner, results, events)', window - run.sessionMs),
    row('close sessions', m.closeStart - m.lastEnd),
    row('close database (DuckDB checkpoints the WAL)', m.closeEnd - m.closeStart),
    row('write run_results.json', m.done - m.closeEnd),
  ];
}

function baselineRows(label: string, runs: BaselineRun[]): string[] {
  const mid = medianRun(runs);
  return [label, sec(median(runs.map((b) => b.totalMs))), `open ${msf(mid.openMs)}, statements ${sec(mid.statementsMs)}, close ${msf(mid.closeMs)}`, int(mid.statements)];
}

export function buildMarkdown(r: BuildBenchResult): string {
  const base = median(r.baseline.map((b) => b.totalMs));
  const rows: string[][] = [];
  for (const [label, runs] of r.runs) {
    const mid = median(runs.map((x) => x.totalMs));
    const ratio = mid / base;
    const failed = runs.filter((x) => x.failures.length).length;
    rows.push([
      `engine \`runProject\`, threads ${label === 'default' ? `default (${runs[0]!.threads})` : label}`,
      sec(mid),
      `${ratio.toFixed(2)}x`,
      failed ? `**${failed} of ${runs.length} runs had failed nodes**` : met(ratio <= BUILD_TARGET_RATIO),
    ]);
  }
  const one = r.runs.get('1');
  const lines = [
    stamp(),
    '',
    `Project: ${int(r.project.models)} table models of one row (\`select i as id, 'x' as v\`, then \`select id + 1 ... from ref(prev)\`) in chains of 10. Median of ${nRuns(r.baseline.length)}, each on a new database file, after one untimed warm-up build.`,
    '',
    table(['Measure', 'Time', 'vs. baseline', `Target (<= ${BUILD_TARGET_RATIO}x)`], [
      ...rows,
      ['baseline: the engine\'s statements replayed on one `@duckdb/node-api` connection', sec(base), '1.00x', ''],
      ['for reference: one `CREATE TABLE ... AS` per model, nothing else', sec(median(r.minimal.map((b) => b.totalMs))), `${(median(r.minimal.map((b) => b.totalMs)) / base).toFixed(2)}x`, ''],
    ], ['l', 'r', 'r', 'l']),
    '',
    table(['Replay', 'Total', 'Split', 'Calls (batches as sent)'], [baselineRows('baseline', r.baseline), baselineRows('minimal', r.minimal)], ['l', 'r', 'l', 'r']),
    '',
    `Statements per build: ${r.statementKinds.map(([k, n]) => `${int(n)} \`${k}\``).join(', ')}.${r.sameStatements ? '' : ' **A multi-threaded run ran different statements than the single-threaded one.**'}`,
  ];
  if (one?.length) {
    const mid = medianRun(one);
    lines.push('', `Where the single-threaded engine run goes (${sec(mid.totalMs)}, the median run):`, '', table(['Phase', 'Time', 'Share'], breakdown(mid), ['l', 'r', 'r']));
  }
  const failures = [...r.runs.values()].flat().flatMap((x) => x.failures);
  if (failures.length) lines.push('', `First failure: \`${failures[0]!.replaceAll('\n', ' ').slice(0, 300)}\``);
  return lines.join('\n');
}

const TEMPLATE = `# Benchmarks

Figures from \`tools/bench\` (\`@mesh/bench\`), on generated projects, so anyone can reproduce them. The blocks
between the \`bench:\` markers are rewritten by each run; edit the text around them freely. See
[tools/bench/README.md](tools/bench/README.md) for how the projects are generated and what the numbers mean.

Run both benchmarks from the repository root with \`pnpm bench\` (about five minutes on 2 cores), or one of them
with \`pnpm bench --only compile\` / \`pnpm bench --only build\`. \`--models N\` and \`--build-models N\` change the
project sizes, \`--repeat N\` the number of runs (3), \`--profile\` adds a CPU profile of the compile, and
\`--dry-run\` prints the tables without touching this file.

The reference machine is a 2-core VM; each block records the machine it ran on.

## Compile: 10,000 models

**What is measured.** A realistic project of 10,000 models is generated (bronze/silver/gold layers; each
model refs 1-3 earlier models; \`config()\` and \`var()\` in many files; about 15% of the models use
\`{% set %}\`/\`{% for %}\`/\`{% if %}\` and a project macro; a properties YAML per folder with descriptions,
columns and generic tests). Then \`compileProject({ projectDir, writeCompiledFiles: true })\` is timed in the
benchmark's process (warm: modules loaded, V8 warmed up by the earlier runs), and \`mesh compile\` is timed as a
whole new process, the way a user meets it (process start-up, module loading, compile, exit). Timed runs
recompile over the \`target/\` of the previous run, the everyday case; the first compile into an empty
\`target/\` is shown once, apart, because creating ~20,000 files on the reference VM's disk costs 0.1-1.3 ms
each and varies from run to run. The stage table repeats the compile with a timer around each engine step.

**Target.** Under 2 s for 10,000 models.

<!-- bench:compile:start -->
_Not run yet._
<!-- bench:compile:end -->

## Build: 1,000 trivial table models vs. raw DuckDB

**What is measured.** 1,000 one-row table models are built with \`runProject({ command: 'run' })\` on a new
DuckDB file, with 1 thread and with the default thread count. The DuckDB adapter records every statement it
runs; the baseline opens a new database file with \`@duckdb/node-api\` and runs the same statements in the same
order on one connection, then closes it. The ratio (engine time / baseline time) is the engine's overhead
around the database: compiling the project, scheduling, bookkeeping and artifacts. The statements are the
same on both sides, so the cost of the materialization protocol itself (a transaction, a temporary table
and a rename per model) is in the baseline, not in the ratio; the "minimal" line shows what it costs.

**Target.** Within 1.3x the baseline.

<!-- bench:build:start -->
_Not run yet._
<!-- bench:build:end -->
`;

/** Replaces one marked block of BENCHMARKS.md, creating the file from the template when it is missing. */
/** Sections added at the end of the file the first time they are measured. */
const APPENDED_SECTIONS: Record<string, string> = {
  mesh: 'Mesh build: the Teddy Retailers domains',
  catalog: 'Catalog: 10,000 models',
  'catalog-browser': 'Catalog in the browser: 5,000 models',
  api: 'Data product API',
  ingest: 'Ingestion: a 1,000,000-row CSV file',
  trino: 'Mesh build on Trino: 1 and 2 workers beside DuckDB',
  jinja: 'Jinja engines: nunjucks against minijinja-js',
  'dbt-corpus': 'Real public dbt projects: dbt build and mesh build side by side',
  publish: 'Publication cost by number of consumers',
};

export function updateBenchmarksFile(path: string, section: 'compile' | 'build' | 'mesh' | 'catalog' | 'catalog-browser' | 'api' | 'ingest' | 'trino' | 'jinja' | 'dbt-corpus' | 'publish', body: string): void {
  let text = existsSync(path) ? readFileSync(path, 'utf8') : TEMPLATE;
  const start = `<!-- bench:${section}:start -->`;
  const end = `<!-- bench:${section}:end -->`;
  let from = text.indexOf(start);
  let to = text.indexOf(end);
  const appended = APPENDED_SECTIONS[section];
  if ((from < 0 || to < from) && appended) {
    text = `${text.trimEnd()}\n\n## ${appended}\n\n${start}\n${end}\n`;
    from = text.indexOf(start);
    to = text.indexOf(end);
  }
  if (from < 0 || to < from) {
    // Someone removed the markers: put the section back from the template rather than lose the figures.
    const templateSection = TEMPLATE.slice(TEMPLATE.indexOf(`## ${section === 'compile' ? 'Compile' : 'Build'}`));
    const cut = section === 'compile' ? templateSection.indexOf('## Build') : templateSection.length;
    text = `${text.trimEnd()}\n\n${templateSection.slice(0, cut < 0 ? undefined : cut).trimEnd()}\n`;
    from = text.indexOf(start);
    to = text.indexOf(end);
  }
  writeFileSync(path, `${text.slice(0, from + start.length)}\n${body}\n${text.slice(to)}`);
}
