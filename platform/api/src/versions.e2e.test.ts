import { appendFileSync, existsSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { copyDomains, meshIngested, meshWithEnv, publicationOf, teddySmallCopy } from '@mesh/testing';
import { addToken } from './config';
import { serveApi } from './server';

/** The server reads one publication version per request, holds it while it serves it, and lets it go after. */

/** `versions/<id>` -> `<id>`: a removed version's files are renamed aside before they go. */
const publicationId = (dir: string) => dir.split('/').at(-1)!;


describe('mesh serve and publication versions', () => {
  it('answers from the version it leased while newer ones are published, then closes the old files', async () => {
    const root = copyDomains(['inventory', 'sales'], 'serve-versions');
    const raw = teddySmallCopy('serve-versions-raw');
    const env = { TEDDY_RAW_DIR: raw };
    const sales = join(root, 'sales');
    for (const d of ['inventory', 'sales']) expect(meshIngested(join(root, d), env, 'build').code).toBe(0);
    const token = addToken(root, 'finance-reader', 'finance').token;
    const server = await serveApi({ workspaceRoot: root, port: 0 });
    const published = join(sales, 'target', 'published');
    try {
      const read = async () => (await (await fetch(new URL('v1/products/teddy-sales/ports/order_summary/rows', server.url), { headers: { Authorization: `Bearer ${token}` } })).json()) as { data: unknown[] };
      expect((await read()).data).toHaveLength(4);
      const first = publicationOf(sales)!.facts.publication!.dir;
      // While it serves the first version, the server holds a lease on it: later publications keep it.
      expect(readdirSync(join(published, first, '.leases'))).toHaveLength(1);
      appendFileSync(join(raw, 'sales', 'order_products_2026.csv'), '5,103,3,2\n');
      expect(meshIngested(sales, env, 'build').code).toBe(0);
      expect(meshWithEnv(sales, env, 'build', '--full-refresh').code).toBe(0);
      expect(existsSync(join(published, first))).toBe(true);
      // The next request reads the newest version and drops the lease on the first, which the next publication removes.
      expect((await read()).data).toHaveLength(5);
      expect(readdirSync(join(published, first, '.leases'))).toHaveLength(0);
      expect(meshWithEnv(sales, env, 'build', '--full-refresh').code).toBe(0);
      expect(existsSync(join(published, first))).toBe(false);
      // Nothing of a removed version stays open in the server: an open file would hold the disk space it frees.
      const open = readdirSync('/proc/self/fd').map((fd) => {
        try {
          return readlinkSync(join('/proc/self/fd', fd));
        } catch {
          return '';
        }
      });
      const id = publicationId(first);
      expect(open.filter((f) => f.includes(id))).toEqual([]);
    } finally {
      await server.close();
    }
  }, 120_000);
});
