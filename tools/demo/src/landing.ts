import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { dayAfter, FIRST_DAY, LANDING, landingFile, landTeddyDay, landTeddyHistory, LAST_DAY, type LandingResult } from '@mesh/datagen';

/**
 * What the demo has landed so far, kept in the workspace's `.mesh/demo.json` (git-ignored): the data set
 * (seed, size, landing folder), the days landed after the history, and the API token it made for the
 * analysts. A run with the same data set lands the next day; any other starts the history over.
 */
const stateSchema = z.strictObject({
  out: z.string(),
  seed: z.number().int(),
  lines: z.number().int(),
  days: z.array(z.string()),
  token: z.string().optional(),
});

export type DemoState = z.infer<typeof stateSchema>;

export function statePath(workspace: string): string {
  return join(workspace, '.mesh', 'demo.json');
}

export function readState(workspace: string): DemoState | undefined {
  const path = statePath(workspace);
  if (!existsSync(path)) return undefined;
  const parsed = stateSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  // A state the demo cannot read (an older demo's) means starting over, not failing.
  return parsed.success ? parsed.data : undefined;
}

export function writeState(workspace: string, state: DemoState): void {
  const path = statePath(workspace);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(state, null, 2)}\n`);
}

export interface Landed {
  /** `history` when the demo started over (the sources are then reloaded from scratch), else the day landed. */
  what: { kind: 'history' } | { kind: 'day'; day: string };
  result: LandingResult;
  state: DemoState;
}

const DOMAIN_FOLDERS = [...new Set(Object.values(LANDING).map((l) => l.domain))];

/** True when every file of the history is where the state says it landed. */
function historyPresent(out: string): boolean {
  return existsSync(join(out, landingFile('source_catalog'))) && existsSync(join(out, landingFile('source_orders', FIRST_DAY.slice(0, 7))));
}

/**
 * Lands the next thing the company hands over: the half-year history on a first run (or with `fresh`, or
 * when the data set asked for differs from the one landed), otherwise the day after the last one landed.
 */
export async function landNext(options: { workspace: string; out: string; seed: number; lines: number; fresh: boolean }): Promise<Landed> {
  const { out, seed, lines } = options;
  const previous = readState(options.workspace);
  const same = previous && previous.out === out && previous.seed === seed && previous.lines === lines && historyPresent(out);
  if (!same || options.fresh) {
    // Only what the demo lands: the domains' folders, and the flat files older demos wrote.
    for (const domain of DOMAIN_FOLDERS) rmSync(join(out, domain), { recursive: true, force: true });
    for (const old of Object.values(LANDING)) rmSync(join(out, `source_${old.name}.csv`), { force: true });
    const result = await landTeddyHistory({ outDir: out, seed, lines });
    const state: DemoState = { out, seed, lines, days: [], ...(previous?.token ? { token: previous.token } : {}) };
    return { what: { kind: 'history' }, result, state };
  }
  const day = dayAfter(previous.days.at(-1) ?? LAST_DAY);
  const result = await landTeddyDay({ outDir: out, seed, lines, day });
  return { what: { kind: 'day', day }, result, state: { ...previous, days: [...previous.days, day] } };
}
