import { cpSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { duckdbEngine, type DuckDBTargetOptions } from '@mesh/adapter-duckdb/engine';
import { compileProject, describeTarget, registerEngine, registeredEngines, runProject, type Adapter, type EnginePlugin } from '@mesh/engine';
import { MeshError } from '@mesh/errors';

/**
 * A fourth engine is one plugin and one registration: `quack` keeps its database in a file named by
 * its own key (`file:`) and builds with DuckDB's adapter under its own name. Nothing in the engine, the
 * CLI or the loom knows of it; the build below goes through the registry alone.
 */
const quackSchema = z.strictObject({ type: z.literal('quack'), file: z.string(), threads: z.number().int().positive().optional() });

const quackEngine: EnginePlugin<typeof quackSchema, DuckDBTargetOptions> = {
  type: 'quack',
  title: 'Quack',
  place: 'a Quack pond',
  targetSchema: quackSchema,
  capabilities: { ...duckdbEngine.capabilities },
  dialect: duckdbEngine.dialect,
  resolveTarget(config, { root, project }) {
    return { path: join(root, config.file), database: project.name, threads: config.threads ?? 1, relations: 'catalog', externalSources: 'read', options: { settings: {}, attach: [], extensions: [] } };
  },
  async open(target, options): Promise<Adapter> {
    const adapter = await duckdbEngine.open(target, options);
    // The same adapter under the engine's own name, as a wrapper package would give it.
    return new Proxy(adapter, { get: (a, key) => (key === 'type' ? 'quack' : Reflect.get(a, key, a)) });
  },
  openExisting: (target, options) => duckdbEngine.openExisting(target, options),
  describe: (target) => `quack pond ${target.path}`,
  identity: (target) => `quack:${target.path}`,
};

registerEngine(quackEngine);

function project(): string {
  const root = mkdtempSync(join(tmpdir(), 'mesh-quack-'));
  cpSync(join(import.meta.dirname, '__fixtures__', 'fourth-engine'), root, { recursive: true });
  return root;
}

describe('a fourth engine, registered', () => {
  it('is known to the registry beside the built-in ones', () => {
    expect(registeredEngines().map((e) => e.type)).toEqual(['duckdb', 'postgres', 'trino', 'quack']);
  });

  it('compiles through the registry: its target schema, relation style and file reader', async () => {
    const root = project();
    const compiled = await compileProject({ projectDir: root, partialParse: false, writeCompiledFiles: false });
    expect(compiled.parsed.target).toMatchObject({ type: 'quack', path: join(root, 'lake/pond.db'), database: 'pond' });
    expect(describeTarget(compiled.parsed.target)).toBe(`quack pond ${join(root, 'lake/pond.db')}`);
    expect(compiled.manifest.metadata.adapter_type).toBe('quack');
    const sql = compiled.compiled.get('model.pond.duck_counts')!.sql;
    expect(sql).toContain(`read_csv_auto('${join(root, 'data/sightings.csv')}')`);
    expect(sql).toContain('"pond"."main"."ducks"');
  });

  it('builds through the registry, and its dialect classifies the errors', async () => {
    const root = project();
    const outcome = await runProject({ projectDir: root, command: 'build', partialParse: false, writeCompiledFiles: false });
    expect(outcome.results.map((r) => `${r.unique_id.split('.')[0]} ${r.status}`).sort()).toEqual(['model success', 'seed success', 'test pass', 'test pass']);
    expect(existsSync(join(root, 'lake/pond.db'))).toBe(true);
    const adapter = await duckdbEngine.open(outcome.parsed.target, outcome.parsed.target.options as DuckDBTargetOptions);
    const session = await adapter.session();
    try {
      expect(await session.query('select name, seen from "pond"."main"."duck_counts" order by name')).toEqual([{ name: 'Mallard', seen: 7 }, { name: 'Teal', seen: 5 }]);
    } finally {
      session.close();
      await adapter.close();
    }

    writeFileSync(join(root, 'models/duck_counts.sql'), "select nam from {{ ref('ducks') }}");
    const failed = await runProject({ projectDir: root, command: 'run', partialParse: false, writeCompiledFiles: false });
    const error = failed.results.find((r) => r.unique_id === 'model.pond.duck_counts')!;
    expect(error.status).toBe('error');
    expect(error.error?.hint).toMatch(/Column nam is not produced by the relation/);
  });

  it('refuses a target of an engine no one registered, naming the ones there are', async () => {
    const root = project();
    writeFileSync(join(root, 'mesh_project.yml'), 'name: pond\ntarget: local\ntargets:\n  local: {type: honk}\n');
    const error = await compileProject({ projectDir: root, partialParse: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MeshError);
    expect(String((error as MeshError).message) + (error as MeshError).hint).toMatch(/quack/);
  });
});
