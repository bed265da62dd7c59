import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyDomains, mesh, meshTeddy, REPO_ROOT } from '@mesh/testing';
import { serveCatalog, type CatalogServer } from './serve';

/**
 * The catalog as a user sees it: the three Teddy domains built in a temp workspace, `mesh docs
 * generate`, the real server, and Debian's chromium driven by playwright-core. `.ci/run` installs
 * chromium; without it this suite fails and says how to install it.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(REPO_ROOT, 'target', 'test-artifacts');
const DOMAINS = ['inventory', 'sales', 'finance'] as const;

describe('the generated catalog in a headless browser', () => {
  let root: string;
  let server: CatalogServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`chromium is not installed at ${CHROMIUM}: install it with \`apt-get install -y --no-install-recommends chromium\` (.ci/run does), or set CHROMIUM_PATH.`);
    }
    root = copyDomains(DOMAINS, 'catalog');
    for (const domain of DOMAINS) {
      const r = meshTeddy(join(root, domain), 'build');
      if (r.code !== 0) throw new Error(`${domain} failed to build:\n${r.output}`);
    }
    const generated = mesh(join(root, 'finance'), 'docs', 'generate', '--workspace', root, '--out', join(root, 'site'));
    if (generated.code !== 0) throw new Error(`mesh docs generate failed:\n${generated.output}`);
    server = await serveCatalog({ dir: join(root, 'site'), port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('searches for a column and opens its model with the column selected', async () => {
    await page.goto(server.url);
    await expect.poll(() => page.locator('.card h2').allTextContents()).toEqual(['finance', 'inventory', 'sales']);
    await page.fill('#search', 'order_pl');
    const hit = page.locator('#search-results a[data-column="order_pl"]');
    await expect.poll(() => hit.textContent()).toBe('columnfinance.orders_pl.order_pl');
    await hit.click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('finance.orders_pl');
    expect(await page.locator('#columns tr.selected').getAttribute('data-column')).toBe('order_pl');
  });

  it('shows column lineage across domains: order_pl comes from sales and, through orders_cost, inventory', async () => {
    const upstream = async (domain: string) =>
      page.locator(`#column-upstream [data-domain="${domain}"] a`).allTextContents();
    await expect.poll(() => upstream('sales')).toEqual(
      expect.arrayContaining(['sales.order_summary.total_value', 'sales.stg_order_products.product_quantity']),
    );
    expect(await upstream('inventory')).toEqual(
      // ...back to the raw source file the price was loaded from.
      expect.arrayContaining(['inventory.products.price_cents', 'inventory.stock_product.avg_purchase_price', 'inventory.catalog.price_cents']),
    );
    expect(await upstream('finance')).toEqual(expect.arrayContaining(['finance.orders_cost.order_cost']));
    // The graph draws the traced nodes inside their domains' boxes.
    await expect.poll(() => page.evaluate(() => window.meshGraph?.nodes('.traced').map((n) => n.id()).sort() ?? [])).toEqual(
      expect.arrayContaining(['model.inventory.stock_product', 'model.sales.order_summary', 'model.finance.orders_cost']),
    );
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'catalog-column.png'), fullPage: true });
  });

  it('shows the model lineage: the finance model reads sales and inventory, grouped by domain in the graph', async () => {
    await page.click('text=show the model lineage');
    await expect.poll(() => page.locator('#upstream [data-domain="sales"] a').allTextContents()).toEqual(
      expect.arrayContaining(['sales.order_summary']),
    );
    expect(await page.locator('#upstream [data-domain="inventory"] a').allTextContents()).toEqual(
      expect.arrayContaining(['inventory.stock_product', 'inventory.products']),
    );
    const graph = await page.evaluate(() => {
      const cy = window.meshGraph!;
      return { nodes: cy.nodes().map((n) => ({ id: n.id(), parent: n.data('parent') as string | undefined })), edges: cy.edges().map((e) => e.id()) };
    });
    expect(graph.nodes).toEqual(
      expect.arrayContaining([
        { id: 'domain:sales', parent: undefined },
        { id: 'domain:inventory', parent: undefined },
        { id: 'model.sales.order_summary', parent: 'domain:sales' },
        { id: 'model.inventory.stock_product', parent: 'domain:inventory' },
        { id: 'model.finance.orders_pl', parent: 'domain:finance' },
      ]),
    );
    expect(graph.edges).toContain('model.sales.order_summary->model.finance.orders_pl');
    // The page shows the model's build, tests and SQL.
    expect(await page.locator('table.meta').first().textContent()).toContain('enforced, version 1.0.0');
    expect(await page.locator('#sql').textContent()).toContain('"sales"."gold"."order_summary"');
    await page.screenshot({ path: join(ARTIFACTS, 'catalog.png'), fullPage: true });
    expect(pageErrors).toEqual([]);
  });
});
