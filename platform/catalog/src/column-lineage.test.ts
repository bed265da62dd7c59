import { describe, expect, it } from 'vitest';
import { columnLineage, type KnownRelation, type RelationName } from './column-lineage';
import { parseSqlTrees } from '@mesh/adapter-duckdb';

/** The relations the test SQL reads, as compiled models name them: "<domain>"."<schema>"."<model>". */
const RELATIONS: Record<string, KnownRelation> = {
  'sales.gold.order_summary': { node: 'model.sales.order_summary', columns: ['order_id', 'customer_id', 'order_date', 'order_status', 'total_value'] },
  'sales.silver.stg_order_products': { node: 'model.sales.stg_order_products', columns: ['transaction_id', 'order_id', 'product_id', 'product_quantity'] },
  'inventory.gold.products': { node: 'model.inventory.products', columns: ['product_id', 'product_name', 'product_category', 'price_cents'] },
  'inventory.gold.stock_product': { node: 'model.inventory.stock_product', columns: ['product_id', 'calendar_month', 'calendar_year', 'quantity', 'avg_purchase_price'] },
  'finance.gold.orders_cost': { node: 'model.finance.orders_cost', columns: ['order_id', 'order_cost'] },
};

const resolve = (name: RelationName) => RELATIONS[`${name.catalog}.${name.schema}.${name.table}`];

/** Lineage as `column <- domain.model.column, ...` lines: exact and easy to read in a failing diff. */
async function lineage(sql: string): Promise<{ columns: Record<string, string[]>; warnings: string[] }> {
  const [tree] = await parseSqlTrees([sql]);
  const result = columnLineage(tree, resolve);
  const columns: Record<string, string[]> = {};
  for (const c of result.columns) {
    columns[c.name ?? '?'] = c.sources.map((s) => `${s.node.split('.').slice(1).join('.')}.${s.column}`).sort();
  }
  return { columns, warnings: result.warnings };
}

describe('column lineage from DuckDB parse trees', () => {
  it('follows table aliases through a join, cross-domain refs included', async () => {
    expect(
      await lineage(`
        select r.order_id, r.total_value as order_revenue, c.order_cost, r.total_value - c.order_cost as order_pl
        from "sales"."gold"."order_summary" as r
        join "finance"."gold"."orders_cost" as c on c.order_id = r.order_id`),
    ).toEqual({
      columns: {
        order_id: ['sales.order_summary.order_id'],
        order_revenue: ['sales.order_summary.total_value'],
        order_cost: ['finance.orders_cost.order_cost'],
        order_pl: ['finance.orders_cost.order_cost', 'sales.order_summary.total_value'],
      },
      warnings: [],
    });
  });

  it('an aggregate reads its arguments, not the GROUP BY keys or the join condition', async () => {
    expect(
      await lineage(`
        select l.order_id, cast(sum(s.avg_purchase_price * l.product_quantity) as bigint) as order_cost, count(*) as lines
        from "sales"."silver"."stg_order_products" as l
        join "inventory"."gold"."stock_product" as s on s.product_id = l.product_id
        group by l.order_id`),
    ).toEqual({
      columns: {
        order_id: ['sales.stg_order_products.order_id'],
        order_cost: ['inventory.stock_product.avg_purchase_price', 'sales.stg_order_products.product_quantity'],
        lines: [],
      },
      warnings: [],
    });
  });

  it('resolves CTEs, including one that reads another, and unqualified columns', async () => {
    expect(
      await lineage(`
        with lines as (
          select order_id, product_id, product_quantity as qty from "sales"."silver"."stg_order_products"
        ), valued as (
          select lines.order_id, qty * p.price_cents as value from lines join "inventory"."gold"."products" p using (product_id)
        )
        select order_id, sum(value) as total from valued group by order_id`),
    ).toEqual({
      columns: {
        order_id: ['sales.stg_order_products.order_id'],
        total: ['inventory.products.price_cents', 'sales.stg_order_products.product_quantity'],
      },
      warnings: [],
    });
  });

  it('expands select * over a join (USING keeps one copy of the key), t.* and exclude / replace', async () => {
    const joined = await lineage(`select * from "sales"."silver"."stg_order_products" join "inventory"."gold"."products" using (product_id)`);
    expect(Object.keys(joined.columns)).toEqual(['transaction_id', 'order_id', 'product_id', 'product_quantity', 'product_name', 'product_category', 'price_cents']);
    expect(joined.columns.product_id).toEqual(['sales.stg_order_products.product_id']);
    expect(joined.columns.price_cents).toEqual(['inventory.products.price_cents']);

    expect(
      await lineage(`
        select p.* exclude (product_category) replace (p.price_cents * 2 as price_cents), o.order_id
        from "inventory"."gold"."products" p cross join "sales"."gold"."order_summary" o`),
    ).toEqual({
      columns: {
        product_id: ['inventory.products.product_id'],
        product_name: ['inventory.products.product_name'],
        price_cents: ['inventory.products.price_cents'],
        order_id: ['sales.order_summary.order_id'],
      },
      warnings: [],
    });
  });

  it('expands * through subqueries and CTEs with renamed columns', async () => {
    expect(
      await lineage(`
        with c(o, cost) as (select * from "finance"."gold"."orders_cost")
        select * from (select o as order_id, cost from c) as sub`),
    ).toEqual({ columns: { order_id: ['finance.orders_cost.order_id'], cost: ['finance.orders_cost.order_cost'] }, warnings: [] });
  });

  it('a window function reads its argument, its partition and its order', async () => {
    expect(
      await lineage(`
        select order_id,
               sum(total_value) over (partition by customer_id order by order_date) as running_total,
               row_number() over (order by order_date) as n
        from "sales"."gold"."order_summary"`),
    ).toEqual({
      columns: {
        order_id: ['sales.order_summary.order_id'],
        running_total: ['sales.order_summary.customer_id', 'sales.order_summary.order_date', 'sales.order_summary.total_value'],
        n: ['sales.order_summary.order_date'],
      },
      warnings: [],
    });
  });

  it('CASE, scalar subqueries, UNION and earlier select aliases', async () => {
    expect(
      await lineage(`
        select o.order_id,
               case when o.order_status = 'paid' then o.total_value else 0 end as paid_value,
               (select max(p.price_cents) from "inventory"."gold"."products" p) as top_price,
               paid_value * 2 as doubled
        from "sales"."gold"."order_summary" o
        union all
        select order_id, order_cost, null, null from "finance"."gold"."orders_cost"`),
    ).toEqual({
      columns: {
        order_id: ['finance.orders_cost.order_id', 'sales.order_summary.order_id'],
        paid_value: ['finance.orders_cost.order_cost', 'sales.order_summary.order_status', 'sales.order_summary.total_value'],
        top_price: ['inventory.products.price_cents'],
        doubled: ['sales.order_summary.order_status', 'sales.order_summary.total_value'],
      },
      warnings: [],
    });
  });

  it('names what it cannot follow instead of guessing', async () => {
    const unknown = await lineage(`select a.x, o.order_id from "other"."main"."thing" a join "sales"."gold"."order_summary" o on true`);
    expect(unknown.columns).toEqual({ x: [], order_id: ['sales.order_summary.order_id'] });
    expect(unknown.warnings).toEqual(['other.main.thing is not a model or source of the mesh; its columns are not followed']);

    const file = await lineage(`select * from read_csv('orders.csv')`);
    expect(file.columns).toEqual({});
    expect(file.warnings).toEqual(['* over read_csv(...) cannot be expanded: its columns are not known to the mesh']);

    const typo = await lineage(`select order_idd from "sales"."gold"."order_summary"`);
    expect(typo.warnings).toEqual(['column order_idd was not found in the relations the query reads']);
  });

  it('reports SQL DuckDB cannot parse', async () => {
    const [tree] = await parseSqlTrees(['select from where']);
    expect(columnLineage(tree, resolve).warnings[0]).toMatch(/^the SQL could not be parsed: /);
  });
});

describe('column lineage from sources read by a table function', () => {
  it('a source defined as read_csv_auto(path) is matched by that call', async () => {
    const [tree] = await parseSqlTrees([`select cast(price_cents as bigint) as price_cents from read_csv_auto('/raw/source_catalog.csv')`]);
    const source = { node: 'source.inventory.raw.catalog', columns: ['product_id', 'price_cents'] };
    const result = columnLineage(tree, (name) => (name.table === "read_csv_auto('/raw/source_catalog.csv')" ? source : undefined));
    expect(result).toEqual({ columns: [{ name: 'price_cents', sources: [{ node: 'source.inventory.raw.catalog', column: 'price_cents' }] }], warnings: [] });
  });
});
