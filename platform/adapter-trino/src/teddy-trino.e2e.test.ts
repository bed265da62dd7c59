import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existingMaskingKey } from '@mesh/governance';
import { copyDomains, edit, hmacHex, meshWithEnv, publishedFile, queryDb, TEDDY_SMALL_RAW, TEDDY_SMALL_RAW_TABLES, TEDDY_TOTALS } from '@mesh/testing';
import { stageRawTables, startTestCluster, type TrinoTestCluster } from './test-cluster';

const DOMAINS = ['inventory', 'sales', 'finance'] as const;

interface Published {
  metadata: { adapter_type: string; generated_at: string };
  access: { shares: Record<string, { schema?: string; catalog?: string; file?: string }> };
}

type Share = { schema?: string; catalog?: string; file?: string };

/** A published manifest's shares, gathered from its public models' `meta.mesh` (where the publication records them). */
function published(manifest: { metadata: { adapter_type: string; generated_at: string }; nodes: Record<string, { meta?: { mesh?: { shares?: Record<string, Share & { port: string }> } } }> }): Published {
  const shares: Record<string, Share> = {};
  for (const node of Object.values(manifest.nodes)) {
    for (const [consumer, { schema, catalog, file }] of Object.entries(node.meta?.mesh?.shares ?? {})) shares[consumer] ??= { schema, catalog, file };
  }
  return { metadata: { adapter_type: manifest.metadata.adapter_type, generated_at: manifest.metadata.generated_at }, access: { shares } };
}

const asNumbers = (row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));

describe('the Teddy Retailers mesh on Trino, one target setting away from DuckDB', () => {
  let cluster: TrinoTestCluster;
  let duck: string;
  let onTrino: string;
  let raw: string;
  const timings: Record<string, number> = {};
  const trinoTarget = (domain: string) => `\ntarget: trino\ntargets:\n  trino: ${JSON.stringify(cluster.target(domain))}\n`;
  const build = (root: string, domain: string, ...args: string[]) =>
    meshWithEnv(join(root, domain), { TEDDY_RAW_DIR: raw, MESH_TRINO_PASSWORD: cluster.password(domain) }, 'build', ...args);
  const manifest = (domain: string) => published(JSON.parse(readFileSync(join(onTrino, domain, 'target', 'published', 'manifest.json'), 'utf8')));

  beforeAll(async () => {
    cluster = await startTestCluster({ domains: [...DOMAINS], readers: ['analysts'] });
    raw = mkdtempSync(join(tmpdir(), 'mesh-teddy-raw-'));
    cpSync(TEDDY_SMALL_RAW, raw, { recursive: true });
    duck = copyDomains(DOMAINS, 'teddy-duck');
    onTrino = copyDomains(DOMAINS, 'teddy-trino');
    // The one setting: each domain's target says trino. Nothing else of the domains changes.
    for (const domain of DOMAINS) edit(join(onTrino, domain), 'mesh_project.yml', (text) => `${text}${trinoTarget(domain)}`);
    // Raw tables: on DuckDB mesh ingest loads them; on Trino the cluster's own loader does, played here by the adapter.
    await stageRawTables(cluster, TEDDY_SMALL_RAW_TABLES);
    for (const [label, root] of [['duckdb', duck], ['trino', onTrino]] as const) {
      const t0 = performance.now();
      for (const domain of DOMAINS) {
        if (label === 'duckdb' && domain !== 'finance') {
          const ingested = meshWithEnv(join(root, domain), { TEDDY_RAW_DIR: raw }, 'ingest');
          if (ingested.code !== 0) throw new Error(`${label}: ${domain} failed to ingest:\n${ingested.output}`);
        }
        const r = build(root, domain);
        if (r.code !== 0) throw new Error(`${label}: ${domain} failed:\n${r.output}`);
      }
      timings[label] = performance.now() - t0;
    }
  }, 600_000);

  afterAll(async () => {
    await cluster?.stop();
    if (timings.duckdb) console.log(`Teddy (small) build of three domains: duckdb ${(timings.duckdb / 1000).toFixed(1)} s, trino ${(timings.trino! / 1000).toFixed(1)} s`);
  }, 60_000);

  it('builds every model with the same totals as on DuckDB', async () => {
    for (const { domain, sql } of TEDDY_TOTALS) {
      const onDuck = (await queryDb(join(duck, domain, 'target', `${domain}.duckdb`), sql('gold')))[0]!;
      const [row] = await cluster.query(sql(`${domain}.gold`));
      expect(asNumbers(row!), `${domain}: ${sql('gold')}`).toEqual(asNumbers(onDuck));
    }
    expect(await cluster.query('select order_id, order_pl from finance.gold.orders_pl order by 1')).toEqual([
      { order_id: 100, order_pl: 4000 }, { order_id: 101, order_pl: 1300 }, { order_id: 102, order_pl: 4050 },
    ]);
  });

  it('reads upstreams in place, through share views in the producer\'s catalog: no copy per consumer', async () => {
    const sales = manifest('sales');
    expect(sales.metadata.adapter_type).toBe('trino');
    const share = sales.access.shares.finance!;
    expect(share).toEqual(expect.objectContaining({ catalog: 'sales', schema: expect.stringMatching(/^sales_share_finance_v\d+$/) }));
    expect(share.file).toBeUndefined();
    const compiled = JSON.parse(readFileSync(join(onTrino, 'finance', 'target', 'manifest.json'), 'utf8')) as { nodes: Record<string, { relation_name: string }> };
    expect(compiled.nodes['model.finance.orders_pl']!.relation_name).toBe('"finance"."gold"."orders_pl"');
    expect(compiled.nodes['model.sales.order_summary']!.relation_name).toBe(`"sales"."${share.schema}"."order_summary"`);
    const kinds = await cluster.query(`select table_name, table_type from sales.information_schema.tables where table_schema = '${share.schema}' order by 1`);
    expect(kinds).toEqual([{ table_name: 'order_summary', table_type: 'VIEW' }, { table_name: 'stg_order_products', table_type: 'VIEW' }]);
  });

  it('leaves the refusal to Trino: a domain reads only the ports granted to it, as the grant says', async () => {
    const sales = manifest('sales');
    const finance = sales.access.shares.finance!.schema!;
    const analysts = sales.access.shares.analysts!.schema!;
    expect(await cluster.query(`select count(*) as n from sales."${finance}".order_summary`, 'finance')).toEqual([{ n: 4 }]);
    // Not granted to finance: the analysts' share (customer_summary), and the producer's own schemas.
    await expect(cluster.query(`select * from sales."${analysts}".customer_summary`, 'finance')).rejects.toThrow(/Access Denied: Cannot select from table sales\.sales_share_analysts_v\d+\.customer_summary/);
    await expect(cluster.query('select * from sales.gold.order_summary', 'finance')).rejects.toThrow(/Access Denied: Cannot select from table sales\.gold\.order_summary/);
    await expect(cluster.query('create view finance.gold.peek as select * from sales.gold.customer_summary', 'finance')).rejects.toThrow(/Access Denied/);
    // Nor can a consumer write into a producer's catalog.
    await expect(cluster.query(`create schema sales.sales_share_finance_v1`, 'finance')).rejects.toThrow(/Access Denied: Cannot create schema/);
    // The analysts' grant masks personal data: the e-mail is the HMAC-SHA256 under sales' key, as Node
    // computes it, and as DuckDB writes it under the DuckDB checkout's key.
    const [masked] = await cluster.query(`select customer_email from sales."${analysts}".customer_summary order by customer_id limit 1`, 'analysts');
    expect(masked!.customer_email).toBe(hmacHex(existingMaskingKey(join(onTrino, 'sales'), 'sales')!.key, 'ada@example.com'));
    const onDuck = await queryDb(publishedFile(join(duck, 'sales'), 'shares/analysts.duckdb'), 'select customer_email from gold.customer_summary order by customer_id limit 1');
    expect(onDuck[0]!.customer_email).toBe(hmacHex(existingMaskingKey(join(duck, 'sales'), 'sales')!.key, 'ada@example.com'));
    // The keyed hash is computed into a table of the share: no view definition a grantee reads carries the key.
    const [kind] = await cluster.query(`select table_type from sales.information_schema.tables where table_schema = '${analysts}' and table_name = 'customer_summary'`);
    expect(kind!.table_type).toBe('BASE TABLE');
  });

  it('publishes whole or not at all: a build whose tests fail changes nothing a consumer reads', async () => {
    const before = manifest('sales');
    const share = before.access.shares.finance!.schema!;
    // A test on order_summary that the next order breaks once order_summary is rebuilt: it is the first
    // order of customer 3, whom this test does not expect.
    const gold = readFileSync(join(onTrino, 'sales', 'models', 'gold', '_gold.yml'), 'utf8');
    const strict = gold.replace('      - name: customer_id\n        data_type: integer\n        constraints: [{type: not_null}]\n', '      - name: customer_id\n        data_type: integer\n        constraints: [{type: not_null}]\n        data_tests: [{accepted_values: {values: [1, 2]}}]\n');
    expect(strict).not.toBe(gold);
    writeFileSync(join(onTrino, 'sales', 'models', 'gold', '_gold.yml'), strict);
    // The next export reaches the cluster's raw tables.
    for (const file of ['orders_2026.csv', 'order_products_2026.csv']) cpSync(join(TEDDY_SMALL_RAW, 'sales', file), join(raw, file));
    appendFileSync(join(raw, 'orders_2026.csv'), '105,3,open,2026-03-06\n');
    appendFileSync(join(raw, 'order_products_2026.csv'), '9,105,1,1\n');
    await stageRawTables(cluster, [{ domain: 'sales', table: 'orders', path: join(raw, 'orders_2026.csv') }, { domain: 'sales', table: 'order_products', path: join(raw, 'order_products_2026.csv') }]);
    const failed = build(onTrino, 'sales');
    expect(failed.code, failed.output).toBe(1);
    // The table holds the new snapshot; the published share still reads the tested one.
    expect(await cluster.query('select count(*) as n from sales.gold.order_summary'), failed.output).toEqual([{ n: 5 }]);
    expect(manifest('sales')).toEqual(before);
    expect(await cluster.query(`select count(*) as n from sales."${share}".order_summary`, 'finance')).toEqual([{ n: 4 }]);

    // Fixed and built again: a new share schema; the previous one stays for readers of the old manifest.
    writeFileSync(join(onTrino, 'sales', 'models', 'gold', '_gold.yml'), gold);
    const ok = build(onTrino, 'sales');
    expect(ok.code, ok.output).toBe(0);
    const next = manifest('sales').access.shares.finance!.schema!;
    expect(next).not.toBe(share);
    expect(await cluster.query(`select count(*) as n from sales."${next}".order_summary`, 'finance')).toEqual([{ n: 5 }]);
    expect(await cluster.query(`select count(*) as n from sales."${share}".order_summary`, 'finance')).toEqual([{ n: 4 }]);
    // One publication more, and the oldest share schema is gone.
    expect(build(onTrino, 'sales').code).toBe(0);
    const schemas = (await cluster.query(`select schema_name from sales.information_schema.schemata where schema_name like 'sales_share_finance%'`)).map((r) => r.schema_name);
    expect(schemas).not.toContain(share);
    expect(schemas).toContain(next);
    expect(schemas).toHaveLength(2);
  }, 300_000);

  it('lets a DuckDB domain consume a Trino domain: the share is read as its own Trino user into a file it attaches', async () => {
    // finance on DuckDB, beside the Trino producers; its trino target only says who it is on the cluster.
    const dir = join(onTrino, 'finance-on-duckdb');
    cpSync(join(duck, 'finance'), dir, { recursive: true, filter: (src) => !/\/(node_modules|target|\.mesh)(\/|$)/.test(src) });
    for (const upstream of ['sales', 'inventory']) {
      mkdirSync(join(dir, 'node_modules', '@teddy'), { recursive: true });
      symlinkSync(join(onTrino, upstream), join(dir, 'node_modules', '@teddy', upstream));
    }
    edit(dir, 'mesh_project.yml', (text) => `${text}\ntargets:\n  trino: ${JSON.stringify(cluster.target('finance'))}\n`);
    const r = meshWithEnv(dir, { MESH_TRINO_PASSWORD: cluster.password('finance') }, 'build');
    expect(r.code, r.output).toBe(0);
    // finance on Trino, rebuilt on the same publication of sales, is what the DuckDB copy must equal.
    expect(build(onTrino, 'finance').code).toBe(0);
    const onDuckdb = await queryDb(join(dir, 'target', 'finance.duckdb'), 'select count(*) as n, sum(order_pl) as pl from gold.orders_pl');
    const [onCluster] = await cluster.query('select count(*) as n, sum(order_pl) as pl from finance.gold.orders_pl');
    expect(asNumbers(onDuckdb[0]!)).toEqual(asNumbers(onCluster!));
    // Read again with a wrong password: Trino refuses the login, and the build names the variable to set.
    rmSync(join(dir, 'target', 'upstreams'), { recursive: true, force: true });
    const refused = meshWithEnv(dir, { MESH_TRINO_PASSWORD: 'wrong' }, 'build');
    expect(refused.code).not.toBe(0);
    expect(refused.output).toMatch(/E_TRINO_AUTH[\s\S]*MESH_TRINO_PASSWORD/);
  }, 300_000);

  it('refuses a Trino domain consuming a DuckDB domain, and says why', () => {
    const dir = join(duck, 'finance');
    edit(dir, 'mesh_project.yml', (text) => `${text}${trinoTarget('finance')}`);
    const r = meshWithEnv(dir, { MESH_TRINO_PASSWORD: cluster.password('finance') }, 'build');
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/E_UPSTREAM_ENGINE/);
    expect(r.output).toMatch(/finance builds on trino, but upstream '(sales|inventory)' publishes on duckdb: a DuckDB publication is a file on the producer's machine, which no Trino worker can read/);
    expect(r.output).toMatch(/Build '(sales|inventory)' on the same Trino cluster/);
  });
});
