import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { landTeddyHistory } from '@mesh/datagen';
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
  /** `mesh ingest` of the domain's landed files, for a domain that declares sources; else 0. */
  ingestMs: number;
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
 * The Teddy Retailers mesh end to end at a given scale: the generator's files landed per domain, then
 * `mesh ingest` (where the domain has sources) and `mesh build` in inventory, sales and finance, each a
 * new process as nx runs them, on a fresh copy of the domains.
 */
export async function runMeshBench(options: MeshBenchOptions): Promise<ScaleRun[]> {
  const runs: ScaleRun[] = [];
  for (const lines of options.lines) {
    const raw = join(options.dir, `raw-${lines}`);
    let t0 = performance.now();
    await landTeddyHistory({ outDir: raw, lines, seed: 42 });
    const generateMs = performance.now() - t0;
    const root = copyDomains(DOMAINS, `bench-${lines}`);
    const domains: DomainRun[] = [];
    try {
      for (const domain of DOMAINS) {
        const run = (command: string) => {
          const started = performance.now();
          const r = spawnSync(MESH_BIN, [command], { cwd: join(root, domain), encoding: 'utf8', env: { ...process.env, TEDDY_RAW_DIR: raw } });
          if (r.status !== 0) throw new Error(`mesh ${command} in ${domain} failed at ${lines} lines:\n${r.stdout}\n${r.stderr}`);
          return performance.now() - started;
        };
        const ingestMs = existsSync(join(root, domain, 'ingest.yml')) ? run('ingest') : 0;
        const ms = run('build');
        const manifest = publishedManifestSchema.parse(JSON.parse(readFileSync(join(root, domain, 'target', 'published', 'manifest.json'), 'utf8')));
        const facts = publicationFacts(manifest);
        const published = facts.nodes.map((n) => ({ name: n.name, rows: facts.rows[n.unique_id] ?? 0 }));
        domains.push({ domain, ingestMs, ms, published });
        options.log(`mesh: ${lines.toLocaleString('en-US')} lines, ${domain}${ingestMs ? ` ingested in ${(ingestMs / 1000).toFixed(2)} s,` : ''} built in ${(ms / 1000).toFixed(2)} s`);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
      rmSync(raw, { recursive: true, force: true });
    }
    runs.push({ lines, generateMs, domains, totalMs: domains.reduce((n, d) => n + d.ingestMs + d.ms, 0) });
  }
  return runs;
}

export function meshMarkdown(runs: ScaleRun[]): string {
  const rows = runs.flatMap((run) => [
    ...run.domains.map((d) => [
      run.lines.toLocaleString('en-US'),
      d.domain,
      d.ingestMs ? `${(d.ingestMs / 1000).toFixed(2)} s` : '',
      `${(d.ms / 1000).toFixed(2)} s`,
      d.published.map((p) => `${p.name} ${p.rows.toLocaleString('en-US')}`).join(', '),
    ]),
    [run.lines.toLocaleString('en-US'), '**whole mesh**', '', `**${(run.totalMs / 1000).toFixed(2)} s** (ingest and build)`, `data generated in ${(run.generateMs / 1000).toFixed(1)} s (not included)`],
  ]);
  return [
    stamp(),
    '',
    table(['order lines', 'domain', '`mesh ingest`', '`mesh build` (whole process)', 'published rows'], rows, ['r', 'l', 'r', 'r', 'l']),
  ].join('\n');
}
