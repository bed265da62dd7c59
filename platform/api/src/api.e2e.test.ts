import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existingMaskingKey } from '@mesh/governance';
import { copyDomains, hmacHex, meshTeddy, meshTeddyAsync } from '@mesh/testing';
import { addToken } from './config';
import { serveApi, type ApiServer } from './server';

/**
 * The API over a real publication of the Teddy mesh (small dataset), on a real server on loopback.
 * Sales grants order_summary and order_lines to finance, order_summary and customer_summary to analysts
 * (personal data masked); inventory grants products to sales and stock_product to finance.
 */

const DOMAINS = ['inventory', 'sales', 'finance'] as const;

let root: string;
let server: ApiServer;
const tokens: Record<string, string> = {};

async function get(path: string, token?: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(new URL(path, server.url), { headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers } });
}

async function json(path: string, token = tokens.finance): Promise<{ status: number; body: any }> {
  const r = await get(path, token);
  return { status: r.status, body: await r.json() };
}

const ORDERS = '/v1/products/teddy-sales/ports/order_summary';

/**
 * Publishes sales anew. Built in a child process the test awaits, so the server (in this process) keeps
 * serving meanwhile: a build that blocked the loop for longer than the keep-alive timeout would leave
 * the client a connection the server is closing.
 */
const rebuildSales = () => meshTeddyAsync(join(root, 'sales'), 'build');

/** A counter or gauge of /metrics, as a number. */
async function metric(name: string): Promise<number> {
  return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(await (await get('/metrics')).text())?.[1] ?? NaN);
}

beforeAll(async () => {
  root = copyDomains(DOMAINS, 'api');
  for (const d of DOMAINS) {
    const r = meshTeddy(join(root, d), 'build');
    if (r.code !== 0) throw new Error(`${d}:\n${r.output}`);
  }
  for (const consumer of ['finance', 'analysts', 'marketing']) tokens[consumer] = addToken(root, `${consumer}-service`, consumer).token;
  server = await serveApi({ workspaceRoot: root, port: 0 });
});

afterAll(async () => {
  await server?.close();
});

describe('health, metrics and discovery', () => {
  it('answers health and metrics without a token, and never data', async () => {
    expect(await (await get('/health')).json()).toEqual({ status: 'ok', products: 3 });
    const metrics = await (await get('/metrics')).text();
    expect(metrics).toContain('mesh_api_requests_total');
    expect(metrics).toContain('mesh_api_process_resident_memory_bytes');
  });

  it('lists the products with the ports each consumer is granted', async () => {
    const { status, body } = await json('/v1/products');
    expect(status).toBe(200);
    expect(body.products.map((p: any) => p.name)).toEqual(['teddy-finance', 'teddy-inventory', 'teddy-sales']);
    const sales = body.products.find((p: any) => p.name === 'teddy-sales');
    expect(sales.ports.map((p: any) => [p.name, p.granted])).toEqual([['order_summary', true], ['customer_summary', false], ['order_lines', true]]);
    expect(sales.owner).toEqual({ team: 'Sales data team', email: 'sales-data@teddy-retailers.example' });
  });

  it('shows a product with its released versions, its contract as YAML or JSON, and its OpenAPI description', async () => {
    const { body } = await json('/v1/products/sales');
    expect(body).toMatchObject({ name: 'teddy-sales', domain: 'sales', version: '2.0.0', versions: ['1.0.0', '2.0.0'] });
    const yaml = await get('/v1/products/teddy-sales/contract', tokens.finance);
    expect(yaml.headers.get('content-type')).toContain('application/yaml');
    expect(await yaml.text()).toContain('kind: DataContract');
    const contract = await json('/v1/products/teddy-sales/contract?format=json');
    expect(contract.body.schema.map((m: any) => m.name)).toContain('order_summary');
    const openapi = (await json('/v1/products/teddy-sales/openapi.json')).body;
    expect(openapi.openapi).toBe('3.1.0');
    expect(Object.keys(openapi.paths)).toContain(`${ORDERS}/rows`);
    expect(openapi.components.schemas.order_summary.properties.total_value).toMatchObject({ type: ['integer', 'null'], 'x-duckdb-type': 'BIGINT' });
    expect(openapi.paths[`${ORDERS}/rows`].get.parameters.map((p: any) => p.name)).toEqual(expect.arrayContaining(['order_id', 'total_value', 'limit', 'cursor']));
  });
});

describe('authentication and grants', () => {
  it('refuses a request without a token, or with a wrong one, with 401 and a JSON error', async () => {
    for (const token of [undefined, 'mesh_not-a-token']) {
      const r = await get(`${ORDERS}/rows`, token);
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe('Bearer realm="mesh"');
      expect((await r.json()).error.code).toBe('unauthorized');
    }
  });

  it('refuses a port not granted to the token\'s consumer with 403, naming who to ask', async () => {
    const { status, body } = await json('/v1/products/teddy-sales/ports/customer_summary/rows');
    expect(status).toBe(403);
    expect(body).toEqual({ error: { code: 'forbidden', message: "teddy-sales does not grant its port 'customer_summary' to 'finance'; ask Sales data team (sales-data@teddy-retailers.example) for a grant" } });
    expect((await json(`${ORDERS}/rows`, tokens.marketing)).status).toBe(403);
    expect((await json(`${ORDERS}/export?format=csv`, tokens.marketing)).status).toBe(403);
  });

  it('serves personal data masked to a grantee without clearance', async () => {
    const { body } = await json('/v1/products/teddy-sales/ports/customer_summary/rows?order=customer_id', tokens.analysts);
    // Keyed by sales' own secret: Node's HMAC of the value under the key the build made is what is served.
    const key = existingMaskingKey(join(root, 'sales'), 'sales')!.key;
    expect(body.data.map((r: any) => r.customer_surname)).toEqual([hmacHex(key, 'Lovelace'), hmacHex(key, "O'Brien")]);
    expect(body.data[0].customer_email).toBe(hmacHex(key, 'ada@example.com'));
    expect(body.data[0].customer_email).not.toBe(createHash('sha256').update('ada@example.com').digest('hex'));
  });
});

describe('rows: pages, filters, sort, columns, formats', () => {
  it('pages with a cursor until the last page, each order once', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const { status, body }: { status: number; body: any } = await json(`${ORDERS}/rows?limit=3&order=total_value.desc${cursor ? `&cursor=${cursor}` : ''}`);
      expect(status).toBe(200);
      seen.push(...body.data.map((r: any) => r.order_id));
      cursor = body.next_cursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(2);
    // Ties on total_value (2500) are broken by the primary key.
    expect(seen).toEqual([100, 102, 101, 104]);
  });

  it('filters with =, <, >, in, between and is.null, typed by the column', async () => {
    const ids = async (query: string) => (await json(`${ORDERS}/rows?select=order_id&order=order_id&${query}`)).body.data.map((r: any) => r.order_id);
    expect(await ids('order_id=eq.101')).toEqual([101]);
    expect(await ids('total_value=lt.3000')).toEqual([101, 104]);
    expect(await ids('total_value=gt.3000&customer_id=eq.2')).toEqual([102]);
    expect(await ids('order_status=in.(delivered,open)')).toEqual([100, 102, 104]);
    expect(await ids('order_date=between.(2026-02-01,2026-02-28)')).toEqual([101, 102]);
    expect(await ids('order_status=is.null')).toEqual([]);
    expect(await ids('order_id=neq.100&order_id=lte.102')).toEqual([101, 102]);
  });

  it('selects columns and answers as NDJSON and CSV too', async () => {
    const { body } = await json(`${ORDERS}/rows?select=order_id,total_value&order=order_id&limit=1`);
    expect(body.data).toEqual([{ order_id: 100, total_value: 6800 }]);
    const nd = await get(`${ORDERS}/rows?select=order_id,order_date&order=order_id&limit=2&format=ndjson`, tokens.finance);
    expect(nd.headers.get('content-type')).toBe('application/x-ndjson');
    expect(nd.headers.get('x-next-cursor')).toBeTruthy();
    expect(await nd.text()).toBe('{"order_id":100,"order_date":"2026-01-15"}\n{"order_id":101,"order_date":"2026-02-20"}\n');
    const csv = await get(`${ORDERS}/rows?select=order_id,order_status&order=order_id&limit=2`, tokens.finance, { Accept: 'text/csv' });
    expect(await csv.text()).toBe('"order_id","order_status"\r\n"100","delivered"\r\n"101","paid"\r\n');
  });

  it('exports every matching row as CSV, NDJSON and Parquet', async () => {
    const csv = await (await get(`${ORDERS}/export?format=csv&select=order_id&order=order_id`, tokens.finance)).text();
    expect(csv).toBe('order_id\n100\n101\n102\n104\n');
    const nd = await (await get(`${ORDERS}/export?format=ndjson&total_value=gt.5000&order=order_id`, tokens.finance)).text();
    expect(nd.trim().split('\n').map((l) => JSON.parse(l).order_id)).toEqual([100, 102]);
    const parquet = await get(`${ORDERS}/export?format=parquet`, tokens.finance);
    expect(parquet.headers.get('content-type')).toBe('application/vnd.apache.parquet');
    const file = join(tmpdir(), `orders-${process.pid}.parquet`);
    writeFileSync(file, Buffer.from(await parquet.arrayBuffer()));
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    expect((await duck.runAndReadAll(`select count(*)::int as n, sum(total_value)::int as v from read_parquet('${file}')`)).getRowObjectsJS()).toEqual([{ n: 4, v: 18100 }]);
    duck.closeSync();
  });
});

describe('keyed lookups under load', () => {

  it('answers many lookups at once, each with its own row, in fewer queries than lookups', async () => {
    const [lookups, queries] = [await metric('mesh_api_lookups_total'), await metric('mesh_api_lookup_queries_total')];
    // Known orders in several spellings of the same number, and orders that do not exist.
    const asked = Array.from({ length: 80 }, (_, i) => [`${100 + (i % 6)}`, `0${100 + (i % 6)}`, `%2B${100 + (i % 6)}`][i % 3]! + `&select=order_id,customer_id&limit=${1 + i}`);
    const answers = await Promise.all(asked.map((q) => json(`${ORDERS}/rows?order_id=eq.${q}`)));
    answers.forEach(({ status, body }, i) => {
      expect(status).toBe(200);
      const id = 100 + (i % 6);
      expect(body.data.map((r: any) => r.order_id)).toEqual([100, 101, 102, 104].includes(id) ? [id] : []);
      expect(body).toMatchObject({ next_cursor: null, limit: 1 + i });
    });
    const asks = (await metric('mesh_api_lookups_total')) - lookups;
    expect(asks).toBe(80);
    expect((await metric('mesh_api_lookup_queries_total')) - queries).toBeLessThan(asks);
  });
});

describe('bad parameters', () => {
  const cases: Array<[string, string, string]> = [
    ['limit=0', 'limit', "limit: expected a whole number from 1 to 10000, got '0'"],
    ['limit=20000', 'limit', "limit: expected a whole number from 1 to 10000, got '20000'"],
    ['select=order_id,nope', 'select', "select: 'nope' is not a column of this port (columns: order_id, customer_id, order_date, order_status, total_value)"],
    ['order=total_value.sideways', 'order', "order: expected column or column.asc / column.desc, got 'total_value.sideways'"],
    ['format=xml', 'format', "format: expected one of json, ndjson, csv, parquet, got 'xml'"],
    ['colour=eq.red', 'colour', "colour: 'colour' is not a column of this port (columns: order_id, customer_id, order_date, order_status, total_value)"],
    ['order_id=like.1%25', 'order_id', "order_id: expected <operator>.<value> with an operator among eq, neq, lt, lte, gt, gte, in, between, is (e.g. order_id=eq.42), got 'like.1%'"],
    ['order_id=eq.abc', 'order_id', "order_id: 'abc': expected a whole number for INTEGER"],
    ['order_id=eq.99999999999', 'order_id', "order_id: '99999999999': 99999999999 is out of range for INTEGER (-2147483648 to 2147483647)"],
    ['order_date=gt.yesterday', 'order_date', "order_date: 'yesterday': expected a date as YYYY-MM-DD for DATE"],
    ['order_date=between.(2026-01-01)', 'order_date', 'order_date: between takes two values, (low,high); got 1'],
    ['limit=1&limit=2', 'limit', 'limit: given more than once'],
    ['cursor=bm90LWEtY3Vyc29y', 'cursor', 'cursor: not a cursor this API issued; use next_cursor from the previous page as it is'],
  ];
  it.each(cases)('%s: 400 naming %s', async (query, parameter, message) => {
    const { status, body } = await json(`${ORDERS}/rows?${query}`);
    expect(status).toBe(400);
    expect(body).toEqual({ error: { code: 'bad_parameter', message, parameter } });
  });

  it('refuses an unknown product or port with 404, and an overlong URL with 414', async () => {
    expect((await json('/v1/products/teddy-salse/ports/x/rows')).body.error.message).toBe("no data product 'teddy-salse' is published (products: teddy-finance, teddy-inventory, teddy-sales)");
    expect((await json('/v1/products/teddy-sales/ports/orders/rows')).body.error.message).toBe("teddy-sales has no output port 'orders' (ports: order_summary, customer_summary, order_lines)");
    expect((await json(`${ORDERS}/rows?order_status=in.(${'x,'.repeat(5000)}x)`)).status).toBe(414);
  });
});

describe('injection attempts are rejected or treated as data', () => {
  const values = [
    "' OR '1'='1",
    "delivered'; DROP TABLE gold.order_summary; --",
    'delivered/* comment */',
    'delivered; SELECT * FROM duckdb_tables()',
    '\u02BC OR 1=1 --',
    'ｃｏｍｐｌｅｔｅｄ',
    'delivered\u0000',
    '😀',
    '$1',
    "'); COPY (SELECT 1) TO '/tmp/pwned.csv'; --",
  ];
  it.each(values)('as a value of a text column: %s matches nothing', async (value) => {
    const { status, body } = await json(`${ORDERS}/rows?order_status=eq.${encodeURIComponent(value)}`);
    expect(status).toBe(200);
    expect(body.data).toEqual([]);
  });

  it.each(values)('as a value of a number column: %s is a 400', async (value) => {
    const { status, body } = await json(`${ORDERS}/rows?order_id=eq.${encodeURIComponent(value)}`);
    expect(status).toBe(400);
    expect(body.error.parameter).toBe('order_id');
  });

  it.each(['order_id"; DROP TABLE x; --', 'order_id) OR (1=1', '"order_id"', 'order_id/**/'])('as a column name: %s is a 400', async (name) => {
    for (const query of [`${encodeURIComponent(name)}=eq.1`, `select=${encodeURIComponent(name)}`, `order=${encodeURIComponent(name)}`]) {
      const { status } = await json(`${ORDERS}/rows?${query}`);
      expect(status, query).toBe(400);
    }
  });

  it('left the published data as it was', async () => {
    const { body } = await json(`${ORDERS}/rows?limit=100`);
    expect(body.data).toHaveLength(4);
  });
});

describe('reads while the producer builds', () => {
  it('serves complete data throughout a rebuild of the producer, then the new publication', async () => {
    const before = (await json('/v1/products/teddy-sales')).body.published_at;
    const build = meshTeddyAsync(join(root, 'sales'), 'build');
    let done = false;
    void build.then(() => (done = true));
    const totals: number[] = [];
    while (!done) {
      const { status, body } = await json(`${ORDERS}/rows?limit=100`);
      expect(status).toBe(200);
      totals.push(body.data.reduce((s: number, r: any) => s + r.total_value, 0));
    }
    expect((await build).code).toBe(0);
    expect(totals.length).toBeGreaterThan(3);
    expect(new Set(totals)).toEqual(new Set([18100]));
    const after = (await json('/v1/products/teddy-sales')).body.published_at;
    expect(after).not.toBe(before);
    expect((await json(`${ORDERS}/rows?limit=100`)).body.data).toHaveLength(4);
  });

  it('a cursor from before a new publication is refused with 409', async () => {
    const first = (await json(`${ORDERS}/rows?limit=1`)).body.next_cursor;
    const r = await rebuildSales();
    expect(r.code).toBe(0);
    const { status, body } = await json(`${ORDERS}/rows?limit=1&cursor=${first}`);
    expect(status).toBe(409);
    expect(body.error.code).toBe('stale_cursor');
  });
});

describe('what is kept per publication version', () => {
  const hits = () => metric('mesh_api_page_cache_requests_total\\{result="hit"\\}');

  it('answers a repeated page from its cache, byte for byte, and only to the consumer it was answered for', async () => {
    const url = `${ORDERS}/rows?order_id=eq.101&select=order_id,total_value`;
    const first = await (await get(url, tokens.finance)).text();
    const before = await hits();
    const again = await get(url, tokens.finance);
    expect(again.headers.get('content-type')).toBe('application/json');
    expect(await again.text()).toBe(first);
    expect(await hits()).toBe(before + 1);
    // The analysts read their own share: the same URL is their own first request, not finance's page.
    expect((await get(url, tokens.analysts)).status).toBe(200);
    expect(await hits()).toBe(before + 1);
    // A cached NDJSON page keeps its cursor header.
    const nd = `${ORDERS}/rows?limit=1&order=order_id&format=ndjson`;
    const cursor = (await get(nd, tokens.finance)).headers.get('x-next-cursor');
    expect(cursor).toBeTruthy();
    expect((await get(nd, tokens.finance)).headers.get('x-next-cursor')).toBe(cursor);
    expect(await metric('mesh_api_page_cache_bytes')).toBeGreaterThan(0);
  });

  it('never serves one version\'s page under another: after a new publication a cached cursor page is a 409 and a cached page is read anew', async () => {
    const first = (await json(`${ORDERS}/rows?limit=1&order=order_id`)).body;
    const second = `${ORDERS}/rows?limit=1&order=order_id&cursor=${first.next_cursor}`;
    expect((await json(second)).body.data.map((r: any) => r.order_id)).toEqual([101]);
    expect((await json(second)).status).toBe(200);
    const open = await metric('mesh_api_open_databases');
    expect((await rebuildSales()).code).toBe(0);
    const stale = await json(second);
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('stale_cursor');
    const fresh = (await json(`${ORDERS}/rows?limit=1&order=order_id`)).body;
    expect(fresh.published_at).not.toBe(first.published_at);
    expect(fresh.next_cursor).not.toBe(first.next_cursor);
    // The old version's databases were closed: the count does not grow with publications.
    expect(await metric('mesh_api_open_databases')).toBeLessThanOrEqual(open);
  });

  it('reads the grants of each new publication: a revoked port is refused at once, a restored one served again', async () => {
    const file = join(root, 'sales', 'data_product.yaml');
    const original = readFileSync(file, 'utf8');
    expect((await json(`${ORDERS}/rows?order_id=eq.100`)).status).toBe(200);
    try {
      writeFileSync(file, original.replace('ports: [order_summary, order_lines]', 'ports: [order_lines]'));
      expect((await rebuildSales()).code).toBe(0);
      const refused = await json(`${ORDERS}/rows?order_id=eq.100`);
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('forbidden');
    } finally {
      writeFileSync(file, original);
      expect((await rebuildSales()).code).toBe(0);
    }
    expect((await json(`${ORDERS}/rows?order_id=eq.100`)).body.data.map((r: any) => r.order_id)).toEqual([100]);
  });
});

describe('configuration', () => {
  it('stores tokens only as their hash', () => {
    const text = readFileSync(join(root, 'governance', 'api.yml'), 'utf8');
    expect(text).toContain('consumer: finance');
    expect(text).not.toContain(tokens.finance);
  });
});
