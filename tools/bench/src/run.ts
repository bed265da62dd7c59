import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runBuildBench, threadLabel } from './build-bench';
import { runCompileBench } from './compile-bench';
import { CORPUS_USAGE, runCorpusBench } from './corpus-bench';
import { BENCHMARKS_MD } from './paths';
import { meshMarkdown, runMeshBench } from './mesh-bench';
import { publishMarkdown, runPublishBench } from './publish-bench';
import { buildMarkdown, compileMarkdown, updateBenchmarksFile } from './report';

const USAGE = `Usage: pnpm bench [options]

  --models N         models in the compile benchmark's project (10000)
  --build-models N   models in the build benchmark's project (1000)
  --only WHICH       run only 'compile', 'build', 'mesh', 'publish' or 'dbt-corpus' (the last two are not part
                     of a plain \`pnpm bench\`: 'dbt-corpus' builds real public dbt projects with dbt and mesh,
                     'publish' publishes sales to 1, 5 and 20 grantees at --lines (10000000), beside --base)
  --base DIR         for 'publish': another checkout (of main) measured in the same run, rounds alternating
  --grantees N,N...  for 'publish': grantee counts (1,5,20)
  --rounds N         for 'publish': alternating rounds; the table shows the median (2)
  --lines N[,N...]   order lines of the mesh benchmark's data sets (45000,10000000)
  --repeat N         runs per measure; the tables show the median (3)
  --profile          also CPU-profile one compile and show where the time goes
  --dry-run          print the tables, leave BENCHMARKS.md as it is
  --keep             keep the generated projects and databases (their folder is printed)
${CORPUS_USAGE}
  --help             this text`;

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number of at least 1, got '${value}'`);
  return n;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      models: { type: 'string' },
      'build-models': { type: 'string' },
      only: { type: 'string' },
      lines: { type: 'string' },
      repeat: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
      project: { type: 'string', multiple: true },
      cache: { type: 'string' },
      'step-timeout': { type: 'string' },
      base: { type: 'string' },
      grantees: { type: 'string' },
      rounds: { type: 'string' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.only !== undefined && !['compile', 'build', 'mesh', 'publish', 'dbt-corpus'].includes(values.only)) {
    console.error(`--only must be 'compile', 'build', 'mesh', 'publish' or 'dbt-corpus', got '${values.only}'\n\n${USAGE}`);
    return 2;
  }
  if (values.only === 'dbt-corpus') {
    const body = await runCorpusBench({
      projects: values.project,
      cache: values.cache,
      stepTimeoutMin: positive('step-timeout', values['step-timeout'], 30),
      keep: values.keep,
      dryRun: values['dry-run'],
      log: (line) => console.error(line),
    });
    console.log(`## Real public dbt projects\n\n${body}`);
    if (!values['dry-run'] && !values.project?.length) console.error(`\nwrote ${BENCHMARKS_MD}`);
    return 0;
  }
  if (values.only === 'publish') {
    const root = mkdtempSync(join(tmpdir(), 'mesh-publish-bench-'));
    try {
      const lines = positive('lines', values.lines, 10_000_000);
      const grantees = (values.grantees ?? '1,5,20').split(',').map((v) => positive('grantees', v, 1));
      const rounds = positive('rounds', values.rounds, 2);
      const result = await runPublishBench({ dir: root, lines, grantees, rounds, base: values.base, log: (line) => console.error(line) });
      const command = `pnpm bench --only publish --lines ${lines} --grantees ${grantees.join(',')} --rounds ${rounds}${values.base ? ' --base <checkout of main>' : ''}`;
      const body = publishMarkdown(result, command);
      console.log(`## Publication cost by number of consumers\n\n${body}`);
      if (!values['dry-run']) {
        updateBenchmarksFile(BENCHMARKS_MD, 'publish', body);
        console.error(`\nwrote ${BENCHMARKS_MD}`);
      }
    } finally {
      if (values.keep) console.error(`kept ${root}`);
      else rmSync(root, { recursive: true, force: true });
    }
    return 0;
  }
  const lines = (values.lines ?? '45000,10000000').split(',').map((v) => positive('lines', v, 45_000));
  const models = positive('models', values.models, 10_000);
  const buildModels = positive('build-models', values['build-models'], 1_000);
  const repeat = positive('repeat', values.repeat, 3);
  const root = mkdtempSync(join(tmpdir(), 'mesh-bench-'));
  const log = (line: string) => console.error(line);
  const sections: string[] = [];
  try {
    if (values.only === undefined || values.only === 'compile') {
      const result = await runCompileBench({
        dir: join(root, 'compile'),
        models,
        repeat,
        // Outside the temp folder, which is deleted at the end, and outside the repository.
        profileFile: values.profile ? join(tmpdir(), 'mesh-bench-compile.cpuprofile') : undefined,
        log,
      });
      const body = compileMarkdown(result);
      sections.push(`## Compile: ${models.toLocaleString('en-US')} models\n\n${body}`);
      if (!values['dry-run']) updateBenchmarksFile(BENCHMARKS_MD, 'compile', body);
    }
    if (values.only === undefined || values.only === 'build') {
      const scratch = join(root, 'replay');
      // 1 thread first: its log is the baseline; undefined lets the engine pick its default (the target's threads).
      const threads = [1, undefined];
      const result = await runBuildBench({ dir: join(root, 'build'), scratch, models: buildModels, repeat, threads, log });
      const body = buildMarkdown(result);
      sections.push(`## Build: ${buildModels.toLocaleString('en-US')} trivial table models (threads ${threads.map(threadLabel).join(', ')})\n\n${body}`);
      if (!values['dry-run']) updateBenchmarksFile(BENCHMARKS_MD, 'build', body);
    }
    if (values.only === undefined || values.only === 'mesh') {
      const body = meshMarkdown(await runMeshBench({ dir: join(root, 'mesh'), lines, log }));
      sections.push(`## Mesh build: the Teddy Retailers domains\n\n${body}`);
      if (!values['dry-run']) updateBenchmarksFile(BENCHMARKS_MD, 'mesh', body);
    }
  } finally {
    if (values.keep) log(`kept the generated projects in ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
  console.log(sections.join('\n\n'));
  if (!values['dry-run']) log(`\nwrote ${BENCHMARKS_MD}`);
  return 0;
}

process.exitCode = await main();
