import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { chromium, type Page } from 'playwright-core';
import { buildCatalog, collectMesh, serveCatalog, writeSite, type Catalog } from '@mesh/catalog';
import { compileProject } from '@mesh/engine';
import { generateProject } from '@mesh/testing';
import { BENCHMARKS_MD, REPO_ROOT } from './paths';
import { median, stamp, table, updateBenchmarksFile } from './report';

/**
 * The catalog site of a 5,000-model project in a real browser (Debian's chromium through playwright-core):
 * time to first paint, to the home page drawn, and from a keystroke to the first search result, for this
 * revision's site and for the site as it was at a baseline revision (its app rebuilt from git, fed the
 * same catalog), in alternating rounds so both see the same machine.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The last revision whose catalog shipped as one data script and one bundle with the graph libraries. */
const DEFAULT_BASELINE = 'cc7d5df';
const BASELINE_FILES = ['app/index.html', 'app/app.css', 'app/main.ts', 'app/dom.ts', 'app/graph.ts', 'neighbourhood.ts', 'impact.ts', 'search.ts', 'types.ts'];

/** The baseline's app, taken from git and bundled the way it bundled itself, with the same catalog in its data format. */
async function baselineSite(ref: string, catalog: Catalog, dir: string): Promise<void> {
  const src = join(dir, 'src');
  for (const file of BASELINE_FILES) {
    const shown = spawnSync('git', ['show', `${ref}:platform/catalog/src/${file}`], { cwd: REPO_ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
    if (shown.status !== 0) throw new Error(`git show ${ref}:platform/catalog/src/${file} failed: ${shown.stderr}`);
    mkdirSync(dirname(join(src, file)), { recursive: true });
    writeFileSync(join(src, file), shown.stdout);
  }
  const app = await build({
    entryPoints: [join(src, 'app', 'main.ts')], bundle: true, write: false, format: 'iife', platform: 'browser', minify: true, legalComments: 'none', logLevel: 'silent',
    nodePaths: [join(REPO_ROOT, 'platform', 'catalog', 'node_modules')],
  });
  const site = join(dir, 'site');
  mkdirSync(site, { recursive: true });
  writeFileSync(join(site, 'app.js'), app.outputFiles[0]!.text);
  for (const file of ['index.html', 'app.css']) writeFileSync(join(site, file), readFileSync(join(src, 'app', file)));
  writeFileSync(join(site, 'catalog-data.js'), `window.MESH_CATALOG=${JSON.stringify(catalog).replace(/<\//g, '<\\/')};\n`);
}

interface Round {
  paint: number;
  home: number;
  search: number;
}

/** One visit: first contentful paint, the moment the home page's heading is drawn, and a search answered on screen. */
async function visit(page: Page, url: string, query: string): Promise<Round> {
  await page.goto(url);
  const home = await page.waitForFunction(() => (document.querySelector('#page h1') ? performance.now() : false), undefined, { polling: 'raf', timeout: 60_000 });
  const paint = await page.evaluate(() => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN);
  // A string, not a function: tsx would wrap a function's inner closures in a helper the page lacks.
  const search = (await page.evaluate(`(async () => {
    const input = document.getElementById('search');
    const t0 = performance.now();
    input.value = ${JSON.stringify(query)};
    input.dispatchEvent(new Event('input'));
    await new Promise((resolve) => {
      const check = () => (document.querySelector('#search-results a') ? resolve() : requestAnimationFrame(check));
      check();
    });
    await new Promise((resolve) => requestAnimationFrame(resolve));
    return performance.now() - t0;
  })()`)) as number;
  return { paint, home: (await home.jsonValue()) as number, search };
}

const ms = (x: number) => `${x.toFixed(0)} ms`;
const mb = (bytes: number) => (bytes < 1 << 20 ? `${Math.round(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { models: { type: 'string', default: '5000' }, rounds: { type: 'string', default: '7' }, baseline: { type: 'string', default: DEFAULT_BASELINE }, 'dry-run': { type: 'boolean', default: false } } });
  const models = Number(values.models);
  const rounds = Number(values.rounds);
  const root = mkdtempSync(join(tmpdir(), 'mesh-bench-catalog-browser-'));
  const log = (line: string) => console.error(line);
  const servers: Array<{ close(): Promise<void> }> = [];
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  try {
    const project = generateProject(join(root, 'mesh', 'bench'), { models });
    await compileProject({ projectDir: project.dir, writeCompiledFiles: false });
    const catalog = await buildCatalog(await collectMesh(join(root, 'mesh')));
    const current = await writeSite(catalog, join(root, 'current'));
    await baselineSite(values.baseline, catalog, join(root, 'baseline'));
    log(`catalog-browser: ${models} models; sites written`);
    const sites = { current: join(root, 'current'), baseline: join(root, 'baseline', 'site') };
    const urls: Record<string, string> = {};
    for (const [name, dir] of Object.entries(sites)) {
      const server = await serveCatalog({ dir, port: 0 });
      servers.push(server);
      urls[name] = server.url;
    }
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const results: Record<string, Round[]> = { current: [], baseline: [] };
    // A first visit to each warms the browser; then the two alternate, round by round.
    for (const url of Object.values(urls)) await visit(page, url, 'customer_id');
    for (let r = 0; r < rounds; r++) {
      for (const name of r % 2 ? ['baseline', 'current'] : ['current', 'baseline']) {
        const round = await visit(page, `${urls[name]}?r=${r}`, 'customer_id');
        results[name]!.push(round);
        log(`catalog-browser: round ${r + 1} ${name}: paint ${ms(round.paint)}, home ${ms(round.home)}, search ${ms(round.search)}`);
      }
    }
    const row = (name: string, label: string) => {
      const rs = results[name]!;
      const cell = (k: keyof Round) => `${ms(median(rs.map((x) => x[k])))} (worst ${ms(Math.max(...rs.map((x) => x[k])))})`;
      return [label, cell('paint'), cell('home'), cell('search')];
    };
    const size = (dir: string, files: string[]) => files.reduce((n, f) => n + statSync(join(dir, f)).size, 0);
    const body = [
      stamp(),
      '',
      `A generated project of ${models.toLocaleString('en-US')} models, compiled (${catalog.nodes.length.toLocaleString('en-US')} nodes, ${catalog.search.length.toLocaleString('en-US')} search entries), ` +
        `its site served by \`mesh docs serve\`'s server and opened in chromium (1400x900), ${rounds} rounds each, alternating, after one warm-up visit. ` +
        `Run \`pnpm exec tsx tools/bench/src/catalog-browser-bench.ts\` (\`--models N\`, \`--rounds N\`, \`--baseline <git revision>\`).`,
      '',
      table(['site', 'first paint', 'home page drawn', 'keystroke to first result'], [
        row('current', 'this revision'),
        row('baseline', `baseline (${values.baseline}: one data script, one bundle)`),
      ], ['l', 'r', 'r', 'r']),
      '',
      `Before the first page this revision loads ${mb(size(sites.current, ['app.js', 'catalog-data.js']))} (app ${mb(current.sizes['app.js']!)}, summary data ${mb(current.sizes['catalog-data.js']!)}); ` +
        `the search index (${mb(current.sizes['catalog-search.js']!)}) follows at once, node details (${mb(current.sizes['catalog-details.js']!)}) and the lineage graph's code (${mb(current.sizes['graph.js']!)}) when a page needs them. ` +
        `The baseline loads ${mb(size(sites.baseline, ['app.js', 'catalog-data.js']))} first.`,
    ].join('\n');
    console.log(body);
    if (!values['dry-run']) updateBenchmarksFile(BENCHMARKS_MD, 'catalog-browser', body);
  } finally {
    await browser.close();
    for (const s of servers) await s.close();
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
