import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { dbt, requireOracle } from '@mesh/oracle';
import { copyDomains, edit, meshTeddy, meshWithEnv, queryDb } from '@mesh/testing';
import { shareFilesRoot } from './publication-plan';
import { publicationFacts, publishedManifestSchema } from './published-manifest';
import { publishedDir } from './publish';

/**
 * Meshes of mesh domains and plain dbt projects, both ways, with the ecosystem's own tools:
 * - a dbt-core project on dbt-duckdb refs inventory's public model through real dbt-loom, the manifest
 *   from inventory's publication and the data from the share inventory grants it;
 * - a mesh domain refs the public model of a dbt project built by real dbt-duckdb, from that project's
 *   target/manifest.json and database.
 */

const MIXED = fileURLToPath(new URL('./__fixtures__/mixed', import.meta.url));

function workspace(): string {
  const root = copyDomains(['inventory'], 'mixed');
  for (const project of ['storefront', 'suppliers', 'procurement']) cpSync(join(MIXED, project), join(root, project), { recursive: true });
  // inventory grants its products port to the storefront team's dbt project, as to any consumer.
  edit(join(root, 'inventory'), 'data_product.yaml', (text) => text.replace('  grants:\n', '  grants:\n    - to: [storefront]\n      ports: [products]\n'));
  return root;
}

/** The storefront's dbt profile attaches the share inventory granted it, under inventory's catalog name. */
function storefrontShare(root: string): string {
  const dir = publishedDir(join(root, 'inventory', 'target'));
  const manifest = publishedManifestSchema.parse(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
  const file = publicationFacts(manifest).access?.shares.storefront?.file;
  if (!file) throw new Error('inventory published no share for storefront');
  return join(dir, file);
}

function dbtStorefront(root: string, args: string[]) {
  const share = storefrontShare(root);
  // The share's views read their Parquet files by paths relative to the version folder.
  const versionDir = shareFilesRoot(share);
  return dbt(join(root, 'storefront'), args, {
    env: { INVENTORY_PUBLICATION: publishedDir(join(root, 'inventory', 'target')) },
    output: { attach: [{ path: share, alias: 'inventory', read_only: true }], ...(versionDir ? { settings: { file_search_path: versionDir } } : {}) },
  });
}

describe('a dbt-core project consumes a mesh domain through real dbt-loom', () => {
  let root: string;
  beforeAll(() => {
    requireOracle();
    root = workspace();
    const r = meshTeddy(join(root, 'inventory'), 'build');
    if (r.code !== 0) throw new Error(`inventory failed:\n${r.output}`);
  });

  it('dbt build passes on inventory\'s publication, with exact totals', async () => {
    const r = dbtStorefront(root, ['build']);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain('dbt-loom: Injecting nodes');
    expect(r.output).toMatch(/Done\. PASS=4 WARN=0 ERROR=0 SKIP=0/);
    // source_catalog.csv: Classic Bear (plush, 2500), Panda Puppet (puppet, 1800), Mini Bunny (plush, 900).
    expect(await queryDb(join(root, 'storefront', 'target', 'storefront.duckdb'), 'select * from main.category_prices order by 1')).toEqual([
      { product_category: 'plush', products: 2, catalog_value_cents: 3400, top_price_cents: 2500 },
      { product_category: 'puppet', products: 1, catalog_value_cents: 1800, top_price_cents: 1800 },
    ]);
    // The injected node is in dbt's own manifest of the consumer, edge included.
    const manifest = JSON.parse(readFileSync(join(root, 'storefront', 'target', 'manifest.json'), 'utf8'));
    expect(manifest.nodes['model.storefront.category_prices'].depends_on.nodes).toEqual(['model.inventory.products']);
    expect(manifest.nodes['model.inventory.products'].relation_name).toBe('"inventory"."gold"."products"');
  });

  it("dbt refuses a ref to inventory's protected model, which the publication names without its data", () => {
    writeFileSync(join(root, 'storefront', 'models', 'peek.sql'), "select * from {{ ref('inventory', 'stg_stock_entries') }}\n");
    try {
      const r = dbtStorefront(root, ['build']);
      expect(r.code).not.toBe(0);
      expect(r.output).toContain("Node model.storefront.peek attempted to reference node model.inventory.stg_stock_entries, which is not allowed because the referenced node is protected to the 'inventory' package.");
    } finally {
      rmSync(join(root, 'storefront', 'models', 'peek.sql'));
    }
  });

  it('a public model inventory did not grant to the storefront is not in its share: dbt compiles the ref, the database refuses it', () => {
    writeFileSync(join(root, 'storefront', 'models', 'peek.sql'), "select * from {{ ref('inventory', 'stock_product') }}\n");
    try {
      const r = dbtStorefront(root, ['build', '-s', 'peek']);
      expect(r.code).not.toBe(0);
      expect(r.output).toContain('Table with name stock_product does not exist');
    } finally {
      rmSync(join(root, 'storefront', 'models', 'peek.sql'));
    }
  });
});

describe('a mesh domain consumes a plain dbt project built by dbt-duckdb', () => {
  let root: string;
  beforeAll(() => {
    requireOracle();
    root = workspace();
    const r = dbt(join(root, 'suppliers'), ['build']);
    if (r.code !== 0) throw new Error(`dbt build of suppliers failed:\n${r.output}`);
  });

  it('refs its public model from target/manifest.json and its database, with exact totals', async () => {
    const r = meshWithEnv(join(root, 'procurement'), {}, 'build');
    expect(r.code, r.output).toBe(0);
    // offers.csv: product 1 at 1100 x 10 and 1050 x 50, product 2 at 950 x 5, product 3 at 400 x 20 and 420 x 10.
    expect(await queryDb(join(root, 'procurement', 'target', 'procurement.duckdb'), 'select * from gold.cheapest_offers order by 1')).toEqual([
      { product_id: 1, best_unit_cost_cents: 1050, offers: 2, min_orders_cents: 63500 },
      { product_id: 2, best_unit_cost_cents: 950, offers: 1, min_orders_cents: 4750 },
      { product_id: 3, best_unit_cost_cents: 400, offers: 2, min_orders_cents: 12200 },
    ]);
    const manifest = JSON.parse(readFileSync(join(root, 'procurement', 'target', 'manifest.json'), 'utf8'));
    expect(manifest.nodes['model.procurement.cheapest_offers'].depends_on.nodes).toEqual(['model.suppliers.supplier_offers']);
  });

  it("refuses a ref to the dbt project's protected model in dbt's words", () => {
    writeFileSync(join(root, 'procurement', 'models', 'gold', 'peek.sql'), "select * from {{ ref('suppliers', 'stg_offers') }}\n");
    try {
      const r = meshWithEnv(join(root, 'procurement'), {}, 'build');
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("Node model.procurement.peek attempted to reference node model.suppliers.stg_offers, which is not allowed because the referenced node is protected to the 'suppliers' package.");
    } finally {
      rmSync(join(root, 'procurement', 'models', 'gold', 'peek.sql'));
    }
  });

  it('names the missing database: setting of a dbt upstream and what to write', () => {
    edit(join(root, 'procurement'), 'mesh_project.yml', (text) => text.replace(/\n    database: .*\n/, '\n'));
    const r = meshWithEnv(join(root, 'procurement'), {}, 'compile');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error[E_UPSTREAM_DATABASE] mesh_project.yml');
    expect(r.stderr).toContain("upstream 'suppliers' is a dbt project's manifest: it does not say where the data is");
    expect(r.stderr).toContain('Add database: to the upstreams entry');
  });
});
