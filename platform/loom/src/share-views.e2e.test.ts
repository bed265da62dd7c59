import { cpSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { existingMaskingKey } from '@mesh/governance';
import { copyDomains, edit, hmacHex, meshTeddy, publishedFile, queryDb, write } from '@mesh/testing';
import { publicationFacts, publishedManifestSchema } from './published-manifest';

/**
 * A restricted product's publication on DuckDB: each model in each treatment is written once as a
 * Parquet file of the version, and each grantee's share is a database of views over the files granted
 * to it. A consumer attaching its share reads exactly what its grant says and nothing else.
 */

const mesh = (root: string, domain: string, ...args: string[]) => meshTeddy(join(root, domain), ...args);

/** Eight more grantees of sales: four with every port masked, four with order lines only. */
const GRANTS = [
  ...[1, 2, 3, 4].map((i) => `    - to: [team_${i}]\n      ports: [order_summary, customer_summary, order_lines]\n      pii: masked\n`),
  ...[5, 6, 7, 8].map((i) => `    - to: [team_${i}]\n      ports: [order_lines]\n`),
].join('');

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name))).sort();
}

/** Opens a share alone, as a consumer's own DuckDB would, resolving its views against `root`. */
async function openShare(path: string, root: string | undefined, sql: string): Promise<Array<Record<string, unknown>>> {
  const instance = await DuckDBInstance.create(':memory:', root ? { file_search_path: root } : {});
  try {
    const c = await instance.connect();
    await c.run(`ATTACH '${path}' AS sales (READ_ONLY)`);
    return (await c.runAndReadAll(sql)).getRowObjectsJS();
  } finally {
    instance.closeSync();
  }
}

describe('shares of views over data written once', () => {
  let root: string;
  let version: string;
  beforeAll(() => {
    root = copyDomains(['inventory', 'sales', 'finance'], 'share-views');
    edit(join(root, 'sales'), 'data_product.yaml', (t) => t.replace('access:\n  grants:\n', `access:\n  grants:\n${GRANTS}`));
    for (const domain of ['inventory', 'sales']) {
      const r = mesh(root, domain, 'build');
      if (r.code !== 0) throw new Error(`${domain} failed:\n${r.output}`);
    }
    version = publishedFile(join(root, 'sales'), '');
  });

  it('writes each model once per treatment, however many grantees read it, and shares hold views only', async () => {
    const data = files(join(version, 'data'));
    // finance and team_5..8 get order lines in clear; analysts and team_1..4 the summaries masked.
    expect(data).toEqual([
      'sales/gold/customer_summary.masked.parquet',
      'sales/gold/order_summary.clear.parquet',
      'sales/silver/stg_order_products.clear.parquet',
    ]);
    expect(files(join(version, 'shares'))).toEqual(['analysts.duckdb', 'finance.duckdb', ...[1, 2, 3, 4, 5, 6, 7, 8].map((i) => `team_${i}.duckdb`)]);
    for (const share of readdirSync(join(version, 'shares'))) {
      const path = join(version, 'shares', share);
      expect(await queryDb(path, 'select count(*)::INT as n from duckdb_tables()')).toEqual([{ n: 0 }]);
      // Metadata only: a few blocks, whatever the data holds.
      expect(statSync(path).size).toBeLessThan(100_000);
    }
    const facts = publicationFacts(publishedManifestSchema.parse(JSON.parse(readFileSync(join(root, 'sales', 'target', 'published', 'manifest.json'), 'utf8'))));
    const id = facts.publication!.id;
    expect(facts.access!.shares.team_5!.data).toEqual([`versions/${id}/data/sales/silver/stg_order_products.clear.parquet`]);
    for (const file of facts.access!.shares.team_1!.data!) expect(facts.publication!.files[file]?.bytes).toBeGreaterThan(0);
  });

  it('a consumer cannot read from its share a model not granted to it, nor name another file through it', async () => {
    const team5 = join(version, 'shares', 'team_5.duckdb');
    expect(await openShare(team5, version, 'select count(*)::INT as n from sales.silver.stg_order_products')).toEqual([{ n: expect.any(Number) }]);
    await expect(openShare(team5, version, 'select * from sales.gold.customer_summary')).rejects.toThrow(/gold.customer_summary" does not exist/);
    await expect(openShare(team5, version, 'select * from sales.gold.order_summary')).rejects.toThrow(/gold.order_summary" does not exist/);
    expect(await openShare(team5, version, "select count(*)::INT as n from duckdb_views() where database_name = 'sales' and not internal")).toEqual([{ n: 1 }]);
  });

  it('masked columns stay masked through the views, and withheld ones are absent', async () => {
    const key = existingMaskingKey(join(root, 'sales'), 'sales')!.key;
    const rows = await openShare(join(version, 'shares', 'team_2.duckdb'), version, 'select customer_email, customer_name from sales.gold.customer_summary where customer_id = 1');
    expect(rows).toEqual([{ customer_email: hmacHex(key, 'ada@example.com'), customer_name: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    // The data file itself holds only the digests: nothing in clear to find by reading the file.
    const clear = await openShare(join(version, 'shares', 'team_2.duckdb'), version, `select count(*)::INT as n from read_parquet('data/sales/gold/customer_summary.masked.parquet') where customer_email like '%@%'`);
    expect(clear).toEqual([{ n: 0 }]);
  });

  it('still reads after the project folder is moved: the views name their files relative to the version folder', async () => {
    const moved = join(tmpdir(), `mesh-share-views-moved-${process.pid}`);
    cpSync(join(root, 'sales', 'target', 'published'), moved, { recursive: true });
    const at = join(moved, relative(join(root, 'sales', 'target', 'published'), version));
    expect(await openShare(join(at, 'shares', 'finance.duckdb'), at, 'select count(*)::INT as n from sales.gold.order_summary')).toEqual([{ n: expect.any(Number) }]);
    // Without the version folder to resolve against, DuckDB says which file it looked for.
    await expect(openShare(join(at, 'shares', 'finance.duckdb'), undefined, 'select count(*) from sales.gold.order_summary')).rejects.toThrow(/data\/sales\/gold\/order_summary\.clear\.parquet/);
  });

  it('a consumer build reads in place only the files and columns it uses', async () => {
    write(join(root, 'finance'), 'models/gold/order_dates.sql', "select order_id, order_date from {{ ref('sales', 'order_summary') }}");
    const r = mesh(root, 'finance', 'build', '-s', 'order_dates');
    expect(r.code, r.output).toBe(0);
    const plan = (await openShare(join(version, 'shares', 'finance.duckdb'), version, 'explain select order_id, order_date from sales.gold.order_summary'))
      .map((row) => String(row.explain_value)).join('\n');
    // One scan of one file: the view's; no other data of the share is touched.
    expect(plan.match(/READ_PARQUET/g)).toHaveLength(2);
    expect(await openShare(join(version, 'shares', 'finance.duckdb'), version, "select sql from duckdb_views() where view_name = 'order_summary'"))
      .toEqual([{ sql: expect.stringContaining("read_parquet('data/sales/gold/order_summary.clear.parquet')") }]);
    // Only the two columns the model selects are read from the file.
    expect(plan).toMatch(/Projections:[\s│]*order_id[\s│]*order_date/);
    expect(plan).not.toContain('total_value');
    // The consumer's database holds its own model and no copy of the upstream's tables.
    const finance = join(root, 'finance', 'target', 'finance.duckdb');
    expect(await queryDb(finance, "select count(*)::INT as n from duckdb_tables() where table_name in ('order_summary', 'stg_order_products')")).toEqual([{ n: 0 }]);
    expect(await queryDb(finance, 'select count(*)::INT as n from gold.order_dates')).toEqual(await openShare(join(version, 'shares', 'finance.duckdb'), version, 'select count(*)::INT as n from sales.gold.order_summary'));
  });
});
