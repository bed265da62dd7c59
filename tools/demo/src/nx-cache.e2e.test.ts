import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { landTeddyHistory } from '@mesh/datagen';
import { nxBuild, nxWorkspace } from '@mesh/testing';
import { parsePublishedManifest, publicationFacts } from '@mesh/loom';

/**
 * The demo's raw files land in a git-ignored folder, which nx never hashes on its own. Each domain's
 * build declares `mesh inputs --hash` as a runtime input (the files its sources read and its ingest.yml
 * loads), so a changed raw file rebuilds the domains that read it, wherever the environment or a
 * default in ingest.yml points them, instead of replaying a cached publication of the old data. Real
 * nx, real ingests and builds.
 */

const rows = (root: string, domain: string) =>
  publicationFacts(parsePublishedManifest(readFileSync(join(root, 'domains', domain, 'target', 'published', 'manifest.json'), 'utf8'), domain)).rows;

describe('nx caches a domain only while its raw inputs are unchanged', () => {
  it('rebuilds what reads a changed raw file, through TEDDY_RAW_DIR or the default path of ingest.yml', async () => {
    const root = nxWorkspace('nx-cache');
    const env = { MESH_SECRETS_DIR: join(root, 'secrets') };
    const raw = join(root, 'data', 'teddy');
    await landTeddyHistory({ outDir: raw, seed: 42, lines: 300 });

    // The reported fault: the same raw folder named by TEDDY_RAW_DIR, regenerated bigger.
    const first = nxBuild(root, { ...env, TEDDY_RAW_DIR: raw });
    expect(first.code, first.output).toBe(0);
    expect(first.cached).toEqual([]);
    expect(rows(root, 'sales')['model.sales.stg_order_products']).toBe(300);
    expect(nxBuild(root, { ...env, TEDDY_RAW_DIR: raw }).cached).toEqual(['finance', 'inventory', 'sales']);

    await landTeddyHistory({ outDir: raw, seed: 42, lines: 1000 });
    const grown = nxBuild(root, { ...env, TEDDY_RAW_DIR: raw });
    expect(grown.code, grown.output).toBe(0);
    expect(grown.cached).not.toContain('sales');
    expect(grown.cached).not.toContain('finance');
    expect(rows(root, 'sales')['model.sales.stg_order_products']).toBe(1000);

    // No environment variable: ingest.yml's default (../../data/teddy) points at the same folder.
    const byVar = nxBuild(root, env);
    expect(byVar.code, byVar.output).toBe(0);
    // One line edited in place, same size class: content, not size or name, decides.
    const orders = join(raw, 'sales', readdirSync(join(raw, 'sales')).filter((f) => f.startsWith('order_products_')).sort()[0]!);
    const lines = readFileSync(orders, 'utf8').split('\n');
    writeFileSync(orders, [...lines.slice(0, -2), lines.at(-1)].join('\n'));
    const edited = nxBuild(root, env);
    expect(edited.code, edited.output).toBe(0);
    expect(edited.cached).toEqual(['inventory']);
    expect(rows(root, 'sales')['model.sales.stg_order_products']).toBe(999);
  }, 240_000);
});
