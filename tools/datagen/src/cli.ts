import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateTeddyData } from './generate';
import { dayAfter, landTeddyDay, landTeddyHistory } from './landing';
import { DEFAULT_LINES, DEFAULT_SEED, MAX_LINES, MIN_LINES } from './scale';

const USAGE = `usage: pnpm --filter @mesh/datagen generate --out <dir> [--seed <n>] [--lines <n>] [--landing [--day <date>]]

  --out <dir>    directory for the five source_*.csv files (created if missing)
  --seed <n>     integer seed, 0..4294967295 (default ${DEFAULT_SEED})
  --lines <n>    order lines, ${MIN_LINES}..${MAX_LINES} (default ${DEFAULT_LINES}); sizes every table
  --landing      write the domains' landing folders instead (inventory/, sales/; a file per month)
  --day <date>   with --landing: only that day after the history (${dayAfter()} or later), in files of its own`;

/** Bad usage exits 2, as most CLIs do, so scripts can tell it apart from a failed run. */
function usageError(message: string): never {
  process.stderr.write(`error: ${message}\n\n${USAGE}\n`);
  process.exit(2);
}

/** Strict integers only: parseInt would quietly read "1e6" as 1 and "45k" as 45. */
function integerFlag(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const text = raw.replace(/_/g, '');
  if (!/^\d+$/.test(text)) usageError(`--${name} must be a non-negative integer, got "${raw}"`);
  return Number(text);
}

interface CliOptions {
  outDir: string;
  seed: number;
  lines: number;
  landing: boolean;
  day?: string | undefined;
}

function parse(argv: string[]): CliOptions {
  let values: { out?: string; seed?: string; lines?: string; landing?: boolean; day?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        out: { type: 'string' },
        seed: { type: 'string' },
        lines: { type: 'string' },
        landing: { type: 'boolean' },
        day: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    usageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if (!values.out) usageError('--out <dir> is required');
  const seed = integerFlag('seed', values.seed, DEFAULT_SEED);
  const lines = integerFlag('lines', values.lines, DEFAULT_LINES);
  if (seed > 0xffffffff) usageError(`--seed must be at most 4294967295, got ${seed}`);
  if (lines < MIN_LINES || lines > MAX_LINES) {
    usageError(`--lines must be from ${MIN_LINES} to ${MAX_LINES}, got ${lines}`);
  }
  // `pnpm --filter` runs the script inside tools/datagen; INIT_CWD is where the user typed
  // the command, which is what a relative --out means to them.
  if (values.day !== undefined && !values.landing) usageError('--day lands one day in the landing folders; add --landing');
  if (values.day !== undefined && !(/^\d{4}-\d{2}-\d{2}$/.test(values.day) && values.day >= dayAfter())) {
    usageError(`--day must be a date from ${dayAfter()} on, as YYYY-MM-DD, got "${values.day}"`);
  }
  const outDir = resolve(process.env.INIT_CWD ?? process.cwd(), values.out);
  return { outDir, seed, lines, landing: values.landing ?? false, day: values.day };
}

async function main(): Promise<void> {
  const options = parse(process.argv.slice(2));
  const started = performance.now();
  const { counts } = options.day !== undefined
    ? await landTeddyDay({ ...options, day: options.day })
    : options.landing ? await landTeddyHistory(options) : await generateTeddyData(options);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const width = Math.max(...Object.keys(counts).map((k) => k.length));
  const rows = Object.entries(counts).map(([name, n]) => `  ${name.padEnd(width)}  ${n.toLocaleString('en-US')}`);
  process.stdout.write(
    `Teddy Retailers ${options.day ? `day ${options.day}` : 'data'} (seed ${options.seed}, ${options.lines.toLocaleString('en-US')} lines) ` +
      `in ${seconds}s -> ${options.outDir}\n${rows.join('\n')}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
