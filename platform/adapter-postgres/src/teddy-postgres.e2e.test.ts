import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existingMaskingKey } from '@mesh/governance';
import { copyDomains, edit, hmacHex, mesh, meshTeddy, meshWithEnv, publishedFile, queryDb, TEDDY_SMALL_RAW as RAW, TEDDY_SMALL_RAW_TABLES, TEDDY_TOTALS as TOTALS } from '@mesh/testing';
import { PostgresAdapter } from './postgres-adapter';
import { publicationFacts, publishedManifestSchema } from '@mesh/loom';
import { startTestServer, type TestServer } from './test-server';

const DOMAINS = ['inventory', 'sales', 'finance'] as const;

describe('the Teddy Retailers mesh on PostgreSQL, one setting away from DuckDB', () => {
  let server: TestServer;
  let duck: string;
  let post: string;
  const timings: Record<string, number> = {};
  const client = () => new pg.Client({ host: server.socketDir, port: server.port, user: server.user, database: 'teddy' });

  beforeAll(async () => {
    server = await startTestServer();
    duck = copyDomains(DOMAINS, 'teddy-duck');
    post = copyDomains(DOMAINS, 'teddy-pg');
    // The one setting: the domain's target says postgres. Nothing else of the domains changes.
    for (const domain of DOMAINS) {
      edit(join(post, domain), 'mesh_project.yml', (text) =>
        `${text}\ntarget: pg\ntargets:\n  pg: {type: postgres, host: ${server.socketDir}, port: ${server.port}, database: teddy, user: postgres}\n`);
    }
    const loader = await PostgresAdapter.open({ target: { host: server.socketDir, port: server.port, database: 'teddy', user: server.user, password_env: 'MESH_PG_PASSWORD' } });
    try {
      // The server's own loader fills the raw tables the domains' ingest.yml declare (mesh ingest loads DuckDB targets).
      await loader.stageFiles(TEDDY_SMALL_RAW_TABLES.map((t) => ({ relation: { database: t.domain, schema: 'bronze', identifier: t.table }, path: t.path })));
    } finally {
      await loader.close();
    }
    for (const [label, root] of [['duckdb', duck], ['postgres', post]] as const) {
      const t0 = performance.now();
      for (const domain of DOMAINS) {
        const r = label === 'duckdb' ? meshTeddy(join(root, domain), 'build') : mesh(join(root, domain), 'build');
        if (r.code !== 0) throw new Error(`${label}: ${domain} failed:\n${r.output}`);
      }
      timings[label] = performance.now() - t0;
    }
  }, 300_000);

  afterAll(() => {
    server?.stop();
    if (timings.duckdb) console.log(`Teddy (small) build of three domains: duckdb ${(timings.duckdb / 1000).toFixed(1)} s, postgres ${(timings.postgres! / 1000).toFixed(1)} s`);
  });

  it('refuses to ingest into a PostgreSQL target, saying how its raw tables get there', () => {
    const r = meshTeddy(join(post, 'sales'), 'ingest');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error[E_INGEST_TARGET] sales builds into target 'pg' (postgres); mesh ingest loads into DuckDB targets only");
  });

  it('builds every model with the same totals as on DuckDB', async () => {
    const c = client();
    await c.connect();
    try {
      for (const { domain, sql } of TOTALS) {
        const onDuck = (await queryDb(join(duck, domain, 'target', `${domain}.duckdb`), sql('gold')))[0]!;
        const onPg = (await c.query(sql(`${domain}_gold`))).rows[0] as Record<string, unknown>;
        const asNumbers = (row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
        expect(asNumbers(onPg), `${domain}: ${sql('gold')}`).toEqual(asNumbers(onDuck));
      }
      // And the numbers computed by hand for the small data set (platform/loom/src/teddy-mesh.e2e.test.ts).
      expect((await c.query('select order_id, order_pl from finance_gold.orders_pl order by 1')).rows).toEqual([
        { order_id: 100, order_pl: '4000' }, { order_id: 101, order_pl: '1300' }, { order_id: 102, order_pl: '4050' },
      ]);
    } finally {
      await c.end();
    }
  });

  it("writes catalog.json from the server's own catalog: types as on DuckDB, row counts, sizes on disk", () => {
    const read = (root: string) => JSON.parse(readFileSync(join(root, 'sales', 'target', 'catalog.json'), 'utf8'));
    const [onPg, onDuck] = [read(post), read(duck)];
    expect(onPg.errors).toBeNull();
    const summary = onPg.nodes['model.sales.order_summary'];
    expect(summary.stats.row_count.value).toBe(4);
    expect(summary.stats.bytes.value).toBeGreaterThan(0);
    const types = (t: { columns: Record<string, { type: string }> }) => Object.fromEntries(Object.entries(t.columns).map(([k, c]) => [k, c.type]));
    expect(types(summary)).toEqual(types(onDuck.nodes['model.sales.order_summary']));
  });

  it('reads upstreams through the shares their grants made, as roles the database enforces', async () => {
    const facts = publicationFacts(publishedManifestSchema.parse(JSON.parse(readFileSync(join(post, 'sales', 'target', 'published', 'manifest.json'), 'utf8'))));
    expect(facts.adapterType).toBe('postgres');
    // Schemas of the publication's own version: a new publication never changes what consumers read now.
    const finance = facts.access!.shares.finance!.schema!;
    const analysts = facts.access!.shares.analysts!.schema!;
    expect(finance).toMatch(/^sales_share_finance_v\d+$/);
    expect(facts.access!.shares.finance!.file).toBeUndefined();
    const c = client();
    await c.connect();
    try {
      await c.query('SET ROLE mesh_finance');
      expect((await c.query(`select count(*)::int as n from ${finance}.order_summary`)).rows).toEqual([{ n: 4 }]);
      // Not granted to finance: the analysts' share, and the producer's own schemas.
      await expect(c.query(`select * from ${analysts}.customer_summary`)).rejects.toThrow(/permission denied/);
      await expect(c.query('select * from sales_gold.order_summary')).rejects.toThrow(/permission denied/);
      await c.query('RESET ROLE');
      // The analysts' share masks personal data in its copy: the e-mail is the HMAC-SHA256 under sales' key,
      // as Node computes it and as DuckDB writes it under the DuckDB checkout's key.
      const masked = (await c.query(`select customer_email from ${analysts}.customer_summary order by customer_id limit 1`)).rows[0] as { customer_email: string };
      expect(masked.customer_email).toBe(hmacHex(existingMaskingKey(join(post, 'sales'), 'sales')!.key, 'ada@example.com'));
      const onDuck = await queryDb(publishedFile(join(duck, 'sales'), 'shares/analysts.duckdb'), 'select customer_email from gold.customer_summary order by customer_id limit 1');
      expect(onDuck[0]!.customer_email).toBe(hmacHex(existingMaskingKey(join(duck, 'sales'), 'sales')!.key, 'ada@example.com'));
      // No definition in the catalog carries the key: the share holds tables, not views.
      expect((await c.query(`select count(*)::int as n from pg_views where schemaname = '${analysts}'`)).rows).toEqual([{ n: 0 }]);
    } finally {
      await c.end();
    }
  });

  it('compiles cross-domain refs to the consumer\'s share schema', async () => {
    const manifest = (await import(join(post, 'finance', 'target', 'manifest.json'), { with: { type: 'json' } })).default as { nodes: Record<string, { relation_name: string }> };
    expect(manifest.nodes['model.finance.orders_pl']!.relation_name).toBe('"finance_gold"."orders_pl"');
    expect(manifest.nodes['model.sales.order_summary']!.relation_name).toMatch(/^"sales_share_finance_v\d+"\."order_summary"$/);
  });
});
