import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { differential, requireOracle } from '@mesh/oracle';
import { publicationFacts, publishedManifestSchema } from '@mesh/loom';

/**
 * dbt-duckdb's external materialization judged by dbt itself: the project is built by dbt-core +
 * dbt-duckdb and by `mesh build`; the views over the files, the downstream models that read them back
 * and the files themselves must be the same. The mesh side then publishes its public external models,
 * and the publication carries their files.
 */

const FIXTURE = fileURLToPath(new URL('./__fixtures__/dbt-external', import.meta.url));

/** Every file an external model wrote, relative to the project, in order. */
function writtenFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (path: string) => {
    for (const name of readdirSync(path).sort()) {
      const full = join(path, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name !== '.gitkeep') out.push(relative(dir, full));
    }
  };
  walk(join(dir, 'out'));
  for (const name of readdirSync(dir)) if (name.endsWith('.csv')) out.push(name);
  return out.sort();
}

async function rowsOf(sql: string): Promise<string[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const c = await instance.connect();
  try {
    return ((await c.runAndReadAll(sql)).getRowObjectsJson() as Array<Record<string, unknown>>).map((r) => JSON.stringify(r)).sort();
  } finally {
    c.closeSync();
    instance.closeSync();
  }
}

describe('external models built by dbt-core + dbt-duckdb and by mesh', () => {
  it('write the same files, read back the same rows, and the publication carries the files', async () => {
    requireOracle();
    const d = await differential(FIXTURE);
    const report = d.report();
    expect(d.dbt.run.code, report).toBe(0);
    expect(d.mesh.run.code, report).toBe(0);
    expect(d.nodesOnlyDbt, report).toEqual([]);
    expect(d.nodesOnlyMesh, report).toEqual([]);
    expect(d.statusDifferences, report).toEqual([]);
    expect(d.relations.equal, report).toBe(true);
    const relations = d.relations.compared.map((r) => `${r.relation}:${r.rows}`);
    expect(relations).toEqual(expect.arrayContaining([
      'main.orders_parquet:5', 'main.orders_pipe:5', 'main.orders_json:4', 'main.orders_by_region:5', 'main.no_orders:0',
      'main.region_totals:3', 'main.empty_check:1',
    ]));

    // The same files, by name and by content: text formats byte for byte, Parquet row for row.
    const files = writtenFiles(d.mesh.dir);
    expect(writtenFiles(d.dbt.dir)).toEqual(files);
    expect(files).toEqual(expect.arrayContaining(['orders_pipe.csv', 'out/orders.json', 'out/orders.parquet', 'out/no_orders.parquet']));
    expect(files.filter((f) => f.startsWith('out/by_region/')).map((f) => f.split('/')[2])).toEqual(['region=apac', 'region=eu', 'region=us']);
    for (const file of files) {
      const [a, b] = [join(d.dbt.dir, file), join(d.mesh.dir, file)];
      if (!file.endsWith('.parquet')) expect(readFileSync(b, 'utf8'), file).toBe(readFileSync(a, 'utf8'));
      else expect(await rowsOf(`select * from read_parquet('${b}')`), file).toEqual(await rowsOf(`select * from read_parquet('${a}')`));
    }
    expect(readFileSync(join(d.mesh.dir, 'orders_pipe.csv'), 'utf8').split('\n')[0]).toBe('id|status|amount');

    // The publication: the public external models' files inside its version folder, the same as the build's.
    const published = join(d.mesh.dir, 'target', 'published');
    const facts = publicationFacts(publishedManifestSchema.parse(JSON.parse(readFileSync(join(published, 'manifest.json'), 'utf8'))));
    const manifest = { files: facts.files ?? {} };
    const version = facts.publication!.dir;
    expect(Object.keys(manifest.files).sort()).toEqual(['model.external.orders_by_region', 'model.external.orders_parquet', 'model.external.orders_pipe']);
    expect(manifest.files['model.external.orders_pipe']).toEqual({ format: 'csv', paths: [`${version}/files/orders_pipe/orders_pipe.csv`] });
    expect(manifest.files['model.external.orders_by_region']!.paths).toHaveLength(3);
    for (const path of manifest.files['model.external.orders_by_region']!.paths) expect(existsSync(join(published, path)), path).toBe(true);
    expect(await rowsOf(`select * from read_parquet('${join(published, version, 'files/orders_by_region')}/*/*.parquet')`))
      .toEqual(await rowsOf(`select * from read_parquet('${join(d.mesh.dir, 'out/by_region')}/*/*.parquet')`));
    expect(readFileSync(join(published, version, 'files/orders_pipe/orders_pipe.csv'), 'utf8')).toBe(readFileSync(join(d.mesh.dir, 'orders_pipe.csv'), 'utf8'));
  }, 180_000);
});
