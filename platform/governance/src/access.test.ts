import { describe, expect, it } from 'vitest';
import { formatError } from '@mesh/errors';
import { grantees, granteesOf, grantsFor, portServes, restrictsAccess } from './access';
import { parseDataProduct } from './data-product';

const product = (grants: string) =>
  parseDataProduct('data_product.yaml', `name: teddy-sales
domain: sales
owner: {team: Sales, email: sales@example.com}
description: Orders.
status: active
classification: confidential
output_ports:
  - {name: orders, model: order_summary, format: duckdb}
  - {name: customers, model: customer_summary, format: duckdb}
  - {name: lines_v1, model: order_lines, version: 1, format: duckdb}
${grants}`);

const summary = (grants: ReturnType<typeof grantsFor>) => grants.map((g) => `${g.port.name}:${g.pii}`).sort();

describe('grants', () => {
  it('without an access block nothing is restricted', () => {
    expect(restrictsAccess(product(''))).toBe(false);
    expect(restrictsAccess(product('access: {grants: []}'))).toBe(true);
  });

  it('a grant without ports covers every port, PII masked by default', () => {
    expect(summary(grantsFor(product('access:\n  grants:\n    - to: finance'), 'finance'))).toEqual(['customers:masked', 'lines_v1:masked', 'orders:masked']);
  });

  it('grants add up: the union of ports, and the most open PII treatment of a port granted twice', () => {
    const p = product(`access:
  grants:
    - {to: [finance], ports: [orders, customers], pii: refused}
    - {to: ['*'], ports: [customers], pii: masked}
    - {to: [analysts], ports: [customers], pii: clear}`);
    expect(summary(grantsFor(p, 'finance'))).toEqual(['customers:masked', 'orders:refused']);
    expect(summary(grantsFor(p, 'analysts'))).toEqual(['customers:clear']);
    expect(summary(grantsFor(p, 'marketing'))).toEqual(['customers:masked']);
    expect(grantees(p)).toEqual(['*', 'analysts', 'finance']);
    expect(granteesOf(p, 'orders')).toEqual(['finance']);
    expect(granteesOf(p, 'customers')).toEqual(['*', 'analysts', 'finance']);
  });

  it('a port with a version serves that version only', () => {
    const port = product('').output_ports[2]!;
    expect(portServes(port, { name: 'order_lines', version: '1' })).toBe(true);
    expect(portServes(port, { name: 'order_lines', version: '2' })).toBe(false);
    expect(portServes(product('').output_ports[0]!, { name: 'order_summary', version: '3' })).toBe(true);
  });

  it('names a grantee that cannot be a domain or role, with its line', () => {
    let error: unknown;
    try {
      product("access:\n  grants:\n    - to: ['Finance Team']");
    } catch (e) {
      error = e;
    }
    expect(formatError(error)).toContain(
      "error[E_YAML_SCHEMA] data_product.yaml:13: data product: access.grants[0].to[0]: expected a domain or role name in lower case (letters, digits, - and _), or '*' for everyone",
    );
  });
});
