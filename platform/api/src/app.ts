import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Hono, type Context } from 'hono';
import { stream } from 'hono/streaming';
import { listReleases } from '@mesh/contract';
import { parseDuration } from '@mesh/governance';
import { ApiError } from './api-error';
import { consumerFrom, TokenSource } from './auth';
import { API_CONFIG_FILE, loadApiConfig, type ApiConfig } from './config';
import { decodeCursor, encodeCursor, invalid as invalidCursor } from './cursor';
import { withTimeout } from './query-timeout';
import { Databases, RetiredVersionError } from '@mesh/adapter-duckdb';
import { shareFilesRoot } from '@mesh/loom';
import { ApiMetrics } from './metrics';
import { openApiFor } from './openapi';
import { BATCHED_TABLE_ROWS, LookupBatcher, lookupKeyOf } from './lookup-batch';
import { PageCache } from './page-cache';
import { readByKey, readPage, type PageRows } from '@mesh/adapter-duckdb';
import { grantOf, Registry, type Port, type Product } from './registry';
import { parseRowQuery, type Column, type Format, type RowQuery } from './row-query';
import { csvHeader, exportStatement, lookupStatement, orderSignature, orderTypes, pageStatement, qi, type PortTable } from './row-sql';

export interface ApiOptions {
  workspaceRoot: string;
  config: ApiConfig;
}

export interface ApiApp {
  app: Hono<Env>;
  metrics: ApiMetrics;
  close(): Promise<void>;
}

type Env = { Variables: { consumer: string } };

const CONTENT_TYPES: Record<Format, string> = {
  json: 'application/json',
  ndjson: 'application/x-ndjson',
  csv: 'text/csv; charset=utf-8',
  parquet: 'application/vnd.apache.parquet',
};

function acceptedFormat(accept: string | undefined): Format | undefined {
  if (!accept) return undefined;
  if (accept.includes('application/x-ndjson')) return 'ndjson';
  if (accept.includes('text/csv')) return 'csv';
  if (accept.includes('parquet')) return 'parquet';
  return undefined;
}

export function createApi(options: ApiOptions): ApiApp {
  const { config } = options;
  const limits = config.limits;
  const databases = new Databases({ memoryLimit: limits.memory_limit, threads: limits.threads, connections: limits.connections, filesRoot: shareFilesRoot });
  const pages = new PageCache(limits.page_cache);
  const metrics = new ApiMetrics({ pages, databases });
  // A publication replaced by a newer one: its databases close once idle, its answered pages go now.
  const registry = new Registry(options.workspaceRoot, {
    onRetire: (product) => {
      databases.retire(product.publicationId);
      pages.drop(product.publicationId);
    },
  });
  const queryTimeout = parseDuration(limits.query_timeout);
  const exportTimeout = parseDuration(limits.export_timeout);
  const app = new Hono<Env>();
  const tokens = new TokenSource(join(options.workspaceRoot, API_CONFIG_FILE), config.tokens, () => loadApiConfig(options.workspaceRoot).tokens,
    (error) => process.stderr.write(`warning: ${API_CONFIG_FILE} could not be read again; the tokens read before stay in force: ${error instanceof Error ? error.message : String(error)}\n`));

  app.use('*', async (c, next) => {
    const started = performance.now();
    const route = () => c.req.routePath || 'unmatched';
    if (c.req.url.length > limits.max_url_length) {
      throw new ApiError(414, 'uri_too_long', `the request URL is longer than ${limits.max_url_length} characters; use fewer or shorter filters`);
    }
    try {
      await next();
    } finally {
      metrics.requests.inc({ route: route(), status: String(c.res.status) });
      metrics.latency.observe({ route: route() }, (performance.now() - started) / 1000);
    }
  });

  app.onError((error, c) => {
    if (error instanceof ApiError) {
      if (error.status === 401) c.header('WWW-Authenticate', 'Bearer realm="mesh"');
      return c.json(error.toJSON(), error.status);
    }
    if (error instanceof RetiredVersionError) {
      return c.json(new ApiError(503, 'republished', 'the product was published anew twice while this request was read; send it again').toJSON(), 503);
    }
    const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    // DuckDB refusing a cast the parameter check let through is still the caller's value.
    if (/Conversion Error|Invalid Input Error/.test(message)) return c.json(new ApiError(400, 'bad_parameter', message).toJSON(), 400);
    process.stderr.write(`error: ${c.req.method} ${new URL(c.req.url).pathname}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return c.json({ error: { code: 'internal', message: 'the server failed to answer; the error is in its log' } }, 500);
  });
  app.notFound((c) => c.json(new ApiError(404, 'not_found', `no endpoint ${c.req.method} ${new URL(c.req.url).pathname}; see GET /v1/products`).toJSON(), 404));

  app.get('/health', (c) => c.json({ status: 'ok', products: registry.products().length }));
  app.get('/metrics', async (c) => c.text(await metrics.registry.metrics(), 200, { 'Content-Type': metrics.registry.contentType }));

  app.use('/v1/*', async (c, next) => {
    c.set('consumer', consumerFrom(c.req.header('Authorization'), tokens).consumer);
    await next();
  });

  const productOf = (c: Context<Env>): Product => {
    const name = c.req.param('product')!;
    const product = registry.find(name);
    if (!product) throw new ApiError(404, 'not_found', `no data product '${name}' is published (products: ${registry.products().map((p) => p.name).join(', ') || 'none'})`);
    return product;
  };

  const summary = (product: Product, consumer: string) => ({
    name: product.name,
    domain: product.domain,
    version: product.version ?? null,
    status: product.status,
    description: product.description,
    owner: product.owner ?? null,
    published_at: product.publishedAt,
    ports: [...product.ports.values()].map((port) => ({
      name: port.name,
      description: port.description,
      granted: grantOf(product, port, consumer) !== undefined,
      rows: `/v1/products/${product.name}/ports/${port.name}/rows`,
      export: `/v1/products/${product.name}/ports/${port.name}/export`,
    })),
    contract: `/v1/products/${product.name}/contract`,
    openapi: `/v1/products/${product.name}/openapi.json`,
  });

  app.get('/v1/products', (c) => c.json({ products: registry.products().map((p) => summary(p, c.get('consumer'))) }));
  app.get('/v1/products/:product', (c) => {
    const product = productOf(c);
    const root = dirname(dirname(product.dir));
    return c.json({ ...summary(product, c.get('consumer')), versions: listReleases(root).map((r) => r.version) });
  });
  app.get('/v1/products/:product/contract', (c) => {
    const product = productOf(c);
    if (!product.contract || !product.contractText) throw new ApiError(404, 'not_found', `${product.name} publishes no contract`);
    const wantsJson = c.req.query('format') === 'json' || (c.req.header('Accept') ?? '').includes('application/json');
    return wantsJson ? c.json(product.contract) : c.text(product.contractText, 200, { 'Content-Type': 'application/yaml; charset=utf-8' });
  });
  app.get('/v1/products/:product/openapi.json', (c) => c.json(openApiFor(productOf(c))));

  /** What a consumer reads of a port, worked out once per publication version: grants, file, columns and key. */
  interface PortAccess {
    product: Product;
    port: Port;
    file: string;
    table: PortTable;
    /** Columns as served (withheld ones are absent, masked ones typed as served). */
    columns: Column[];
    /** Rows in the published table: whether lookups can be answered together. */
    rows: number;
    /** Keyed lookups waiting together, by the shape of their answer (format and columns). */
    batchers: Map<string, LookupBatcher>;
  }
  const accesses = new WeakMap<Product, Map<string, Promise<PortAccess>>>();

  const describe = async (product: Product, port: Port, file: string): Promise<PortAccess> => {
    const { columns, rows, view } = await databases.with(file, product.publicationId, async (session) => {
      const described = (await session.connection.runAndReadAll(`DESCRIBE ${qi(port.node.schema)}.${qi(port.node.alias)}`)).getRowObjectsJS();
      const size = await session.connection.runAndReadAll('SELECT estimated_size AS n FROM duckdb_tables() WHERE schema_name = $1 AND table_name = $2', [port.node.schema, port.node.alias]);
      // A share of views over Parquet counts its rows from the files' footers.
      const table = size.getRowObjectsJS()[0]?.n;
      const counted = table ?? (await session.connection.runAndReadAll(`SELECT count(*) AS n FROM ${qi(port.node.schema)}.${qi(port.node.alias)}`)).getRowObjectsJS()[0]?.n;
      return {
        columns: described.map((r) => ({ name: String(r.column_name), type: String(r.column_type) })),
        rows: Number(counted ?? Number.MAX_SAFE_INTEGER),
        view: table === undefined,
      };
    });
    const keyNames = (port.contract?.properties ?? []).filter((p) => p.primaryKey).map((p) => p.name);
    const primaryKey = keyNames.map((k) => columns.find((col) => col.name === k)).filter((col): col is Column => col !== undefined);
    return { product, port, file, table: { schema: port.node.schema, table: port.node.alias, primaryKey: primaryKey.length === keyNames.length ? primaryKey : [], view }, columns, rows, batchers: new Map() };
  };

  /** The lines of a lookup by the primary key, read in one query with the lookups of the same shape waiting beside it. */
  const lookUp = (access: PortAccess, query: RowQuery, key: string): Promise<string[]> => {
    const shape = `${query.format}\0${query.select.map((col) => col.name).join(',')}`;
    let batcher = access.batchers.get(shape);
    if (!batcher) {
      const execute = (seal: () => string[]) => databases.with(access.file, access.product.publicationId, (session) =>
        withTimeout(session.connection, queryTimeout, async () => {
          const statement = lookupStatement(access.table, query, seal());
          metrics.lookupQueries.inc();
          return readByKey(await session.run(statement.sql, statement.params));
        }));
      batcher = new LookupBatcher(execute, 128, () => access.batchers.delete(shape));
      access.batchers.set(shape, batcher);
    }
    metrics.lookups.inc();
    return batcher.get(key);
  };

  const portFor = (c: Context<Env>): Promise<PortAccess> => {
    const product = productOf(c);
    const name = c.req.param('port')!;
    const consumer = c.get('consumer');
    let byKey = accesses.get(product);
    if (!byKey) accesses.set(product, (byKey = new Map()));
    const key = `${consumer}\0${name}`;
    const known = byKey.get(key);
    if (known) return known;
    const port = product.ports.get(name);
    if (!port) throw new ApiError(404, 'not_found', `${product.name} has no output port '${name}' (ports: ${[...product.ports.keys()].join(', ')})`);
    const grant = grantOf(product, port, consumer);
    if (!grant) throw new ApiError(403, 'forbidden', `${product.name} does not grant its port '${name}' to '${consumer}'; ask ${product.owner ? `${product.owner.team} (${product.owner.email})` : 'its owners'} for a grant`);
    const access = describe(product, port, grant.file);
    byKey.set(key, access);
    access.catch(() => byKey.delete(key));
    return access;
  };

  /**
   * Serves a data request as of the current publication; when a newer one retired the version the request
   * had started reading (its databases closed meanwhile), the request is read again from the start.
   */
  const onCurrentPublication = (handler: (c: Context<Env>) => Promise<Response>) => (c: Context<Env>) =>
    handler(c).catch((error: unknown) => {
      if (error instanceof RetiredVersionError) return handler(c);
      throw error;
    });

  app.get('/v1/products/:product/ports/:port/rows', onCurrentPublication(async (c) => {
    const access = await portFor(c);
    const { product, port, file, table, columns } = access;
    const url = c.req.url;
    const search = url.slice(url.indexOf('?') + 1 || url.length);
    const accepted = acceptedFormat(c.req.header('Accept'));
    const request = `${c.get('consumer')}\0${port.name}\0${accepted ?? ''}\0${search}`;
    const cached = pages.get(product.publicationId, request);
    if (cached) {
      metrics.pageCache.inc({ result: 'hit' });
      metrics.rows.inc({ product: product.name, port: port.name, format: cached.format }, cached.rows);
      return c.body(cached.body, 200, cached.headers);
    }
    const query = parseRowQuery(new URLSearchParams(search), columns, {
      defaultLimit: Math.min(limits.default_page_size, limits.max_page_size),
      maxLimit: limits.max_page_size,
      mode: 'page',
      accepted,
    });
    const order = orderSignature(query, table);
    const after = query.cursor ? decodeCursor(query.cursor, order, product.publishedAt, orderTypes(query, table)) : undefined;
    const limit = query.limit!;
    const key = access.rows <= BATCHED_TABLE_ROWS ? lookupKeyOf(table, query) : undefined;
    let rows: PageRows | undefined;
    if (key !== undefined) {
      // A batch that failed (one key DuckDB would not cast, say) is answered again one request at a time,
      // so each gets its own answer; a timeout stays a timeout.
      const lines = await lookUp(access, query, key).catch((error: unknown) => {
        if (error instanceof ApiError) throw error;
        return undefined;
      });
      // More rows than the page under a primary key means the key is not unique: the sorted page reads them.
      if (lines && lines.length <= limit) rows = { lines };
    }
    if (!rows) {
      const statement = pageStatement(table, query, after);
      rows = await databases.with(file, product.publicationId, (session) => withTimeout(session.connection, queryTimeout, async () =>
        readPage(await session.run(statement.sql, statement.params), limit, statement.keys))).catch((error: unknown) => {
        // A forged cursor whose values look right but do not convert (a date of month 13): the caller's cursor, not a database matter.
        if (query.cursor && /Conversion Error|Invalid Input Error/.test(error instanceof Error ? error.message : String(error))) throw invalidCursor();
        throw error;
      });
    }
    const next = rows.next ? encodeCursor(rows.next, order, product.publishedAt) : null;
    metrics.pageCache.inc({ result: 'miss' });
    metrics.rows.inc({ product: product.name, port: port.name, format: query.format }, rows.lines.length);
    const { lines } = rows;
    const text = query.format === 'json'
      ? `{"data":[${lines.join(',')}],"next_cursor":${JSON.stringify(next)},"limit":${limit},"published_at":${JSON.stringify(product.publishedAt)}}`
      : query.format === 'csv' ? [csvHeader(query.select), ...lines].join('\r\n') + '\r\n' : lines.map((l) => `${l}\n`).join('');
    const body = Buffer.from(text);
    // A JSON page carries its cursor in the body; NDJSON and CSV pages in a header.
    const headers: Record<string, string> = { 'Content-Type': CONTENT_TYPES[query.format] };
    if (next && query.format !== 'json') headers['X-Next-Cursor'] = next;
    // A page read as of a publication retired meanwhile would never be asked for again: not kept.
    if (registry.isCurrent(product)) pages.set(product.publicationId, request, { body, headers, rows: lines.length, format: query.format });
    return c.body(body, 200, headers);
  }));

  app.get('/v1/products/:product/ports/:port/export', onCurrentPublication(async (c) => {
    const { product, port, file, table, columns } = await portFor(c);
    const query = parseRowQuery(new URL(c.req.url).searchParams, columns, {
      defaultLimit: limits.default_page_size,
      maxLimit: Number.MAX_SAFE_INTEGER,
      mode: 'export',
      accepted: acceptedFormat(c.req.header('Accept')),
    });
    const statement = exportStatement(table, query);
    const filename = `${product.name}-${port.name}.${query.format === 'ndjson' ? 'ndjson' : query.format}`;
    c.header('Content-Type', CONTENT_TYPES[query.format]);
    c.header('Content-Disposition', `attachment; filename="${filename}"`);
    // DuckDB writes the file with its own parallel writers (CSV, NDJSON or Parquet; several times faster
    // than formatting rows one by one in this process), then it is streamed from disk and removed: the
    // server's memory stays at DuckDB's limit plus a read buffer, whatever the export's size.
    const dir = mkdtempSync(join(tmpdir(), 'mesh-export-'));
    const path = join(dir, filename);
    const options = query.format === 'parquet' ? 'FORMAT parquet' : query.format === 'csv' ? 'FORMAT csv, HEADER true' : 'FORMAT json';
    let rows: number;
    try {
      rows = await databases.withOwnConnection(file, product.publicationId, (connection) => withTimeout(connection, exportTimeout, async () => {
        const result = await connection.run(`COPY (${statement.sql}) TO '${path.replaceAll("'", "''")}' (${options})`, statement.params);
        return Number((await result.getRowObjectsJS())[0]?.Count ?? 0);
      }));
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    metrics.rows.inc({ product: product.name, port: port.name, format: query.format }, rows);
    c.header('Content-Length', String(statSync(path).size));
    return stream(c, async (s) => {
      try {
        for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
          if (s.aborted) break;
          await s.write(chunk as Uint8Array);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }));

  return {
    app,
    metrics,
    close: async () => {
      registry.close();
      await databases.closeAll();
    },
  };
}
