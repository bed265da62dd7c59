import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { MeshError } from '@mesh/errors';
import { parseYamlFile, validateYaml } from '@mesh/validate';

/**
 * dbt's `profiles.yml`, for dbt projects: the profile the project names, its `target:` and `outputs:`.
 * Only dbt-duckdb outputs are built; another type is refused when it is the one selected. dbt looks for
 * the file in `--profiles-dir`, then `DBT_PROFILES_DIR`, then the folder it runs in (the project's), then
 * `~/.dbt/`; so does the engine.
 */

/** dbt-duckdb's output; the keys it has that the engine does not use are kept and warned about. */
const duckdbOutputSchema = z.looseObject({
  type: z.literal('duckdb'),
  path: z.string().optional(),
  database: z.string().optional(),
  schema: z.string().optional(),
  threads: z.coerce.number().int().positive().optional(),
  settings: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  extensions: z.array(z.union([z.string(), z.looseObject({ name: z.string() })])).optional(),
  attach: z.array(z.looseObject({ path: z.string(), alias: z.string().optional(), read_only: z.boolean().optional(), type: z.string().optional() })).optional(),
  /** Where external models without a location write their files, from the folder the command runs in. */
  external_root: z.string().optional(),
});

const otherOutputSchema = z.looseObject({ type: z.string() });

const profileSchema = z.strictObject({
  target: z.string().optional(),
  outputs: z.record(z.string(), otherOutputSchema),
});

/** Top-level keys are profile names; `config:` is dbt's old home for global flags. */
export const profilesFileSchema = z.record(z.string(), z.unknown());

export type DuckdbProfileOutput = z.infer<typeof duckdbOutputSchema>;

export interface ProfileFile {
  /** Where it was found, for errors. */
  path: string;
  /** How it was found: a flag or variable names the folder explicitly; the home folder is only a default. */
  from: 'flag' | 'env' | 'project' | 'home';
  profileName: string;
  profile?: z.infer<typeof profileSchema>;
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

export interface ProfileLookup {
  /** `--profiles-dir`. */
  profilesDir?: string;
  env?: Record<string, string | undefined>;
  home?: string;
}

/** The profiles.yml a dbt project uses, or undefined when there is none. */
export function findProfile(root: string, profileName: string, lookup: ProfileLookup = {}): ProfileFile | undefined {
  const env = lookup.env ?? process.env;
  const candidates: Array<[string | undefined, ProfileFile['from']]> = [
    [lookup.profilesDir, 'flag'],
    [env.DBT_PROFILES_DIR, 'env'],
    [root, 'project'],
    [join(lookup.home ?? homedir(), '.dbt'), 'home'],
  ];
  for (const [dir, from] of candidates) {
    if (!dir) continue;
    const path = join(resolve(dir), 'profiles.yml');
    if (!existsSync(path)) {
      if (from === 'flag' || from === 'env') {
        throw new MeshError('E_PROFILE_NOT_FOUND', `no profiles.yml in ${dir} (${from === 'flag' ? '--profiles-dir' : 'DBT_PROFILES_DIR'})`, {
          hint: 'Point it at the folder that holds profiles.yml, or leave it out to use the project folder or ~/.dbt/.',
        });
      }
      continue;
    }
    const parsed = parseYamlFile(path, readFileSync(path, 'utf8'));
    const all = validateYaml(parsed, profilesFileSchema, 'profiles file');
    const raw = all[profileName];
    if (raw === undefined) return { path, from, profileName, lineOf: parsed.lineOf };
    const profile = validateYaml({ ...parsed, data: raw, lineOf: (p) => parsed.lineOf([profileName, ...p]) }, profileSchema, `profile '${profileName}'`);
    return { path, from, profileName, profile, lineOf: parsed.lineOf };
  }
  return undefined;
}

/** Every string in a value rendered (profiles use `{{ env_var('X') }}`). */
function renderStrings(value: unknown, render: (text: string) => string): unknown {
  if (typeof value === 'string') return value.includes('{{') || value.includes('{%') ? render(value) : value;
  if (Array.isArray(value)) return value.map((v) => renderStrings(v, render));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderStrings(v, render)]));
  return value;
}

/**
 * The output a run uses: `--target`, else the profile's `target:`, else `dev`; its strings rendered as
 * dbt renders profiles (env_var and var), then checked as a dbt-duckdb output.
 */
export function profileOutput(file: ProfileFile, requested: string | undefined, render: (text: string) => string = (t) => t): { name: string; output: DuckdbProfileOutput } | undefined {
  const profile = file.profile;
  if (!profile) return undefined;
  const name = String(renderStrings(requested ?? profile.target ?? 'dev', render));
  const raw = profile.outputs[name];
  const at = (...path: PropertyKey[]) => file.lineOf([file.profileName, 'outputs', name, ...path]);
  if (!raw) {
    throw new MeshError('E_TARGET_UNKNOWN', `target '${name}' is not an output of profile '${file.profileName}'`, {
      location: { file: file.path, line: file.lineOf([file.profileName, 'outputs']) },
      hint: `Use one of: ${Object.keys(profile.outputs).join(', ')} (--target), or add '${name}' under outputs:.`,
    });
  }
  const rendered = renderStrings(raw, render) as Record<string, unknown>;
  if (rendered.type !== 'duckdb') {
    throw new MeshError('E_PROFILE_TYPE', `output '${name}' of profile '${file.profileName}' is of type ${String(rendered.type)}; only dbt-duckdb outputs (type: duckdb) are built here`, {
      location: { file: file.path, line: at('type') },
      hint: 'Add a duckdb output to the profile and select it with --target, or define the target under targets: in the project file.',
    });
  }
  const output = validateYaml({ file: file.path, data: rendered, lineOf: (p) => at(...p) }, duckdbOutputSchema, `output '${name}' of profile '${file.profileName}'`);
  return { name, output };
}
