import { copyFileSync, cpSync, createReadStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDbtArtifacts, dbtDocsPage, formatVerdicts, requireOracle, type ArtifactKind } from '@mesh/oracle';
import { copyDomains, copyFixture, edit, meshTeddy, meshWithEnv, REPO_ROOT, TEDDY_SMALL_RAW } from '@mesh/testing';

/**
 * The artifacts of the Teddy domains and of plain dbt projects built by mesh, judged by the ecosystem's
 * own readers: dbt-core 1.12's artifact classes and the JSON schemas they generate, and dbt's docs
 * site (the page dbt-core ships) in Debian's chromium.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RAW = TEDDY_SMALL_RAW;
const MIXED = join(REPO_ROOT, 'platform/loom/src/__fixtures__/mixed');
const ARTIFACTS = join(REPO_ROOT, 'target', 'test-artifacts');

/** Each project, the model its docs page opens, the column types that page must show and the edge its lineage graph must draw. */
const PROJECTS = [
  { name: 'inventory', model: 'model.inventory.products', types: { product_id: 'INTEGER', price_cents: 'BIGINT' }, edge: 'model.inventory.raw_catalog->model.inventory.products' },
  { name: 'sales', model: 'model.sales.order_summary', types: { order_id: 'INTEGER', order_date: 'DATE', total_value: 'BIGINT' }, edge: 'model.inventory.products->model.sales.order_summary' },
  { name: 'finance', model: 'model.finance.orders_pl', types: { order_id: 'INTEGER', order_pl: 'BIGINT' }, edge: 'model.sales.order_summary->model.finance.orders_pl' },
  { name: 'suppliers', model: 'model.suppliers.supplier_offers', types: { offer_id: 'INTEGER', supplier_name: 'VARCHAR' }, edge: 'seed.suppliers.supplier_list->model.suppliers.supplier_offers' },
  { name: 'storefront', model: 'model.storefront.category_prices', types: { product_category: 'VARCHAR', products: 'BIGINT' }, edge: 'model.inventory.products->model.storefront.category_prices' },
] as const;

let root: string;

function build(): void {
  root = copyDomains(['inventory', 'sales', 'finance'], 'ecosystem');
  for (const project of ['suppliers', 'storefront']) cpSync(join(MIXED, project), join(root, project), { recursive: true });
  edit(join(root, 'inventory'), 'data_product.yaml', (text) => text.replace('  grants:\n', '  grants:\n    - to: [storefront]\n      ports: [products]\n'));
  const env = { TEDDY_RAW_DIR: RAW, INVENTORY_PUBLICATION: join(root, 'inventory', 'target', 'published') };
  for (const { name } of PROJECTS) {
    // The Teddy domains load their exports into bronze first (mesh ingest), as their users do.
    const r = name === 'storefront' || name === 'suppliers' ? meshWithEnv(join(root, name), env, 'build') : meshTeddy(join(root, name), 'build');
    if (r.code !== 0) throw new Error(`${name} failed to build:\n${r.output}`);
    // Stale sources warn or error; either way sources.json is written.
    meshWithEnv(join(root, name), env, 'source', 'freshness');
  }
}

describe("dbt-core's artifact classes read what mesh writes", () => {
  beforeAll(() => {
    requireOracle();
    build();
  }, 300_000);

  it('manifest, run_results, catalog, sources and the published manifest of every project: zero schema errors, all loaded', () => {
    const files: Array<[ArtifactKind, string]> = [];
    for (const { name } of PROJECTS) {
      const target = join(root, name, 'target');
      files.push(['manifest', join(target, 'manifest.json')], ['run_results', join(target, 'run_results.json')], ['catalog', join(target, 'catalog.json')], ['sources', join(target, 'sources.json')]);
      if (existsSync(join(target, 'published', 'manifest.json'))) files.push(['manifest', join(target, 'published', 'manifest.json')]);
    }
    expect(files.every(([, path]) => existsSync(path)), files.filter(([, p]) => !existsSync(p)).map(([, p]) => p).join('\n')).toBe(true);
    // One interpreter for all of them: importing dbt and building its schemas takes seconds.
    const verdicts = checkDbtArtifacts(files);
    expect(verdicts).toHaveLength(files.length);
    expect(formatVerdicts(verdicts)).toBe('all valid');
    // The published manifests carry the public models and every node they depend on (dbt-loom injects them all).
    const published = verdicts.filter((v) => v.path.includes('/published/')).map((v) => v.path.split('/').at(-4));
    expect(published).toEqual(['inventory', 'sales', 'finance', 'suppliers']);
  });
});

describe("dbt-core's artifact classes read snapshots and unit tests as mesh writes them", () => {
  it('the dbt-snapshots and unit_tests fixtures: snapshot nodes and unit test definitions valid, all loaded', () => {
    requireOracle();
    const files: Array<[ArtifactKind, string]> = [];
    for (const fixture of ['dbt-snapshots', 'dbt-differential/unit_tests']) {
      const dir = copyFixture(join(REPO_ROOT, 'platform/cli/src/__fixtures__', fixture), 'artifacts');
      meshWithEnv(dir, {}, 'build');
      const manifest = JSON.parse(readFileSync(join(dir, 'target', 'manifest.json'), 'utf8')) as { nodes: Record<string, { resource_type: string }>; unit_tests: Record<string, unknown> };
      const kinds = new Set([...Object.values(manifest.nodes).map((n) => n.resource_type), ...(Object.keys(manifest.unit_tests).length ? ['unit_test'] : [])]);
      expect(kinds.has(fixture === 'dbt-snapshots' ? 'snapshot' : 'unit_test'), fixture).toBe(true);
      files.push(['manifest', join(dir, 'target', 'manifest.json')], ['run_results', join(dir, 'target', 'run_results.json')], ['catalog', join(dir, 'target', 'catalog.json')]);
    }
    expect(formatVerdicts(checkDbtArtifacts(files))).toBe('all valid');
  }, 180_000);
});

/** target/ as `dbt docs serve` serves it: the docs page beside manifest.json and catalog.json. */
async function serveTarget(dir: string): Promise<{ url: string; server: Server }> {
  copyFileSync(dbtDocsPage(), join(dir, 'index.html'));
  const server = createServer((req, res) => {
    const path = normalize(join(dir, decodeURIComponent((req.url ?? '/').split('?')[0]!)));
    if (!path.startsWith(dir) || !existsSync(path)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': extname(path) === '.html' ? 'text/html' : 'application/json' });
    createReadStream(path).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe("dbt's docs site renders every project", () => {
  let browser: Browser;

  beforeAll(async () => {
    requireOracle();
    if (!existsSync(CHROMIUM)) throw new Error(`chromium is not installed at ${CHROMIUM}: apt-get install -y --no-install-recommends chromium (.ci/run does), or set CHROMIUM_PATH.`);
    if (!root) build();
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    mkdirSync(ARTIFACTS, { recursive: true });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
  });

  for (const project of PROJECTS) {
    it(`${project.name}: the model page with column types from catalog.json, and the lineage graph with its edge, without console errors`, async () => {
      const { url, server } = await serveTarget(join(root, project.name, 'target'));
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const errors: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      page.on('pageerror', (e) => errors.push(e.message));
      // The page requests its own icon and favicon templates (`{{ getIcon(...) }}`, `${require(...)}`)
      // before AngularJS binds them, with dbt's own artifacts too: answered with an empty image, so every
      // console error left is one the artifacts caused.
      await page.route(/%7B/, (route) => route.fulfill({ status: 200, contentType: 'image/svg+xml', body: '<svg xmlns="http://www.w3.org/2000/svg"/>' }));
      try {
        await page.goto(`${url}/index.html#!/model/${project.model}`);
        // The page draws its template first and the model once manifest.json and catalog.json are read.
        const [firstColumn, firstType] = Object.entries(project.types)[0]!;
        await expect.poll(async () => new RegExp(`${firstColumn}\\s+${firstType}`).test(await page.locator('body').innerText()), { timeout: 20_000 }).toBe(true);
        const text = await page.locator('body').innerText();
        for (const [column, type] of Object.entries(project.types)) expect(text, `${project.name}: ${column} ${type}`).toMatch(new RegExp(`${column}\\s+${type}`));
        expect(text).toContain('ROW COUNT');
        await page.screenshot({ path: join(ARTIFACTS, `dbt-docs-${project.name}-model.png`) });
        await page.click('.launcher-btn');
        const edges = () => page.evaluate(() => {
          const graph = (window as unknown as { angular: { element(e: Element): { injector(): { get(n: string): { graph: { elements?: Array<{ data: { source?: string; target?: string } }> } } } } } })
            .angular.element(document.body).injector().get('graph');
          return (graph.graph.elements ?? []).filter((e) => e.data.source).map((e) => `${e.data.source}->${e.data.target}`);
        });
        await expect.poll(edges, { timeout: 20_000 }).toContain(project.edge);
        await page.waitForTimeout(500);
        await page.screenshot({ path: join(ARTIFACTS, `dbt-docs-${project.name}-lineage.png`) });
        expect(errors).toEqual([]);
      } finally {
        await page.close();
        server.close();
      }
    });
  }
});
