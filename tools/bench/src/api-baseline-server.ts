import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { DuckDBInstance, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import { shareFilesRoot } from '@mesh/loom';

/**
 * The floor the API is measured against: a bare `node:http` server that checks the bearer token's sha256
 * and runs one prepared DuckDB statement per request on the same published file `mesh serve` reads, with
 * the same answer bytes. No routing, no grants, no parameter checks, no metrics: what is left is Node's
 * HTTP and DuckDB. It answers the two request shapes of the benchmark on the paths `mesh serve` uses:
 * `...?order_id=eq.N` (a keyed lookup of order_summary) and `...?limit=N` (the first page of order_lines).
 *
 *   tsx tools/bench/src/api-baseline-server.ts --file <share.duckdb> --sha256 <hex> [--port 0] [--connections 4]
 */

const { values } = parseArgs({
  options: {
    file: { type: 'string' },
    sha256: { type: 'string' },
    port: { type: 'string', default: '0' },
    connections: { type: 'string', default: '4' },
    'published-at': { type: 'string', default: '' },
  },
});
if (!values.file || !values.sha256) throw new Error('--file and --sha256 are required');

const LOOKUP = `SELECT to_json({'order_id': order_id, 'customer_id': customer_id, 'order_date': order_date, 'order_status': order_status, 'total_value': total_value}) AS line
FROM gold.order_summary WHERE order_id = $1`;
// The first page of a table without a primary key, in row order, one row more to tell whether a next one
// exists; cut first and formatted after, so only the page's rows are turned into JSON.
// A share's view over Parquet has no rowid: its rows are numbered by their place in the file, as mesh serve does.
const pageOf = (positional: boolean) => `SELECT to_json({'transaction_id': transaction_id, 'order_id': order_id, 'product_id': product_id, 'product_quantity': product_quantity}) AS line, key
FROM (SELECT *, rowid AS key FROM ${positional ? '(SELECT *, row_number() OVER () - 1 AS rowid FROM silver.stg_order_products)' : 'silver.stg_order_products'} ORDER BY rowid LIMIT $1)`;

interface Session {
  lookup: DuckDBPreparedStatement;
  page: DuckDBPreparedStatement;
}

// A share of views reads the Parquet files of its version, as mesh serve reads them.
const files = shareFilesRoot(values.file);
const instance = await DuckDBInstance.create(values.file, { access_mode: 'READ_ONLY', memory_limit: '256MB', threads: '2', ...(files ? { file_search_path: files } : {}) });
if (files) {
  const setup = await instance.connect();
  await setup.run('SET GLOBAL parquet_metadata_cache = true');
  setup.closeSync();
}
const idle: Session[] = [];
for (let i = 0; i < Number(values.connections); i++) {
  const connection: DuckDBConnection = await instance.connect();
  idle.push({ lookup: await connection.prepare(LOOKUP), page: await connection.prepare(pageOf(files !== undefined)) });
}
// A prepared statement runs one query at a time: requests beyond the sessions wait their turn.
const waiting: Array<(s: Session) => void> = [];
const take = (): Promise<Session> => new Promise((resolve) => (idle.length ? resolve(idle.pop()!) : waiting.push(resolve)));
const give = (s: Session) => (waiting.length ? waiting.shift()!(s) : idle.push(s));

const expected = Buffer.from(values.sha256, 'hex');
const publishedAt = JSON.stringify(values['published-at']);

async function lines(statement: DuckDBPreparedStatement, bind: (s: DuckDBPreparedStatement) => void): Promise<Array<{ line: string; key?: string }>> {
  bind(statement);
  const reader = await statement.runAndReadAll();
  return reader.getRowsJS().map((r) => ({ line: String(r[0]), key: r[1] === undefined ? undefined : String(r[1]) }));
}

const server = createServer((req, res) => {
  const header = req.headers.authorization ?? '';
  const token = header.startsWith('Bearer ') ? header.slice(7) : '';
  if (!timingSafeEqual(createHash('sha256').update(token).digest(), expected)) {
    res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"error":{"code":"unauthorized"}}');
    return;
  }
  const query = new URL(req.url ?? '/', 'http://x').searchParams;
  const id = query.get('order_id');
  const limit = Number(query.get('limit') ?? 100);
  void take().then(async (session) => {
    try {
      const rows = id
        ? await lines(session.lookup, (s) => s.bindInteger(1, Number(id.slice(3))))
        : await lines(session.page, (s) => s.bindBigInt(1, BigInt(limit + 1)));
      const page = rows.slice(0, id ? 100 : limit);
      const last = page[page.length - 1];
      const next = rows.length > page.length && last ? JSON.stringify(Buffer.from(JSON.stringify({ k: [last.key], o: 'rowid.asc', p: values['published-at'] })).toString('base64url')) : 'null';
      res.writeHead(200, { 'Content-Type': 'application/json' })
        .end(`{"data":[${page.map((r) => r.line).join(',')}],"next_cursor":${next},"limit":${id ? 100 : limit},"published_at":${publishedAt}}`);
    } catch (error) {
      res.writeHead(500).end(String(error));
    } finally {
      give(session);
    }
  });
});

server.listen(Number(values.port), '127.0.0.1', () => {
  console.log(`baseline at http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
});
// Exit normally on a signal, so a CPU profile (node --cpu-prof) is written.
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => server.close(() => process.exit(0)));
