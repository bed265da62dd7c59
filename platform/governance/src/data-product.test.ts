import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MeshError } from '@mesh/errors';
import { loadDataProduct, parseDataProduct } from './data-product';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

const VALID = `name: teddy-sales
domain: sales
owner:
  team: Sales data team
  email: sales-data@teddy-retailers.example
description: Orders and customers.
status: active
classification: confidential
output_ports:
  - name: order_summary
    model: order_summary
    format: duckdb
  - name: order_lines
    model: stg_order_products
    version: 2
    format: parquet
    location: s3://bucket/lines/
input_ports:
  - domain: inventory
    version: ^1.0.0
    models: [products]
slos:
  completeness: {min: 0.99, columns: [order_date]}
  freshness: {max_age: 24h, column: order_date, model: order_summary}
  row_count: {min: 1}
  on_breach: warn
access:
  grants:
    - to: finance
      ports: [order_summary]
    - to: [analysts, controlling]
      pii: clear
`;

/** The error a user sees for a descriptor: message, line and details. */
function errorOf(text: string): MeshError {
  try {
    parseDataProduct('data_product.yaml', text);
  } catch (error) {
    if (error instanceof MeshError) return error;
    throw error;
  }
  throw new Error('expected the descriptor to be refused');
}

describe('data_product.yaml', () => {
  it('parses a complete descriptor, with defaults filled in', () => {
    const product = parseDataProduct('data_product.yaml', VALID);
    expect(product.name).toBe('teddy-sales');
    expect(product.output_ports[1]).toEqual({ name: 'order_lines', model: 'stg_order_products', version: '2', format: 'parquet', location: 's3://bucket/lines/' });
    expect(product.input_ports).toEqual([{ domain: 'inventory', version: '^1.0.0', models: ['products'] }]);
    expect(product.access?.grants).toEqual([
      { to: ['finance'], ports: ['order_summary'], pii: 'masked' },
      { to: ['analysts', 'controlling'], pii: 'clear' },
    ]);
    expect(product.source.file).toBe('data_product.yaml');
    expect(product.source.lineOf(['input_ports', 0, 'models'])).toBe(21);
  });

  it('input ports default to none', () => {
    const product = parseDataProduct('data_product.yaml', VALID.replace(/input_ports:\n(  .*\n)+/, ''));
    expect(product.input_ports).toEqual([]);
  });

  it('names the line of a misspelled key', () => {
    const error = errorOf(VALID.replace('    location: s3', '    locaton: s3'));
    expect(error.code).toBe('E_YAML_SCHEMA');
    expect(error.message).toBe("data product: output_ports[1]: unknown key 'locaton' (did you mean 'location'?)");
    expect(error.location).toEqual({ file: 'data_product.yaml', line: 17 });
  });

  it('names the line of a misspelled top-level key, and lists every issue', () => {
    const error = errorOf(VALID.replace('status: active', 'staus: active'));
    expect(error.message).toBe("data product: (top level): unknown key 'staus' (did you mean 'status'?)");
    expect(error.location).toEqual({ file: 'data_product.yaml', line: 7 });
    expect(error.details).toBe([
      "data_product.yaml:7: (top level): unknown key 'staus' (did you mean 'status'?)",
      'data_product.yaml:1: status: expected one of "draft", "active", "deprecated", "retired", got nothing',
    ].join('\n'));
  });

  it('refuses a version that is not semver, on its line', () => {
    const error = errorOf(VALID.replace('classification: confidential', 'classification: confidential\nversion: 1.0.x'));
    expect(error.message).toBe('data product: version: expected a semantic version such as 1.2.0');
    expect(error.location).toEqual({ file: 'data_product.yaml', line: 9 });
  });

  it('refuses an input port version that is not a range, on its line', () => {
    const error = errorOf(VALID.replace('version: ^1.0.0', "version: '>= banana'"));
    expect(error.message).toBe('data product: input_ports[0].version: expected a version range such as ^1.2.0, ~1.2 or >=1.0.0 <2.0.0');
    expect(error.location).toEqual({ file: 'data_product.yaml', line: 20 });
  });

  it('refuses a freshness that is not a duration, on its line', () => {
    const error = errorOf(VALID.replace('max_age: 24h', 'max_age: 24 hours'));
    expect(error.message).toBe('data product: slos.freshness.max_age: expected a duration: a number and a unit (ms, s, m, h, d, w), such as 90m, 24h, 2d or 1h30m');
    expect(error.location).toEqual({ file: 'data_product.yaml', line: 24 });
  });

  it('refuses an unknown status, a bad e-mail and a completeness above 1', () => {
    expect(errorOf(VALID.replace('status: active', 'status: live')).message).toBe(
      'data product: status: expected one of "draft", "active", "deprecated", "retired", got string "live"',
    );
    const email = errorOf(VALID.replace('sales-data@teddy-retailers.example', 'sales-data'));
    expect(email.message).toBe('data product: owner.email: expected an e-mail address');
    expect(email.location?.line).toBe(5);
    expect(errorOf(VALID.replace('min: 0.99', 'min: 99')).location?.line).toBe(23);
  });

  it('refuses a grant to a port the product does not have', () => {
    const error = errorOf(VALID.replace('ports: [order_summary]', 'ports: [orders]'));
    expect(error.message).toBe("data product: access.grants[0].ports[0]: 'orders' is not an output port of this product (output ports: order_summary, order_lines)");
    expect(error.location).toEqual({ file: 'data_product.yaml', line: 30 });
  });

  it('refuses an input port without an upstream and a port declared twice', () => {
    expect(errorOf(VALID.replace('  - domain: inventory\n', '  - version: ^1.0.0\n').replace('    version: ^1.0.0\n    models', '    models')).message).toBe(
      'data product: input_ports[0]: an input port names its upstream with domain: (or product:)',
    );
    const twice = errorOf(VALID.replace('name: order_lines', 'name: order_summary'));
    expect(twice.message).toBe("data product: output_ports[1].name: output port 'order_summary' is declared twice");
    expect(twice.location?.line).toBe(13);
  });

  it('loads the descriptors of the Teddy Retailers domains', () => {
    for (const domain of ['inventory', 'sales', 'finance']) {
      const product = loadDataProduct(join(REPO_ROOT, 'domains', domain));
      expect(product?.domain).toBe(domain);
      expect(product?.source.file).toBe('data_product.yaml');
    }
  });

  it('is undefined for a project without one', () => {
    expect(loadDataProduct(join(REPO_ROOT, 'platform', 'governance'))).toBeUndefined();
  });
});
