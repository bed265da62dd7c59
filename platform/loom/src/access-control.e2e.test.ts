import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { existingMaskingKey } from '@mesh/governance';
import { copyDomains, edit, hmacHex, meshTeddy, meshWithEnv, publishedFile, queryDb, write } from '@mesh/testing';

/**
 * Grants in a data product's descriptor decide what each consumer domain can ref at compile time and
 * what its share of the publication holds; personal columns reach it masked, in clear, or not at all.
 */

const mesh = (root: string, domain: string, ...args: string[]) => meshTeddy(join(root, domain), ...args);
const share = (root: string, producer: string, consumer: string) => publishedFile(join(root, producer), `shares/${consumer}.duckdb`);
/** What sales' keyed hash makes of a value: computed by Node's crypto from the key the build made. */
const masked = (root: string, value: string) => hmacHex(existingMaskingKey(join(root, 'sales'), 'sales')!.key, value);

/** Sales' grant to finance, rewritten per case: ports and PII treatment. */
function grantFinance(root: string, grant: string): void {
  edit(join(root, 'sales'), 'data_product.yaml', (t) => t.replace(/    - to: \[finance\]\n      ports: \[[^\]]*\]\n(      pii: \w+\n)?/, grant));
}

describe('access control between domains', () => {
  let root: string;
  beforeAll(() => {
    root = copyDomains(['inventory', 'sales', 'finance'], 'access');
    for (const domain of ['inventory', 'sales']) {
      const r = mesh(root, domain, 'build');
      if (r.code !== 0) throw new Error(`${domain} failed:\n${r.output}`);
    }
  });

  it('refuses at compile time a ref to a port not granted to the consumer, naming who may read it and who to ask', () => {
    write(join(root, 'finance'), 'models/gold/customer_values.sql', "select customer_id, customer_tlv from {{ ref('sales', 'customer_summary') }}");
    const r = mesh(root, 'finance', 'compile');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      "error[E_REF_NOT_GRANTED] models/gold/customer_values.sql:1: (model.finance.customer_values) Node model.finance.customer_values attempted to reference node model.sales.customer_summary, which is not allowed because 'sales' does not grant its output port 'customer_summary' to 'finance' (granted to: 'analysts').",
    );
    expect(r.stderr).toContain(
      "hint: Ask Sales data team (sales-data@teddy-retailers.example) to add 'finance' to a grant of 'customer_summary' under access.grants in the data_product.yaml of 'sales', or use a port granted to 'finance': 'order_summary', 'order_lines'.",
    );
  });

  it('refuses a ref to another domain\'s port granted to somebody else, before any SQL runs', () => {
    write(join(root, 'finance'), 'models/gold/customer_values.sql', "select product_id from {{ ref('inventory', 'products') }}");
    const r = mesh(root, 'finance', 'build');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("which is not allowed because 'inventory' does not grant its output port 'products' to 'finance' (granted to: 'sales').");
    expect(r.stdout).not.toContain('START');
  });

  it('holds nothing ungranted in the consumer\'s share, so hand-written SQL cannot reach it either', async () => {
    write(join(root, 'finance'), 'models/gold/customer_values.sql', 'select customer_id from sales.gold.customer_summary');
    const r = mesh(root, 'finance', 'build', '-s', 'customer_values');
    expect(r.code, r.output).toBe(1);
    expect(r.stdout).toMatch(/Catalog Error: Table with name customer_summary does not exist/);
    const tables = await queryDb(share(root, 'sales', 'finance'), "select table_name as t from information_schema.tables order by 1");
    expect(tables).toEqual([{ t: 'order_summary' }, { t: 'stg_order_products' }]);
  });

  it('pii: refused leaves personal columns out, and reading one names the column and the grant', async () => {
    grantFinance(root, '    - to: [finance]\n      ports: [order_summary, order_lines, customer_summary]\n      pii: refused\n');
    expect(mesh(root, 'sales', 'build').code).toBe(0);
    const columns = await queryDb(share(root, 'sales', 'finance'), "select column_name as c from information_schema.columns where table_name = 'customer_summary' order by ordinal_position");
    // Names are personal data too, by the default policy's column names, tagged or not.
    expect(columns.map((c) => c.c)).toEqual(['customer_id', 'customer_tlv']);

    write(join(root, 'finance'), 'models/gold/customer_values.sql', "select customer_id, customer_email from {{ ref('sales', 'customer_summary') }}");
    const r = mesh(root, 'finance', 'build', '-s', 'customer_values');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("model.finance.customer_values reads column 'customer_email' of model.sales.customer_summary, which is personal data withheld from this project");
    expect(r.stdout).toContain("'sales' grants 'customer_summary' to 'finance' with pii: refused, which leaves out its personal data (customer_name, customer_surname, customer_email). Ask Sales data team (sales-data@teddy-retailers.example) for a grant with pii: masked or clear, or do without the column.");

    write(join(root, 'finance'), 'models/gold/customer_values.sql', "select customer_id, customer_tlv from {{ ref('sales', 'customer_summary') }}");
    const ok = mesh(root, 'finance', 'build', '-s', 'customer_values');
    expect(ok.code, ok.output).toBe(0);
  });

  it('pii: masked hashes personal columns and pii: clear hands them over as they are', async () => {
    grantFinance(root, '    - to: [finance]\n      ports: [order_summary, order_lines, customer_summary]\n      pii: masked\n');
    expect(mesh(root, 'sales', 'build').code).toBe(0);
    expect(await queryDb(share(root, 'sales', 'finance'), `select customer_email = '${masked(root, 'ada@example.com')}' as hashed from gold.customer_summary where customer_id = 1`)).toEqual([{ hashed: true }]);

    grantFinance(root, '    - to: [finance]\n      ports: [order_summary, order_lines, customer_summary]\n      pii: clear\n');
    expect(mesh(root, 'sales', 'build').code).toBe(0);
    expect(await queryDb(share(root, 'sales', 'finance'), 'select customer_email from gold.customer_summary where customer_id = 1')).toEqual([{ customer_email: 'ada@example.com' }]);
    // Analysts' grant did not change: still hashed for them.
    expect(await queryDb(share(root, 'sales', 'analysts'), `select customer_email = '${masked(root, 'ada@example.com')}' as hashed from gold.customer_summary where customer_id = 1`)).toEqual([{ hashed: true }]);
  });

  it('revoking a grant removes the consumer\'s share and refuses its refs at the next compile', () => {
    edit(join(root, 'inventory'), 'data_product.yaml', (t) => t.replace(/    - to: \[finance\]\n      ports: \[stock_product\]\n/, ''));
    expect(mesh(root, 'inventory', 'build').code).toBe(0);
    expect(existsSync(share(root, 'inventory', 'finance'))).toBe(false);
    expect(existsSync(share(root, 'inventory', 'sales'))).toBe(true);
    const r = mesh(root, 'finance', 'compile');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("which is not allowed because 'inventory' does not grant its output port 'stock_product' to 'finance' (granted to: nobody).");
  });
});
