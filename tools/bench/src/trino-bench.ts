import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateTeddyData, landTeddyHistory, rawTables } from '@mesh/datagen';
import { stageRawTables, startTestCluster, type TrinoTestCluster } from '@mesh/adapter-trino/test-cluster';
import { copyDomains, edit, REPO_ROOT } from '@mesh/testing';
import { BENCHMARKS_MD } from './paths';
import { median, stamp, table, updateBenchmarksFile } from './report';
import { publicationFacts, publishedManifestSchema } from '@mesh/loom';

/**
 * The Teddy Retailers mesh at 10 million order lines on DuckDB and on Trino clusters of one and two
 * workers, in one run: the same generated data, its raw tables loaded (`mesh ingest` on DuckDB, the
 * adapter's staging on Trino, timed with the domain), then `mesh build` in inventory, sales and finance
 * as new processes, rounds alternating between the engines. Each Trino cluster is started once (its start-up
 * is shown apart) and the domains are built on it from a fresh copy at each round. The published totals
 * of every engine are compared, so a figure is never that of a wrong result.
 *
 *   pnpm exec tsx tools/bench/src/trino-bench.ts [--lines 10000000] [--rounds 1] [--worker-heap 3G] [--dry-run]
 */

const DOMAINS = ['inventory', 'sales', 'finance'] as const;
const MESH_BIN = join(REPO_ROOT, 'node_modules', '.bin', 'mesh');

interface Engine {
  label: string;
  workers: number;
  cluster?: TrinoTestCluster;
  startMs?: number;
  builds: Array<Record<string, number>>;
  totals?: string;
}

interface RawData {
  /** The landing folders, for mesh ingest. */
  landing: string;
  /** The same rows as one file per raw table, for a Trino cluster's loader. */
  tables: ReturnType<typeof rawTables>;
}

async function buildAll(engine: Engine, raw: RawData, log: (l: string) => void): Promise<Record<string, number>> {
  const root = copyDomains(DOMAINS, `bench-${engine.label.replace(/\W+/g, '-')}`);
  const times: Record<string, number> = {};
  try {
    for (const domain of DOMAINS) {
      if (engine.cluster) {
        const target = engine.cluster.target(domain);
        edit(join(root, domain), 'mesh_project.yml', (text) => `${text}\ntarget: trino\ntargets:\n  trino: ${JSON.stringify({ ...target, threads: 4 })}\n`);
      }
      const t0 = performance.now();
      const mesh = (command: string) => {
        const r = spawnSync(MESH_BIN, [command], {
          cwd: join(root, domain),
          encoding: 'utf8',
          env: { ...process.env, TEDDY_RAW_DIR: raw.landing, ...(engine.cluster ? { MESH_TRINO_PASSWORD: engine.cluster.password(domain) } : {}) },
          maxBuffer: 64 * 1024 * 1024,
        });
        if (r.status !== 0) throw new Error(`${engine.label}: mesh ${command} in ${domain} failed:\n${r.stdout}\n${r.stderr}`);
      };
      const own = raw.tables.filter((t) => t.domain === domain);
      if (own.length && engine.cluster) await stageRawTables(engine.cluster, own);
      else if (own.length) mesh('ingest');
      mesh('build');
      times[domain] = performance.now() - t0;
      log(`${engine.label}: ${domain} built in ${(times[domain]! / 1000).toFixed(1)} s`);
    }
    const rowsOf = (domain: string) => publicationFacts(publishedManifestSchema.parse(JSON.parse(readFileSync(join(root, domain, 'target', 'published', 'manifest.json'), 'utf8')))).rows;
    engine.totals = JSON.stringify({ ...rowsOf('sales'), ...rowsOf('finance') });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  return times;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { lines: { type: 'string' }, rounds: { type: 'string' }, 'worker-heap': { type: 'string' }, 'dry-run': { type: 'boolean', default: false } },
    strict: true,
  });
  const lines = Number(values.lines ?? 10_000_000);
  const rounds = Number(values.rounds ?? 1);
  const workerHeap = values['worker-heap'] ?? '3G';
  const log = (l: string) => console.error(l);
  const dir = mkdtempSync(join(tmpdir(), 'mesh-trino-bench-'));
  const engines: Engine[] = [
    { label: 'DuckDB', workers: 0, builds: [] },
    { label: 'Trino, 1 worker', workers: 1, builds: [] },
    { label: 'Trino, 2 workers', workers: 2, builds: [] },
  ];
  try {
    const flat = await generateTeddyData({ outDir: join(dir, 'flat'), lines, seed: 42 });
    await landTeddyHistory({ outDir: join(dir, 'landing'), lines, seed: 42 });
    const raw: RawData = { landing: join(dir, 'landing'), tables: rawTables(flat.files) };
    for (let round = 0; round < rounds; round++) {
      for (const engine of engines) {
        if (engine.workers && !engine.cluster) {
          const t0 = performance.now();
          // One cluster at a time: two would share the machine's two cores with each other.
          for (const other of engines) if (other.cluster) {
            await other.cluster.stop();
            other.cluster = undefined;
          }
          engine.cluster = await startTestCluster({ domains: [...DOMAINS], readers: ['analysts'], workers: engine.workers, workerHeap });
          engine.startMs = performance.now() - t0;
          log(`${engine.label}: cluster started in ${(engine.startMs / 1000).toFixed(1)} s`);
        }
        engine.builds.push(await buildAll(engine, raw, log));
      }
    }
  } finally {
    for (const engine of engines) await engine.cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const reference = engines[0]!.totals;
  const rows = engines.map((e) => {
    const per = (d: string) => median(e.builds.map((b) => b[d]!));
    const total = median(e.builds.map((b) => DOMAINS.reduce((n, d) => n + b[d]!, 0)));
    return [
      e.label,
      ...DOMAINS.map((d) => `${(per(d) / 1000).toFixed(1)} s`),
      `**${(total / 1000).toFixed(1)} s**`,
      e.startMs === undefined ? '' : `${(e.startMs / 1000).toFixed(0)} s`,
      e.totals === reference ? 'same as DuckDB' : 'DIFFERENT',
    ];
  });
  const body = [
    stamp(),
    '',
    `${lines.toLocaleString('en-US')} order lines, ${rounds} round${rounds === 1 ? '' : 's'} (median), workers with ${workerHeap} of heap each. Command: \`pnpm exec tsx tools/bench/src/trino-bench.ts --lines ${lines} --rounds ${rounds}\`.`,
    '',
    table(['engine', 'inventory', 'sales', 'finance', 'whole mesh', 'cluster start (not included)', 'published rows'], rows, ['l', 'r', 'r', 'r', 'r', 'r', 'l']),
  ].join('\n');
  console.log(body);
  if (!values['dry-run']) updateBenchmarksFile(BENCHMARKS_MD, 'trino', body);
  return engines.every((e) => e.totals === reference) ? 0 : 1;
}

process.exitCode = await main();
