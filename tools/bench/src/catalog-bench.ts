import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildCatalog, collectMesh, search, writeSite } from '@mesh/catalog';
import { compileProject } from '@mesh/engine';
import { generateProject } from '@mesh/testing';
import { BENCHMARKS_MD } from './paths';
import { updateBenchmarksFile } from './report';

/**
 * The catalog on a 10,000-model project: how long `mesh docs generate` takes from the compiled
 * manifest (collect, column lineage from DuckDB's parser, site files), how big the site is, and how
 * long one search over every model and column takes in the search code the browser runs.
 */


const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(0));
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { models: { type: 'string', default: '10000' }, 'dry-run': { type: 'boolean', default: false } } });
  const models = Number(values.models);
  const root = mkdtempSync(join(tmpdir(), 'mesh-bench-catalog-'));
  const log = (line: string) => console.error(line);
  try {
    const project = generateProject(join(root, 'bench'), { models });
    await compileProject({ projectDir: project.dir, writeCompiledFiles: false });
    log(`catalog: compiled ${project.models} models`);

    let t = performance.now();
    const mesh = await collectMesh(root);
    const collectMs = performance.now() - t;
    t = performance.now();
    const catalog = await buildCatalog(mesh);
    const buildMs = performance.now() - t;
    t = performance.now();
    const site = await writeSite(catalog, join(root, 'site'));
    const writeMs = performance.now() - t;
    log(`catalog: collect ${ms(collectMs)} ms, build ${ms(buildMs)} ms, write ${ms(writeMs)} ms`);

    const columns = catalog.nodes.reduce((n, node) => n + node.columns.length, 0);
    const traced = catalog.nodes.reduce((n, node) => n + node.columns.filter((c) => c.lineage.length).length, 0);
    // A word in many names, a column in many models, one model's exact name, and a miss (a full scan).
    const queries = ['orders', 'customer_id', catalog.nodes[Math.floor(catalog.nodes.length / 2)]!.name, 'zzz_no_match'];
    const searches = queries.map((q) => {
      const times: number[] = [];
      let hits = 0;
      for (let i = 0; i < 15; i++) {
        const s = performance.now();
        hits = search(catalog.search, q, 30).length;
        times.push(performance.now() - s);
      }
      return { q, ms: median(times), hits };
    });
    const total = Object.values(site.sizes).reduce((a, b) => a + b, 0);
    const body = [
      `Generated project of ${catalog.nodes.filter((n) => n.kind === 'model').length.toLocaleString('en-US')} models and ${columns.toLocaleString('en-US')} columns ` +
        `(${traced.toLocaleString('en-US')} with column lineage), ${catalog.search.length.toLocaleString('en-US')} search entries; compiled, not built (no row counts). ` +
        `Run \`pnpm exec tsx tools/bench/src/catalog-bench.ts\`.`,
      '',
      '| step | time |',
      '|---|---|',
      `| collect (manifest, run results, descriptors) | ${ms(collectMs)} ms |`,
      `| catalog (json_serialize_sql of every model, column lineage, search index) | ${ms(buildMs)} ms |`,
      `| site (app bundle with esbuild, data file) | ${ms(writeMs)} ms |`,
      `| **generate, total** | **${ms(collectMs + buildMs + writeMs)} ms** |`,
      '',
      `| file | size |`,
      '|---|---|',
      ...Object.entries(site.sizes).map(([f, b]) => `| ${f} | ${mb(b)} MB |`),
      `| **total** | **${mb(total)} MB** |`,
      '',
      '| search (median of 15, top 30) | time | hits |',
      '|---|---|---|',
      ...searches.map((s) => `| \`${s.q}\` | ${ms(s.ms)} ms | ${s.hits} |`),
    ].join('\n');
    console.log(body);
    if (!values['dry-run']) updateBenchmarksFile(BENCHMARKS_MD, 'catalog', body);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
