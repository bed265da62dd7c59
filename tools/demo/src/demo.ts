import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { generateTeddyData, MAX_LINES, MIN_LINES } from '@mesh/datagen';
import { publicationFacts, publishedManifestSchema } from '@mesh/loom';

/**
 * The demo mesh, end to end: raw CSVs from the seeded generator, then `nx run-many -t build` over the
 * three domains (nx orders them by their package dependencies and caches what did not change), then a
 * summary of what each domain published.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DOMAINS = ['inventory', 'sales', 'finance'];

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '45000' },
    seed: { type: 'string', default: '42' },
    out: { type: 'string', default: join(ROOT, 'data', 'teddy') },
    'skip-nx-cache': { type: 'boolean', default: false },
  },
});

const lines = Number(values.lines);
const seed = Number(values.seed);
if (!Number.isInteger(lines) || lines < MIN_LINES || lines > MAX_LINES || !Number.isInteger(seed) || seed < 0) {
  process.stderr.write(`error: --lines takes a whole number from ${MIN_LINES} to ${MAX_LINES} and --seed one of 0 or more, for example --lines 45000 --seed 42\n`);
  process.exit(2);
}

const outDir = resolve(values.out);
const t0 = performance.now();
const generated = await generateTeddyData({ outDir, seed, lines });
const tGen = performance.now();
process.stdout.write(`Generated Teddy Retailers data in ${relative(process.cwd(), outDir) || '.'} (${((tGen - t0) / 1000).toFixed(1)}s): ` +
  `${generated.counts.products} products, ${generated.counts.stock} stock entries, ${generated.counts.customers} customers, ` +
  `${generated.counts.orders} orders, ${generated.counts.lines} order lines\n\n`);

const nxArgs = ['nx', 'run-many', '-t', 'build', '--projects=@teddy/*', '--outputStyle=stream'];
if (values['skip-nx-cache']) nxArgs.push('--skip-nx-cache');
const nx = spawnSync('pnpm', ['exec', ...nxArgs], {
  cwd: ROOT,
  stdio: 'inherit',
  env: { ...process.env, TEDDY_RAW_DIR: outDir, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
});
const tBuild = performance.now();
if (nx.status !== 0) {
  process.stderr.write(`\nThe mesh build failed (nx exit ${nx.status}); see the errors above.\n`);
  process.exit(nx.status ?? 1);
}

process.stdout.write('\nPublished data products\n');
for (const domain of DOMAINS) {
  const path = join(ROOT, 'domains', domain, 'target', 'published', 'manifest.json');
  if (!existsSync(path)) continue;
  const manifest = publishedManifestSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  const facts = publicationFacts(manifest);
  process.stdout.write(`  ${domain} ${facts.version ?? ''}\n`);
  for (const node of facts.nodes) {
    process.stdout.write(`    ${node.name.padEnd(22)} ${String(facts.rows[node.unique_id] ?? 0).padStart(10)} rows\n`);
  }
}
process.stdout.write(`\nDone: data ${((tGen - t0) / 1000).toFixed(1)}s, mesh build ${((tBuild - tGen) / 1000).toFixed(1)}s, total ${((tBuild - t0) / 1000).toFixed(1)}s\n`);
