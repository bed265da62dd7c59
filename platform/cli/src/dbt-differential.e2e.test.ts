import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { differential, requireOracle, type DifferentialOptions } from '@mesh/oracle';

/**
 * dbt itself is the judge: every project under __fixtures__/dbt-differential is built by dbt-core +
 * dbt-duckdb and by `mesh build`, each in its own copy. Both must exit alike, hold the same relations
 * with the same columns and rows, have the same nodes in their manifests and give every node the same
 * status. A fixture's `differential.json` may set the command, steps run before it, and what to
 * normalise (values a tool stamps at run time).
 */

const ROOT = fileURLToPath(new URL('./__fixtures__/dbt-differential', import.meta.url));
// A fixture is a dbt project, or a folder of projects whose differential.json names the one judged.
const fixtures = readdirSync(ROOT).filter((name) => existsSync(join(ROOT, name, 'dbt_project.yml')) || existsSync(join(ROOT, name, 'differential.json'))).sort();

function optionsOf(name: string): DifferentialOptions {
  const file = join(ROOT, name, 'differential.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DifferentialOptions) : {};
}

/** The corpus's projects, judged the same way; its differential.json holds each project's options. */
const CORPUS = fileURLToPath(new URL('./__fixtures__/dbt-corpus', import.meta.url));
const corpus = JSON.parse(readFileSync(join(CORPUS, 'differential.json'), 'utf8')) as Record<string, DifferentialOptions>;

async function judge(fixture: string, options: DifferentialOptions): Promise<void> {
  const d = await differential(fixture, options);
  const report = d.report();
  for (const upstream of d.upstreams) {
    expect(upstream.dbt.code, report).toBe(0);
    expect(upstream.mesh.code, report).toBe(0);
  }
  expect(d.dbt.run.code, report).toBe(d.mesh.run.code);
  expect(d.dbt.statuses.size, report).toBeGreaterThan(0);
  expect(d.relations.compared.length, report).toBeGreaterThan(0);
  expect(d.nodesOnlyDbt, report).toEqual([]);
  expect(d.nodesOnlyMesh, report).toEqual([]);
  expect(d.statusDifferences, report).toEqual([]);
  expect(d.relations.equal, report).toBe(true);
}

describe('dbt projects built by dbt-core and by mesh give the same relations, nodes and results', () => {
  it('has fixtures to judge', () => {
    requireOracle();
    expect(fixtures.length).toBeGreaterThan(0);
  });

  for (const name of fixtures) it(name, () => judge(join(ROOT, name), optionsOf(name)), 300_000);
});

describe('the dbt corpus built by dbt-core and by mesh gives the same relations, nodes and results', () => {
  for (const [name, options] of Object.entries(corpus)) it(name, () => judge(CORPUS, options), 300_000);
});
