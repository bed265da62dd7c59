import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { MeshError } from '@mesh/errors';
import { parseYamlFile, validateYaml } from '@mesh/validate';
import type { ParsedProject } from '@mesh/engine';
import type { UpstreamSource } from './discover-upstreams';

/**
 * A dbt project brought as it is declares its upstream projects the dbt Mesh way: `dependencies.yml`
 * names them (`projects:`) and `dbt_loom.config.yml` says where each one's manifest is. Both become the
 * same upstream entries as the mesh's own `upstreams:`, so discovery, access and versions work alike.
 */

export const DBT_LOOM_CONFIG = 'dbt_loom.config.yml';
export const DBT_DEPENDENCIES = 'dependencies.yml';

const manifestSchema = z.strictObject({
  name: z.string(),
  type: z.enum(['file', 'http', 'dbt_cloud', 's3', 'gcs', 'azure', 'snowflake', 'databricks', 'paradime']).default('file'),
  config: z.record(z.string(), z.unknown()).default({}),
  optional: z.boolean().optional(),
  excluded_packages: z.array(z.string()).optional(),
});

const loomConfigSchema = z.strictObject({
  manifests: z.array(manifestSchema),
  enable_telemetry: z.boolean().optional(),
});

const dependenciesSchema = z.looseObject({
  projects: z.array(z.looseObject({ name: z.string() })).optional(),
  packages: z.array(z.unknown()).optional(),
});

/** An upstream as a dbt project declares it: where its manifest is, or only its name (dependencies.yml). */
export interface DbtUpstream {
  name: string;
  /** An absolute path or an http(s) URL; undefined when only dependencies.yml names the project. */
  from?: string;
  optional: boolean;
  file: string;
  /**
   * dbt-loom's `name` only labels the entry: the project is the one the manifest names
   * (`metadata.project_name`), and refs use that name.
   */
  manifestNamed?: boolean;
}

/** dbt-loom replaces `$VAR` and `${VAR}` in its config with environment variables. */
function expandEnv(text: string, env: Record<string, string | undefined>, file: string, line: number | undefined): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, braced: string | undefined, bare: string | undefined) => {
    const name = (braced ?? bare)!;
    const value = env[name];
    if (value === undefined) {
      throw new MeshError('E_ENV_VAR_MISSING', `${file} uses the environment variable '${name}', which is not set`, {
        location: { file, line },
        hint: `Export ${name} before running.`,
      });
    }
    return value;
  });
}

/** The upstreams a project's dbt_loom.config.yml and dependencies.yml declare; none when it has neither file. */
export function dbtLoomUpstreams(root: string, env: Record<string, string | undefined> = process.env): DbtUpstream[] {
  const out = new Map<string, DbtUpstream>();
  const depsPath = join(root, DBT_DEPENDENCIES);
  if (existsSync(depsPath)) {
    const deps = validateYaml(parseYamlFile(DBT_DEPENDENCIES, readFileSync(depsPath, 'utf8')), dependenciesSchema, 'dependencies file');
    for (const p of deps.projects ?? []) out.set(p.name, { name: p.name, optional: false, file: DBT_DEPENDENCIES });
  }
  const loomPath = join(root, DBT_LOOM_CONFIG);
  if (existsSync(loomPath)) {
    const parsed = parseYamlFile(DBT_LOOM_CONFIG, readFileSync(loomPath, 'utf8'));
    const config = validateYaml(parsed, loomConfigSchema, 'dbt-loom config');
    config.manifests.forEach((m, i) => {
      const line = parsed.lineOf(['manifests', i]);
      if (m.type !== 'file' && m.type !== 'http') {
        throw new MeshError('E_DBT_UNSUPPORTED', `dbt-loom manifest '${m.name}' of type ${m.type} is not supported: only file and http manifests are read`, {
          location: { file: DBT_LOOM_CONFIG, line },
          hint: `Download the manifest where the build can read it and use type: file (config: {path: ...}), or serve it over http (type: http, config: {url: ...}).`,
        });
      }
      const key = m.type === 'file' ? 'path' : 'url';
      const raw = m.config[key];
      if (typeof raw !== 'string' || !raw) {
        throw new MeshError('E_DBT_LOOM_CONFIG', `dbt-loom manifest '${m.name}' needs config.${key}`, {
          location: { file: DBT_LOOM_CONFIG, line },
          hint: m.type === 'file' ? 'Write config: {path: ../producer/target/published/manifest.json}.' : 'Write config: {url: https://.../manifest.json}.',
        });
      }
      const value = expandEnv(raw, env, DBT_LOOM_CONFIG, line);
      const from = m.type === 'http' || isAbsolute(value) ? value : resolve(root, value);
      out.set(m.name, { name: m.name, from, optional: m.optional === true, file: DBT_LOOM_CONFIG, manifestNamed: true });
    });
  }
  return [...out.values()];
}

/**
 * Adds a dbt project's declared upstreams to the ones found so far (package dependencies): a dbt-loom
 * manifest location wins over a workspace package's; a project only dependencies.yml names must be
 * found some other way, else the build could not read it.
 */
export function addDbtLoomUpstreams(out: Map<string, UpstreamSource>, parsed: ParsedProject): void {
  const meshDeclared = new Set((parsed.files.project.upstreams ?? []).map((u) => u.name));
  const declared = dbtLoomUpstreams(parsed.root, parsed.env);
  // A dbt-loom manifest's project is known once it is read: a project only dependencies.yml names may be it.
  const loomManifests = declared.some((u) => u.manifestNamed);
  for (const u of declared) {
    if (u.from) {
      const kind = /^https?:\/\//.test(u.from) ? 'url' : 'path';
      out.set(u.name, { name: u.name, from: u.from, kind, optional: u.optional, manifestNamed: u.manifestNamed });
    } else if (!out.has(u.name) && !meshDeclared.has(u.name) && !loomManifests) {
      throw new MeshError('E_UPSTREAM_UNDECLARED', `${DBT_DEPENDENCIES} names the project '${u.name}', but nothing says where its manifest is`, {
        location: { file: u.file },
        hint: `Add it to ${DBT_LOOM_CONFIG} (manifests: [{name: ${u.name}, type: file, config: {path: ../${u.name}/target/published/manifest.json}}]), or depend on its package in package.json.`,
      });
    }
  }
}

/**
 * A project dependencies.yml names with no manifest of its own name in the dbt-loom config is fine only
 * when one of the config's manifests turns out to be that project (a dbt-loom `name` is only a label):
 * checked once the manifests are read.
 */
export function assertDependenciesProvided(parsed: ParsedProject, loaded: Iterable<string>): void {
  const names = new Set(loaded);
  const declared = dbtLoomUpstreams(parsed.root, parsed.env);
  if (!declared.some((u) => u.manifestNamed)) return;
  const meshDeclared = new Set((parsed.files.project.upstreams ?? []).map((u) => u.name));
  for (const u of declared) {
    if (u.from || names.has(u.name) || meshDeclared.has(u.name)) continue;
    throw new MeshError('E_UPSTREAM_UNDECLARED', `${DBT_DEPENDENCIES} names the project '${u.name}', but nothing says where its manifest is`, {
      location: { file: u.file },
      hint: `Add it to ${DBT_LOOM_CONFIG} (manifests: [{name: ${u.name}, type: file, config: {path: ../${u.name}/target/manifest.json}}]), or remove it from ${DBT_DEPENDENCIES}.`,
    });
  }
}
