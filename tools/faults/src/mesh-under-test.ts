import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateTeddyData } from '@mesh/datagen';
import { copyDomains, meshAsync, meshProcess, type CliResult, type MeshProcess } from '@mesh/testing';

/**
 * The Teddy mesh the suite breaks: its three domains in a temp workspace, the raw data in one folder
 * (TEDDY_RAW_DIR) that can be switched between versions of sales' order lines, and a `mesh serve` with
 * a token for finance.
 */

export const DOMAINS = ['inventory', 'sales', 'finance'] as const;
export type Domain = (typeof DOMAINS)[number];

export interface MeshUnderTest {
  root: string;
  raw: string;
  env: Record<string, string>;
  dir(domain: Domain): string;
  build(domain: Domain, ...args: string[]): Promise<CliResult>;
  start(domain: Domain, env: Record<string, string>, ...args: string[]): MeshProcess;
  /** Writes version `v` of the raw data: the base order lines, fewer of them for each version after 0. */
  useData(v: number): void;
}

export async function meshUnderTest(lines: number): Promise<MeshUnderTest> {
  const root = copyDomains(DOMAINS, 'faults');
  const base = mkdtempSync(join(tmpdir(), 'mesh-faults-base-'));
  const raw = join(root, 'raw');
  mkdirSync(raw);
  await generateTeddyData({ outDir: base, seed: 42, lines });
  const env = { TEDDY_RAW_DIR: raw, MESH_SECRETS_DIR: join(root, 'secrets') };
  const orderLines = readFileSync(join(base, 'source_order_products.csv'), 'utf8').trimEnd().split('\n');
  return {
    root,
    raw,
    env,
    dir: (d) => join(root, d),
    build: (d, ...args) => meshAsync(join(root, d), env, 'build', ...args),
    start: (d, extra, ...args) => meshProcess(join(root, d), { ...env, ...extra }, ...args),
    useData: (v) => {
      for (const file of ['source_catalog.csv', 'source_stock.csv', 'source_customers.csv', 'source_orders.csv']) copyFileSync(join(base, file), join(raw, file));
      const keep = orderLines.length - v * Math.floor(lines / 12);
      const tmp = join(raw, 'source_order_products.csv.tmp');
      writeFileSync(tmp, `${orderLines.slice(0, keep).join('\n')}\n`);
      // Renamed in: a build reading the file meanwhile sees the old lines or the new, never half.
      renameSync(tmp, join(raw, 'source_order_products.csv'));
    },
  };
}
