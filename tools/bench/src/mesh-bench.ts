import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { generateTeddyData } from '@mesh/datagen';
import { publicationFacts, publishedManifestSchema } from '@mesh/loom';
import { copyDomains, REPO_ROOT } from '@mesh/testing';
import { stamp, table } from './report';

const DOMAINS = ['inventory', 'sales', 'finance'] as const;
const MESH_BIN = join(REPO_ROOT, 'node_modules', '.bin', 'mesh');

export interface MeshBenchOptions {
  dir: string;
  lines: number[];
  log(line: string): void;
}

interface DomainRun {
  domain: string;
  ms: number;
  published: Array<{ name: string; rows: number }>;
}

interface ScaleRun {
  lines: number;
  generateMs: number;
  domains: DomainRun[];
  totalMs: number;
}

/**
 * The Teddy Retailers mesh end to end at a given scale: raw CSVs from the generator, then `mesh build`
 * in inventory, sales and finance, each a new process as nx runs them, on a fresh copy of the domains.
 */
export async function runMeshBench(options: MeshBenchOptions): Promise<ScaleRun[]> {
  const runs: ScaleRun[] = [];
  for (const lines of options.lines) {
    const raw = join(options.dir, `raw-${lines}`);
    let t0 = performance.now();
    await generateTeddyData({ outDir: raw, lines, seed: 42 });
    const generateMs = performance.now() - t0;
    const root = copyDomains(DOMAINS, `bench-${lines}`);
    const domains: DomainRun[] = [];
    try {
      for (const domain of DOMAINS) {
        t0 = performance.now();
        const r = spawnSync(MESH_BIN, ['build'], { cwd: join(root, domain), encoding: 'utf8', env: { ...process.env, TEDDY_RAW_DIR: raw } });
        const ms = performance.now() - t0;
        if (r.status !== 0) throw new Error(`mesh build in ${domain} failed at ${lines} lines:\n${r.stdout}\n${r.stderr}`);
        const manifest = publishedManifestSchema.parse(JSON.parse(readFileSync(join(root, domain, 'target', 'published', 'manifest.json'), 'utf8')));
        const facts = publicationFacts(manifest);
        const published = facts.nodes.map((n) => ({ name: n.name, rows: facts.rows[n.unique_id] ?? 0 }));
        domains.push({ domain, ms, published });
        options.log(`mesh: ${lines.toLocaleString('en-US')} lines, ${domain} built in ${(ms / 1000).toFixed(2)} s`);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(raw, { recursive: true, force: true });
    }
    runs.push({ lines, generateMs, domains, totalMs: domains.reduce((n, d) => n + d.ms, 0) });
  }
  return runs;
}

export function meshMarkdown(runs: ScaleRun[]): string {
  const rows = runs.flatMap((run) => [
    ...run.domains.map((d) => [
      run.lines.toLocaleString('en-US'),
      d.domain,
      `${(d.ms / 1000).toFixed(2)} s`,
      d.published.map((p) => `${p.name} ${p.rows.toLocaleString('en-US')}`).join(', '),
    ]),
    [run.lines.toLocaleString('en-US'), '**whole mesh**', `**${(run.totalMs / 1000).toFixed(2)} s**`, `data generated in ${(run.generateMs / 1000).toFixed(1)} s (not included)`],
  ]);
  return [
    stamp(),
    '',
    table(['order lines', 'domain', '`mesh build` (whole process)', 'published rows'], rows, ['r', 'l', 'r', 'l']),
  ].join('\n');
}
