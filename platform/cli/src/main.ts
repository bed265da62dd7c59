import { Command, Option } from 'commander';
import { formatError, isMeshError } from '@mesh/errors';
import { compileCommand, listCommand, runCommand, type Output } from './commands';

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
    .option('--fail-on-deprecated', 'fail instead of warning on refs to deprecated models');
}

function runnable(cmd: Command): Command {
  return common(cmd)
    .option('--threads <n>', 'how many nodes to build at once')
    .option('--full-refresh', 'rebuild incremental models from scratch');
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
  runnable(program.command('test').description('run the selected tests'))
    .action(async (flags) => { process.exitCode = await runCommand('test', flags, io); });
  runnable(program.command('build').description('seed, run and test in DAG order; a failing test skips what is downstream'))
    .action(async (flags) => { process.exitCode = await runCommand('build', flags, io); });
  runnable(program.command('seed').description('load the CSV files in seeds/'))
    .action(async (flags) => { process.exitCode = await runCommand('seed', flags, io); });
  common(program.command('ls').alias('list').description('list the selected nodes'))
    .addOption(new Option('--output <format>', 'name, json or table').choices(['name', 'json', 'table']).default('name'))
    .addOption(new Option('--resource-type <type>').choices(['model', 'seed', 'test', 'source']))
    .action(async (flags) => { process.exitCode = await listCommand(flags, io); });
  return program;
}

export async function main(argv: string[]): Promise<number> {
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
    io.err(formatError(error));
    if (process.env.MESH_DEBUG) io.err(String((error as Error).stack));
    return 2;
  }
}
