import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFixture, edit, meshAsync, meshTeddy, meshTeddyAsync, meshWithEnv, publishedFile, queryDb, REPO_ROOT, versionFile } from '@mesh/testing';


/** Any static file server will do: the publication is plain files. */
function serveFolder(root: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = normalize(join(root, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    if (!path.startsWith(root) || !existsSync(path) || !statSync(path).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200);
    createReadStream(path).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

/**
 * Two domains on "two machines": two folders with no shared workspace and no node_modules link, built
 * by two separate processes. The consumer knows the producer only by the URL of its publication.
 */
describe('a mesh across machines: two domains sharing only published artifacts over http', () => {
  let producer: string;
  let consumer: string;
  let served: { server: Server; url: string };

  beforeAll(async () => {
    producer = copyFixture(join(REPO_ROOT, 'domains', 'inventory'), 'machine-a');
    consumer = copyFixture(join(REPO_ROOT, 'domains', 'sales'), 'machine-b');
    const built = meshTeddy(producer, 'build');
    if (built.code !== 0) throw new Error(`inventory failed:\n${built.output}`);
    served = await serveFolder(join(producer, 'target', 'published'));
    edit(consumer, 'mesh_project.yml', (text) => text.replace(/- name: inventory\n(\s+)version: \^1\.0\.0/, `- name: inventory\n$1version: ^1.0.0\n$1from: ${served.url}/manifest.json`));
  }, 120_000);

  afterAll(() => served?.server.close());

  it('builds the consumer from the producer\'s publication, fetching the manifest, its contract and the share', async () => {
    expect(existsSync(join(consumer, 'node_modules'))).toBe(false);
    const r = await meshTeddyAsync(consumer, 'build');
    expect(r.code, r.output).toBe(0);
    expect(await queryDb(join(consumer, 'target', 'sales.duckdb'), 'select count(*) as n, sum(total_value) as total from gold.order_summary')).toEqual([{ n: 4, total: 18100 }]);
    const cache = join(consumer, 'target', 'upstreams', 'inventory');
    expect(readFileSync(versionFile(cache, 'contract.odcs.yaml'), 'utf8')).toBe(readFileSync(publishedFile(producer, 'contract.odcs.yaml'), 'utf8'));
    // Only sales' own share came over the wire.
    expect(existsSync(versionFile(cache, 'shares/sales.duckdb'))).toBe(true);
    expect(existsSync(versionFile(cache, 'shares/finance.duckdb'))).toBe(false);
  });

  it('builds with an optional upstream that is unreachable, warning about it', async () => {
    edit(consumer, 'mesh_project.yml', (text) => text.replace('upstreams:\n', 'upstreams:\n  - name: partners\n    from: http://127.0.0.1:9/partners/manifest.json\n    optional: true\n'));
    const r = await meshTeddyAsync(consumer, 'build');
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/W_UPSTREAM_OPTIONAL[\s\S]*partners/);
  });

  it('fails with E_UPSTREAM_UNREACHABLE naming the URL when a required upstream is down and never fetched', async () => {
    const fresh = copyFixture(join(REPO_ROOT, 'domains', 'sales'), 'machine-c');
    edit(fresh, 'mesh_project.yml', (text) => text.replace(/- name: inventory\n(\s+)version: \^1\.0\.0/, '- name: inventory\n$1version: ^1.0.0\n$1from: http://127.0.0.1:9/inventory/manifest.json'));
    const r = await meshTeddyAsync(fresh, 'build');
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/E_UPSTREAM_UNREACHABLE[\s\S]*http:\/\/127\.0\.0\.1:9\/inventory\/manifest\.json/);
    expect(r.output).toMatch(/optional: true/);
  });
});
