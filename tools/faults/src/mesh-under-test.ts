import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { landTeddyHistory } from '@mesh/datagen';
import { copyDomains, meshAsync, meshProcess, type CliResult, type MeshProcess } from '@mesh/testing';

/**
 * The Teddy mesh the suite breaks: its three domains in a temp workspace, their landing folders in one
 * place (TEDDY_RAW_DIR) that can be switched between versions of sales' order lines, and the commands a
 * scheduled run gives: `mesh ingest`, then `mesh build`.
 */

export const DOMAINS = ['inventory', 'sales', 'finance'] as const;
export type Domain = (typeof DOMAINS)[number];

export interface MeshUnderTest {
  root: string;
  raw: string;
  env: Record<string, string>;
  dir(domain: Domain): string;
  /** `mesh ingest` (waiting for the project lock), for a domain that ingests; nothing for one that does not. */
  ingest(domain: Domain): Promise<CliResult | undefined>;
  /** A scheduled run: ingest, then build. */
  build(domain: Domain, ...args: string[]): Promise<CliResult>;
  /** `mesh build` alone. */
  buildOnly(domain: Domain, ...args: string[]): Promise<CliResult>;
  start(domain: Domain, env: Record<string, string>, ...args: string[]): MeshProcess;
  /** Writes version `v` of the raw data: the landed history, the last month of order lines cut shorter for each version after 0. */
  useData(v: number): void;
}

export async function meshUnderTest(lines: number): Promise<MeshUnderTest> {
  const root = copyDomains(DOMAINS, 'faults');
  const base = mkdtempSync(join(tmpdir(), 'mesh-faults-base-'));
  const raw = join(root, 'raw');
  await landTeddyHistory({ outDir: base, seed: 42, lines });
  const env = { TEDDY_RAW_DIR: raw, MESH_SECRETS_DIR: join(root, 'secrets') };
  const lastMonth = readdirSync(join(base, 'sales')).filter((f) => f.startsWith('order_products_')).sort().at(-1)!;
  const monthLines = readFileSync(join(base, 'sales', lastMonth), 'utf8').trimEnd().split('\n');
  const ingest = async (d: Domain) => (existsSync(join(root, d, 'ingest.yml')) ? meshAsync(join(root, d), env, 'ingest', '--wait') : undefined);
  const buildOnly = (d: Domain, ...args: string[]) => meshAsync(join(root, d), env, 'build', ...args);
  return {
    root,
    raw,
    env,
    dir: (d) => join(root, d),
    ingest,
    buildOnly,
    build: async (d, ...args) => {
      const ingested = await ingest(d);
      if (ingested && ingested.code !== 0) return ingested;
      return buildOnly(d, ...args);
    },
    start: (d, extra, ...args) => meshProcess(join(root, d), { ...env, ...extra }, ...args),
    useData: (v) => {
      cpSync(base, raw, { recursive: true });
      const keep = Math.max(2, monthLines.length - v * Math.ceil(monthLines.length / 8));
      const file = join(raw, 'sales', lastMonth);
      // Renamed in: an ingest reading the file meanwhile sees the old lines or the new, never half.
      writeFileSync(`${file}.tmp`, `${monthLines.slice(0, keep).join('\n')}\n`);
      renameSync(`${file}.tmp`, file);
    },
  };
}
