import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { publicationFacts, publishedManifestSchema } from '@mesh/loom';

export interface Publication {
  domain: string;
  version: string;
  products: Array<{ name: string; rows: number }>;
}

/** What each domain published last, from its published manifest. */
export function publications(workspace: string, domains: readonly string[]): Publication[] {
  return domains.flatMap((domain) => {
    const path = join(workspace, 'domains', domain, 'target', 'published', 'manifest.json');
    if (!existsSync(path)) return [];
    const facts = publicationFacts(publishedManifestSchema.parse(JSON.parse(readFileSync(path, 'utf8'))));
    const products = facts.nodes.map((node) => ({ name: node.name, rows: facts.rows[node.unique_id] ?? 0 }));
    return [{ domain, version: facts.version ?? '', products }];
  });
}

export interface MeshTotals {
  orders: number;
  byStatus: Array<{ status: string; orders: number }>;
  /** In cents, as the models keep money. */
  revenue: number;
  cost: number;
  profit: number;
  /** Orders whose profit finance computed (orders with a cost in their month). */
  pricedOrders: number;
}

async function query(path: string, sql: string): Promise<Array<Record<string, unknown>>> {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  try {
    const connection = await instance.connect();
    try {
      return (await connection.runAndReadAll(sql)).getRowObjectsJS();
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/**
 * The figures a reader checks first, summed by DuckDB in each domain's own database: orders by status
 * (sales), and revenue, cost and profit (finance).
 */
export async function meshTotals(workspace: string): Promise<MeshTotals> {
  const db = (domain: string) => join(workspace, 'domains', domain, 'target', `${domain}.duckdb`);
  const statuses = await query(db('sales'), 'SELECT order_status AS status, count(*) AS orders FROM gold.order_summary GROUP BY ALL ORDER BY orders DESC');
  const [pl] = await query(db('finance'), 'SELECT count(*) AS n, sum(order_revenue) AS revenue, sum(order_cost) AS cost, sum(order_pl) AS profit FROM gold.orders_pl');
  const byStatus = statuses.map((r) => ({ status: String(r.status), orders: Number(r.orders) }));
  return {
    orders: byStatus.reduce((sum, s) => sum + s.orders, 0),
    byStatus,
    revenue: Number(pl?.revenue ?? 0),
    cost: Number(pl?.cost ?? 0),
    profit: Number(pl?.profit ?? 0),
    pricedOrders: Number(pl?.n ?? 0),
  };
}

const count = (n: number) => n.toLocaleString('en-US');
const money = (cents: number) => (cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function totalsLine(t: MeshTotals): string {
  const statuses = t.byStatus.map((s) => `${s.status} ${count(s.orders)}`).join(', ');
  return `${count(t.orders)} orders (${statuses}); revenue ${money(t.revenue)}, cost ${money(t.cost)}, profit ${money(t.profit)}` +
    (t.pricedOrders !== t.orders ? ` over the ${count(t.pricedOrders)} orders with a cost` : '');
}

export function publicationLines(list: Publication[]): string[] {
  const width = Math.max(...list.map((p) => `${p.domain} ${p.version}`.length));
  return list.map((p) => `${`${p.domain} ${p.version}`.padEnd(width)}  ${p.products.map((x) => `${x.name} ${count(x.rows)}`).join(', ')}`);
}
