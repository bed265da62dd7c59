import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { copyDomains, edit, meshTeddy, meshWithEnv, publishedFile, queryDb, REPO_ROOT, write } from '@mesh/testing';

const DOMAINS = ['inventory', 'sales', 'finance'] as const;

const run = (root: string, domain: string, ...args: string[]) => meshTeddy(join(root, domain), ...args);

/** A workspace like the repository's: the domains, a root package, pnpm's workspace file and changesets. */
function makeWorkspace(): string {
  const root = copyDomains(DOMAINS, 'release');
  cpSync(join(REPO_ROOT, '.changeset'), join(root, '.changeset'), { recursive: true });
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'teddy-mesh', private: true }));
  writeFileSync(join(root, 'pnpm-workspace.yaml'), 'packages:\n  - "*"\n');
  return root;
}

function changeset(root: string, ...args: string[]) {
  const bin = join(REPO_ROOT, 'node_modules', '@changesets', 'cli', 'bin.js');
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
  return { code: r.status ?? -1, output: `${r.stdout}\n${r.stderr}` };
}

/** inventory renames products.price_cents, the column sales values its orders with. */
function dropPriceCents(root: string): void {
  edit(root, 'inventory/models/gold/products.sql', (sql) => sql.replace('price_cents', 'price_cents as unit_price_cents'));
  edit(root, 'inventory/models/gold/_gold.yml', (yml) => yml.replace('- name: price_cents', '- name: unit_price_cents'));
  // The team's completeness SLO names the column too, and follows the rename.
  edit(root, 'inventory/data_product.yaml', (y) => y.replace('columns: [product_id, price_cents]', 'columns: [product_id, unit_price_cents]'));
}

/** ...and keeps the old shape as version 1 of products, with version 2 the new one. */
function versionProducts(root: string): void {
  renameSync(join(root, 'inventory/models/gold/products.sql'), join(root, 'inventory/models/gold/products_v2.sql'));
  write(root, 'inventory/models/gold/products_v1.sql', 'select product_id, product_name, product_category, price_cents\nfrom {{ ref(\'raw_catalog\') }}\n');
  edit(root, 'inventory/models/gold/_gold.yml', (yml) => yml.replace(
    '    columns:\n      - name: product_id',
    [
      '    latest_version: 2',
      '    versions:',
      '      - v: 2',
      '      - v: 1',
      "        deprecation_date: '2027-06-30'",
      '        columns:',
      '          - include: all',
      '            exclude: [unit_price_cents]',
      '          - name: price_cents',
      '            data_type: bigint',
      '            description: Current market price, in cents.',
      '            constraints: [{type: not_null}]',
      '    columns:',
      '      - name: product_id',
    ].join('\n'),
  ));
  // The stock model's relationship test names products; it now means the latest version.
  write(root, '.changeset/inventory-products-v2.md', '---\n"@teddy/inventory": major\n---\n\nproducts v2 names its price unit_price_cents; v1 keeps price_cents until 2027-06-30.\n');
}

describe('releasing a contract change across the mesh', () => {
  let root: string;
  beforeAll(() => {
    root = makeWorkspace();
    for (const d of DOMAINS) {
      const r = run(root, d, 'build');
      if (r.code !== 0) throw new Error(`${d} failed:\n${r.output}`);
    }
  });

  it('starts clean: every domain matches its released contract and publishes it', () => {
    for (const d of DOMAINS) {
      const r = run(root, d, 'contract', 'check');
      expect(r.output, d).toContain('Contract check passed.');
      expect(r.code).toBe(0);
      expect(existsSync(publishedFile(join(root, d), 'contract.odcs.yaml'))).toBe(true);
    }
  });

  it('a dropped column used by sales: the check names the column, the consuming model and the missing major changeset', async () => {
    dropPriceCents(root);
    const check = run(root, 'inventory', 'contract', 'check');
    expect(check.code).toBe(1);
    expect(check.output).toMatch(/BREAKING\s+column_removed\s+products\.price_cents/);
    expect(check.output).toMatch(/ok\s+column_added\s+products\.unit_price_cents/);
    expect(check.output).toContain("sales.order_summary (models/gold/order_summary.sql) uses inventory.products.price_cents, which inventory's unreleased contract no longer has");
    expect(check.output).toContain('error[E_CONTRACT_CHECK] the contract of @teddy/inventory has 1 breaking change since 1.0.0 and needs a major changeset; none is pending');

    // The consumer learns it before any release, and its pinned release still fits.
    const consumer = run(root, 'sales', 'contract', 'check');
    expect(consumer.output).toContain('Upstream inventory (pinned ^1.0.0, release 1.0.0): ok');
    expect(consumer.output).toContain("inventory's unreleased changes would break:");
    expect(consumer.output).toContain('sales.order_summary (models/gold/order_summary.sql) uses inventory.products.price_cents');

    // The build refuses to publish output that breaks the release; consumers keep the last publication.
    const build = run(root, 'inventory', 'build');
    expect(build.code).toBe(1);
    expect(build.output).toContain('error[E_CONTRACT_BROKEN] inventory was not published: its public models break the released contract 1.0.0');
    expect(build.output).toMatch(/BREAKING\s+column_removed\s+products\.price_cents/);
    const published = publishedFile(join(root, 'inventory'), 'shares/sales.duckdb');
    expect(await queryDb(published, "select column_name from information_schema.columns where table_name = 'products' order by ordinal_position"))
      .toEqual([{ column_name: 'product_id' }, { column_name: 'product_name' }, { column_name: 'product_category' }, { column_name: 'price_cents' }]);
  });

  it('after a major changeset and a v2 model, the mesh builds again with sales pinned to v1', async () => {
    versionProducts(root);
    edit(root, 'sales/models/gold/order_summary.sql', (sql) => sql.replace("ref('inventory', 'products')", "ref('inventory', 'products', v=1)"));
    const check = run(root, 'inventory', 'contract', 'check');
    expect(check.output).toContain('major changeset pending (.changeset/inventory-products-v2.md)');
    expect(check.code).toBe(0);
    for (const d of DOMAINS) {
      const r = run(root, d, 'build');
      expect(r.code, `${d}:\n${r.output}`).toBe(0);
    }
    expect(run(root, 'sales', 'contract', 'check').output).toContain("inventory's unreleased changes keep these models working.");
    expect(await queryDb(join(root, 'sales/target/sales.duckdb'), 'select sum(total_value) as v from gold.order_summary')).toEqual([{ v: 18100 }]);
    expect(await queryDb(join(root, 'finance/target/finance.duckdb'), 'select sum(order_pl) as pl from gold.orders_pl')).toEqual([{ pl: 9350 }]);
  });

  it('changeset version bumps inventory to 2.0.0 and writes the CHANGELOG; the release records contract 2.0.0 and its types', () => {
    const version = changeset(root, 'version');
    expect(version.code, version.output).toBe(0);
    expect(JSON.parse(readFileSync(join(root, 'inventory/package.json'), 'utf8')).version).toBe('2.0.0');
    expect(readFileSync(join(root, 'inventory/CHANGELOG.md'), 'utf8')).toContain('products v2 names its price unit_price_cents');

    // Bumped but not recorded: the check says what to run.
    const unreleased = run(root, 'inventory', 'contract', 'check');
    expect(unreleased.output).toContain('@teddy/inventory is at 2.0.0 but its last released contract is 1.0.0');
    expect(unreleased.code).toBe(1);

    const release = run(root, 'inventory', 'contract', 'release');
    expect(release.output).toContain('Released the contract of inventory 2.0.0');
    const contract = readFileSync(join(root, 'inventory/contracts/2.0.0.odcs.yaml'), 'utf8');
    expect(contract).toContain('version: 2.0.0');
    expect(readFileSync(join(root, 'inventory/contracts/index.ts'), 'utf8')).toContain('productsV1');
    expect(run(root, 'inventory', 'contract', 'check').code).toBe(0);
    // A released version never changes.
    expect(run(root, 'inventory', 'contract', 'release').output).toContain('already released');
  });

  it('sales pins inventory ^1.0.0: the 2.0.0 publication is refused until sales moves its pin', () => {
    expect(run(root, 'inventory', 'build').code).toBe(0);
    const refused = run(root, 'sales', 'build');
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain('error[E_UPSTREAM_VERSION]');
    expect(refused.output).toContain('sales accepts inventory ^1.0.0, but inventory publishes 2.0.0');
    edit(root, 'sales/mesh_project.yml', (y) => y.replace('version: ^1.0.0', 'version: ^2.0.0'));
    const moved = run(root, 'sales', 'build');
    expect(moved.code, moved.output).toBe(0);
  });
});
