import { Command, Option } from 'commander';
import { fileSystemError, formatError, isMeshError } from '@mesh/errors';
import { compileCommand, listCommand, runCommand, type Output } from './commands';
import { checkCommand, diffCommand, generateCommand, migrateCommand, releaseCommand } from './contract-commands';
import { policyCheckCommand } from './policy-command';
import { sloCommand } from './slo-command';
import { serveCommand, tokenAddCommand, tokenListCommand, tokenRemoveCommand } from './serve-command';
import { docsGenerateCommand, docsServeCommand, impactCommand } from './docs-command';
import { ingestCommand } from './ingest-command';
import { scheduleCommand } from './schedule-command';
import { runsCommand, runShowCommand } from './runs-command';
import { statusCommand } from './status-command';
import { freshnessCommand } from './freshness-command';
import { runOperationCommand } from './operation-command';
import { depsCommand } from './deps-command';
import { inputsCommand } from './inputs-command';
import { maskingKeyRotateCommand, maskingKeyShowCommand } from './masking-key-command';

const io: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

const collect = (value: string, previous: string[] = []) => [...previous, value];

function common(cmd: Command): Command {
  return cmd
    .option('--project-dir <dir>', 'the project folder', process.cwd())
    .option('-s, --select <selector>', "nodes to include (dbt syntax: model, +model, model+, tag:x, path:models/gold); repeatable", collect)
    .option('--exclude <selector>', 'nodes to leave out; repeatable', collect)
    .option('-t, --target <name>', 'the target (database) to use from the project file')
    .option('--vars <yaml>', "variables for var(), as YAML: '{raw_dir: ./data}'")
    .option('--fail-on-deprecated', 'fail instead of warning on refs to deprecated models')
    .option('--warn-error', 'fail on any warning; a test that would warn fails (dbt\'s --warn-error)')
    .option('--profiles-dir <dir>', "where a dbt project's profiles.yml is (default: DBT_PROFILES_DIR, the project folder, ~/.dbt)");
}

function runnable(cmd: Command): Command {
  return common(cmd)
    .option('--threads <n>', 'how many nodes to build at once')
    .option('--full-refresh', 'rebuild incremental models from scratch')
    .option('-x, --fail-fast', 'stop at the first failure; what has not run is skipped')
    .option('--wait', 'wait for another run of the project to finish instead of failing');
}

export function buildProgram(): Command {
  const program = new Command('mesh')
    .description('Build, test and publish the SQL models of a data mesh domain.')
    .showHelpAfterError()
    .exitOverride();
  common(program.command('compile').description('render every model and test to SQL in target/compiled and write target/manifest.json'))
    .option('--timings', 'print how long each stage took')
    .action(async (flags) => { process.exitCode = await compileCommand(flags, io); });
  runnable(program.command('run').description('build the selected models'))
    .action(async (flags) => { process.exitCode = await runCommand('run', flags, io); });
  runnable(program.command('test').description('run the selected data tests and unit tests'))
    .action(async (flags) => { process.exitCode = await runCommand('test', flags, io); });
  runnable(program.command('build').description('seed, snapshot, run and test in DAG order; a failing test skips what is downstream'))
    .action(async (flags) => { process.exitCode = await runCommand('build', flags, io); });
  runnable(program.command('seed').description('load the CSV files in seeds/'))
    .action(async (flags) => { process.exitCode = await runCommand('seed', flags, io); });
  common(program.command('run-operation <macro>').description("call a macro of the project or an installed package against the project's database (dbt run-operation)"))
    .option('--args <yaml>', "the macro's keyword arguments, as YAML: '{table: orders}'")
    .option('--wait', 'wait for another run of the project to finish instead of failing')
    .action(async (macro, flags) => { process.exitCode = await runOperationCommand(macro, flags, io); });
  program.command('deps').description('install the local: packages of packages.yml into dbt_packages/, and check that every other one is installed')
    .option('--project-dir <dir>', 'the project folder', process.cwd())
    .action(async (flags) => { process.exitCode = await depsCommand(flags, io); });
  program.command('inputs').description('the files a build reads from outside the project (raw data, ingested files), with their digests; --hash for nx')
    .option('--project-dir <dir>', 'the project folder', process.cwd())
    .option('-t, --target <name>', 'the target to resolve paths for')
    .option('--vars <yaml>', "variables for var(), as YAML: '{raw_dir: ./data}'")
    .option('--hash', 'print one digest of every input (an nx runtime input)')
    .option('--json', 'print the inputs as JSON')
    .action(async (flags) => { process.exitCode = await inputsCommand(flags, io); });
  runnable(program.command('snapshot').description('run the selected snapshots: record what changed in their history tables'))
    .action(async (flags) => { process.exitCode = await runCommand('snapshot', flags, io); });
  common(program.command('ls').alias('list').description('list the selected nodes'))
    .addOption(new Option('--output <format>', 'name, json or table').choices(['name', 'json', 'table']).default('name'))
    .addOption(new Option('--resource-type <type>').choices(['model', 'seed', 'snapshot', 'test', 'unit_test', 'source']))
    .action(async (flags) => { process.exitCode = await listCommand(flags, io); });
  const source = program.command('source').description("the project's sources");
  common(source.command('freshness').description("check each source's newest loaded_at_field against its freshness (warn_after, error_after); writes target/sources.json, exits 1 on an error"))
    .action(async (flags) => { process.exitCode = await freshnessCommand(flags, io); });
  const contract = program.command('contract').description("the domain's data contract: generate it, diff it, check it against releases and consumers, release it");
  common(contract.command('generate').description('write the contract the public models offer now (ODCS v3.1.0 YAML)'))
    .option('--out <file>', 'where to write it (default target/<project>.odcs.yaml)')
    .option('--types <file>', 'also write zod schemas and TypeScript types for its models')
    .action(async (flags) => { process.exitCode = await generateCommand(flags, io); });
  common(contract.command('diff').description('list the changes since the last released contract and the release they need'))
    .option('--against <version|file>', 'a released version or a contract file to compare with')
    .option('--json', 'print the changes as JSON')
    .action(async (flags) => { process.exitCode = await diffCommand(flags, io); });
  common(contract.command('check').description('fail when a change lacks the changeset it needs, or a pinned upstream no longer fits the models'))
    .option('--json', 'print the report as JSON')
    .option('--no-consumers', 'do not look for workspace consumers the change breaks')
    .action(async (flags) => { process.exitCode = await checkCommand(flags, io); });
  common(contract.command('release').description("record the contract of the package's version in contracts/ (after changeset version)"))
    .action(async (flags) => { process.exitCode = await releaseCommand(flags, io); });
  common(contract.command('migrate').description('rewrite released contracts of an earlier form in ODCS v3.1.0, their promises unchanged'))
    .action(async (flags) => { process.exitCode = await migrateCommand(flags, io); });
  program.command('slo').description("the data product's SLOs as last measured after a build, or their history")
    .option('--project-dir <dir>', 'the project folder', process.cwd())
    .option('--history <n>', 'show the last n measurements of each SLO')
    .option('--json', 'print the measurements as JSON')
    .action(async (flags) => { process.exitCode = await sloCommand(flags, io); });
  program.command('serve').description('serve the published data products over HTTP: rows, exports, contracts, OpenAPI; bearer tokens and grants')
    .option('--workspace <dir>', 'the mesh workspace (default: the one holding the current folder)')
    .option('--port <n>', 'the port (0 picks a free one)', '8000')
    .option('--host <host>', 'the address to listen on', '127.0.0.1')
    .action(async (flags) => { process.exitCode = await serveCommand(flags, io); });
  const token = program.command('token').description('API tokens (governance/api.yml): each maps to a consumer domain or role');
  token.command('add').description('create a token for a consumer; it is printed once and stored as its sha256')
    .requiredOption('--name <name>', 'who holds it')
    .requiredOption('--consumer <name>', 'the consumer domain or role whose grants it reads with')
    .option('--workspace <dir>', 'the mesh workspace')
    .option('--quiet', 'print only the token, for TOKEN=$(mesh token add ...)')
    .action((flags) => { process.exitCode = tokenAddCommand(flags, io); });
  token.command('remove').description('revoke a token: its entry leaves governance/api.yml and a running server refuses it')
    .requiredOption('--name <name>', 'who holds it')
    .option('--workspace <dir>', 'the mesh workspace')
    .action((flags) => { process.exitCode = tokenRemoveCommand(flags, io); });
  token.command('list').description('list token holders and their consumers')
    .option('--workspace <dir>', 'the mesh workspace')
    .action((flags) => { process.exitCode = tokenListCommand(flags, io); });
  const maskingKey = program.command('masking-key').description("the producer's secret for hash masking of personal data (kept outside the repository)");
  maskingKey.command('rotate').description('replace the key: the next publication masks with a new one, and old masked values join no more')
    .option('--project-dir <dir>', 'the project folder', process.cwd())
    .action((flags) => { process.exitCode = maskingKeyRotateCommand(flags, io); });
  maskingKey.command('show').description('the fingerprint of the key and where it is kept (never the key itself)')
    .option('--project-dir <dir>', 'the project folder', process.cwd())
    .action((flags) => { process.exitCode = maskingKeyShowCommand(flags, io); });
  const policy = program.command('policy').description('federated governance: the platform\'s policies and the domain\'s own');
  common(policy.command('check').description('check the project and its data product descriptor against the policies; fails on errors'))
    .option('--json', 'print the findings as JSON')
    .action(async (flags) => { process.exitCode = await policyCheckCommand(flags, io); });
  const docs = program.command('docs').description('the catalog of the whole mesh: every domain, model, column, test and their lineage');
  docs.command('generate').description('write the static catalog site (default <workspace>/target/catalog)')
    .option('--workspace <dir>', 'the mesh workspace (default: the one holding the current folder)')
    .option('--out <dir>', 'where to write the site')
    .action(async (flags) => { process.exitCode = await docsGenerateCommand(flags, io); });
  docs.command('serve').description('generate the catalog and serve it on localhost')
    .option('--workspace <dir>', 'the mesh workspace (default: the one holding the current folder)')
    .option('--out <dir>', 'where the site is written')
    .option('--port <n>', 'the port (0 picks a free one)', '8080')
    .option('--host <host>', 'the address to listen on', '127.0.0.1')
    .option('--no-generate', 'serve the site already generated')
    .action(async (flags) => { process.exitCode = await docsServeCommand(flags, io); });
  program.command('impact <target>').description('everything downstream of a model or column (<model>, <domain>.<model>, <model>.<column>), in every domain')
    .option('--workspace <dir>', 'the mesh workspace (default: the one holding the current folder)')
    .option('--json', 'print the impact as JSON')
    .action(async (target, flags) => { process.exitCode = await impactCommand(target, flags, io); });
  program.command('ingest').description("load the new and changed files of the domain's sources (ingest.yml) into its database")
    .option('--project-dir <dir>', 'the project folder', process.cwd())
    .option('--source <name>', 'only this source; repeatable', collect)
    .option('-t, --target <name>', 'the target (database) to load into')
    .option('--full-refresh', "drop the sources' tables and load every file they name now")
    .option('--wait', 'wait for another run of the project to finish instead of failing')
    .action(async (flags) => { process.exitCode = await ingestCommand(flags, io); });
  program.command('schedule').description("run the domains' cron schedules (ingest.yml): ingest and build each domain, then those downstream of it")
    .option('--workspace <dir>', 'the mesh workspace (default: the one holding the current folder)')
    .option('--trigger <domain>', 'run one scheduled run of the domain now, then exit')
    .option('--once', 'run every domain once now, upstreams first (ingest, then build), then exit')
    .option('--full-refresh', 'with --once or --trigger: reload every source and rebuild incremental models')
    .action(async (flags) => { process.exitCode = await scheduleCommand(flags, io); });
  const runs = program.command('runs').description('the history of runs (build, test, seed, ingest, schedule) of the project, or of every domain at the workspace root')
    .option('--project-dir <dir>', 'the project or workspace folder', process.cwd())
    .option('--limit <n>', 'how many runs', '20')
    .option('--command <name>', 'only runs of this command')
    .option('--json', 'print the runs as JSON')
    .action(async (flags) => { process.exitCode = await runsCommand(flags, io); });
  runs.command('show <run>').description('one run: its nodes, steps or files, and the SLOs measured after it (a unique prefix of the id is enough)')
    .option('--project-dir <dir>', 'the project or workspace folder', process.cwd())
    .option('--json', 'print the run as JSON')
    .action(async (id, flags) => { process.exitCode = await runShowCommand(id, flags, io); });
  program.command('status').description('every domain at a glance: last run, freshness of its output ports, SLOs, next scheduled run')
    .option('--project-dir <dir>', 'the project or workspace folder', process.cwd())
    .option('--json', 'print the status as JSON')
    .action(async (flags) => { process.exitCode = await statusCommand(flags, io); });
  return program;
}

/**
 * A reader that stops reading (`mesh runs | head -1`) closes the pipe; what is left to print has nowhere
 * to go, which is fine: the command ends quietly instead of dying on EPIPE with a stack trace.
 */
function endQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(Number(process.exitCode ?? 0));
      throw error;
    });
  }
}

export async function main(argv: string[]): Promise<number> {
  endQuietlyOnClosedPipe();
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return 0;
    if (typeof code === 'string' && code.startsWith('commander.')) return 2;
    if (isMeshError(error)) {
      io.err(formatError(error));
      return 2;
    }
    // A full disk, a read-only target/, a folder without write permission: said with a code and a hint.
    const typed = fileSystemError(error);
    if (isMeshError(typed)) {
      io.err(formatError(typed));
      return 2;
    }
    io.err(formatError(error));
    if (process.env.MESH_DEBUG) io.err(String((error as Error).stack));
    return 2;
  }
}
