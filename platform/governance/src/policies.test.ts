import { describe, expect, it } from 'vitest';
import type { UpstreamProject } from '@mesh/engine';
import { checkPolicies } from './check-policies';
import { parsePolicyConfig, type PolicyName } from './policy-config';
import { asUpstream, compileFiles } from './test-support';

/** A small shop domain that passes every policy; each test breaks one thing. */
const GOLD_YML = `version: 2
models:
  - name: orders
    description: One row per order.
    config:
      access: public
      contract: {enforced: true}
    columns:
      - name: order_id
        data_type: integer
      - name: email
        data_type: varchar
        tags: [pii]
        meta: {masking: hash}
`;

const DESCRIPTOR = `name: shop
domain: shop
owner: {team: Shop team, email: shop@example.com}
description: The shop's orders.
status: active
classification: internal
output_ports:
  - name: orders
    model: orders
    format: duckdb
`;

const BASE: Record<string, string> = {
  'models/gold/orders.sql': "select 1 as order_id, 'a@example.com' as email\n",
  'models/gold/_gold.yml': GOLD_YML,
  'data_product.yaml': DESCRIPTOR,
};

/** The global policy file with one policy on, so each test sees only that policy's findings. */
const only = (name: PolicyName, params = '') =>
  parsePolicyConfig('governance/policies.yml', `policies:\n  ${name}:\n    severity: error\n${params}`);

async function check(policy: PolicyName, files: Record<string, string | undefined>, options: { upstreams?: UpstreamProject[]; params?: string } = {}) {
  const merged = Object.fromEntries(Object.entries({ ...BASE, ...files }).filter((e): e is [string, string] => e[1] !== undefined));
  const { project, repoRoot } = await compileFiles(merged, { upstreams: options.upstreams });
  return checkPolicies(project, { repoRoot, policies: only(policy, options.params) });
}

describe('the shop fixture', () => {
  it('passes every policy', async () => {
    const { project, repoRoot } = await compileFiles(BASE);
    const all = parsePolicyConfig('governance/policies.yml', `policies:\n${['descriptor-present', 'public-model-description', 'public-model-owner', 'public-model-contract', 'pii-not-exposed', 'layer-naming', 'input-port-declared', 'output-port-public'].map((p) => `  ${p}: error`).join('\n')}\n`);
    expect(checkPolicies(project, { repoRoot, policies: all })).toEqual([]);
  });
});

describe('public-model-description', () => {
  it('passes a described public model, and ignores undescribed protected ones', async () => {
    expect(await check('public-model-description', { 'models/gold/helper.sql': 'select 1 as x\n' })).toEqual([]);
  });

  it('reports a public model without a description on its entry', async () => {
    expect(await check('public-model-description', { 'models/gold/_gold.yml': GOLD_YML.replace('    description: One row per order.\n', '') })).toEqual([{
      policy: 'public-model-description',
      severity: 'error',
      message: "public model 'orders' has no description",
      file: 'domains/shop/models/gold/_gold.yml',
      line: 3,
      node: 'model.shop.orders',
      hint: 'Add a description: to its entry in domains/shop/models/gold/_gold.yml; other domains read it in the published manifest.',
    }]);
  });

  it('points at an empty description, and at the SQL file of a model no YAML describes', async () => {
    const empty = await check('public-model-description', { 'models/gold/_gold.yml': GOLD_YML.replace('One row per order.', "''") });
    expect(empty.map((f) => `${f.file}:${f.line}`)).toEqual(['domains/shop/models/gold/_gold.yml:4']);
    const bare = await check('public-model-description', { 'models/gold/extra.sql': "{{ config(access='public') }}\nselect 1 as x\n" });
    expect(bare).toMatchObject([{ file: 'domains/shop/models/gold/extra.sql', line: 1, message: "public model 'extra' has no description" }]);
    expect(bare[0]!.hint).toBe('Add a description: to a properties file under models/ (- name: extra); other domains read it in the published manifest.');
  });
});

describe('public-model-owner', () => {
  it("passes with the product's owner", async () => {
    expect(await check('public-model-owner', {})).toEqual([]);
  });

  it("passes with the model group's owner and no descriptor", async () => {
    const groups = 'version: 2\ngroups:\n  - name: orders_team\n    owner: {name: Orders team, email: orders@example.com}\n';
    const files = { 'data_product.yaml': undefined, 'models/_groups.yml': groups, 'models/gold/_gold.yml': GOLD_YML.replace('      access: public', '      access: public\n      group: orders_team') };
    expect(await check('public-model-owner', files)).toEqual([]);
  });

  it('reports a public model with neither', async () => {
    expect(await check('public-model-owner', { 'data_product.yaml': undefined })).toEqual([{
      policy: 'public-model-owner',
      severity: 'error',
      message: "public model 'orders' has no owner",
      file: 'domains/shop/models/gold/_gold.yml',
      line: 3,
      node: 'model.shop.orders',
      hint: 'Declare owner: {team, email} in domains/shop/data_product.yaml, or put the model in a group with an owner (groups: in a properties file).',
    }]);
  });
});

describe('public-model-contract', () => {
  it('reports a contract that is not enforced on its line', async () => {
    expect(await check('public-model-contract', { 'models/gold/_gold.yml': GOLD_YML.replace('{enforced: true}', '{enforced: false}') })).toEqual([{
      policy: 'public-model-contract',
      severity: 'error',
      message: "public model 'orders' has no enforced contract",
      file: 'domains/shop/models/gold/_gold.yml',
      line: 7,
      node: 'model.shop.orders',
      hint: 'Set config: {contract: {enforced: true}} in its entry in domains/shop/models/gold/_gold.yml and give every column a data_type, so consumers get the columns and types they were promised.',
    }]);
  });

  it('reports a public model without any contract on its entry', async () => {
    const findings = await check('public-model-contract', { 'models/gold/_gold.yml': GOLD_YML.replace('      contract: {enforced: true}\n', '') });
    expect(findings.map((f) => `${f.file}:${f.line} ${f.message}`)).toEqual(["domains/shop/models/gold/_gold.yml:3 public model 'orders' has no enforced contract"]);
  });

  it('passes an enforced contract', async () => {
    expect(await check('public-model-contract', {})).toEqual([]);
  });
});

describe('pii-not-exposed', () => {
  const unmasked = GOLD_YML.replace('        meta: {masking: hash}\n', '');

  it('reports a pii column of a public model without masking, on the column', async () => {
    expect(await check('pii-not-exposed', { 'models/gold/_gold.yml': unmasked })).toEqual([{
      policy: 'pii-not-exposed',
      severity: 'error',
      message: "column 'email' of public model 'orders' is personal data (tagged pii) and is not masked",
      file: 'domains/shop/models/gold/_gold.yml',
      line: 11,
      node: 'model.shop.orders',
      hint: 'Declare how it is masked for other domains with meta: {masking: hash} (one of hash, redact, null) on the column, or leave the column out of the public model.',
    }]);
  });

  it('reads meta.classification as well as tags', async () => {
    const classified = unmasked.replace('        tags: [pii]\n', '        meta: {classification: pii}\n');
    expect((await check('pii-not-exposed', { 'models/gold/_gold.yml': classified })).map((f) => f.message)).toEqual([
      "column 'email' of public model 'orders' is personal data (classified pii) and is not masked",
    ]);
  });

  it('reports an unknown masking', async () => {
    const findings = await check('pii-not-exposed', { 'models/gold/_gold.yml': GOLD_YML.replace('masking: hash', 'masking: encrypt') });
    expect(findings.map((f) => `${f.line} ${f.message}`)).toEqual(["11 column 'email' of public model 'orders' declares masking 'encrypt', which is not one of hash, redact, null"]);
  });

  it('passes masked columns (YAML null included) and pii kept in non-public models', async () => {
    expect(await check('pii-not-exposed', {})).toEqual([]);
    expect(await check('pii-not-exposed', { 'models/gold/_gold.yml': GOLD_YML.replace('masking: hash', 'masking: null') })).toEqual([]);
    expect(await check('pii-not-exposed', { 'models/gold/_gold.yml': unmasked.replace('access: public', 'access: protected') })).toEqual([]);
  });

  it('takes its tags from the policy file', async () => {
    const findings = await check('pii-not-exposed', { 'models/gold/_gold.yml': unmasked.replace('tags: [pii]', 'tags: [personal]') }, { params: '    tags: [personal]\n' });
    expect(findings.map((f) => f.message)).toEqual(["column 'email' of public model 'orders' is personal data (tagged personal) and is not masked"]);
  });
});

describe('layer-naming', () => {
  it('reports models whose names do not match their layer', async () => {
    const findings = await check('layer-naming', {
      'models/bronze/orders_raw.sql': 'select 1 as x\n',
      'models/silver/clean_orders.sql': 'select 1 as x\n',
      'models/silver/stg_orders.sql': 'select 1 as x\n',
      'models/silver/int_orders_joined.sql': 'select 1 as x\n',
      'models/bronze/raw_orders.sql': 'select 1 as x\n',
    });
    expect(findings).toEqual([
      {
        policy: 'layer-naming',
        severity: 'error',
        message: "model 'orders_raw' in models/bronze does not start with raw_",
        file: 'domains/shop/models/bronze/orders_raw.sql',
        line: 1,
        node: 'model.shop.orders_raw',
        hint: 'Rename it so it does (the SQL file, its properties entry and the refs to it), or move it to the layer it belongs to.',
      },
      expect.objectContaining({ message: "model 'clean_orders' in models/silver does not start with stg_ or int_", file: 'domains/shop/models/silver/clean_orders.sql', line: 1 }),
    ]);
  });

  it('leaves gold names free by default and follows the layers of the policy file', async () => {
    expect(await check('layer-naming', {})).toEqual([]);
    const params = '    layers:\n      gold: {pattern: "^(fct|dim)_"}\n';
    expect((await check('layer-naming', {}, { params })).map((f) => f.message)).toEqual(["model 'orders' in models/gold does not match /^(fct|dim)_/"]);
  });
});

describe('ports', () => {
  const inventory = async () => {
    const { project } = await compileFiles({
      'mesh_project.yml': 'name: inventory\n',
      'models/gold/products.sql': 'select 1 as product_id\n',
      'models/gold/stock.sql': 'select 1 as product_id\n',
      'models/gold/_gold.yml': 'version: 2\nmodels:\n  - name: products\n    access: public\n  - name: stock\n    access: public\n',
    });
    return asUpstream(project, '1.4.0');
  };
  const consumer = "-- lines of orders with the product\nselect o.order_id, p.product_id\nfrom {{ ref('orders') }} as o\ncross join {{ ref('inventory', 'products') }} as p\n";
  const withPort = (models: string) => `${DESCRIPTOR}input_ports:\n  - domain: inventory\n    version: ^1.0.0\n    models: [${models}]\n`;

  it('input-port-declared: reports a ref to an undeclared upstream on the line of the ref', async () => {
    const findings = await check('input-port-declared', { 'models/gold/order_products.sql': consumer }, { upstreams: [await inventory()] });
    expect(findings).toEqual([{
      policy: 'input-port-declared',
      severity: 'error',
      message: "ref('inventory', 'products') reads from domain 'inventory', which is not an input port of this product",
      file: 'domains/shop/models/gold/order_products.sql',
      line: 4,
      node: 'model.shop.order_products',
      hint: "Declare it in domains/shop/data_product.yaml: input_ports: [{domain: inventory, version: '^1.4.0', models: [products]}].",
    }]);
  });

  it('input-port-declared: reports a model the port does not list, in models, singular tests and relationships tests', async () => {
    const files = {
      'data_product.yaml': withPort('stock'),
      'models/gold/order_products.sql': consumer,
      'tests/every_product_priced.sql': "select 1\nfrom {{ ref('inventory', 'products') }}\nwhere false\n",
      'models/gold/_order_products.yml': "version: 2\nmodels:\n  - name: order_products\n    columns:\n      - name: product_id\n        data_tests:\n          - relationships:\n              to: ref('inventory', 'products')\n              field: product_id\n",
    };
    const findings = await check('input-port-declared', files, { upstreams: [await inventory()] });
    expect(findings.map((f) => `${f.file}:${f.line} ${f.message}`)).toEqual([
      "domains/shop/models/gold/_order_products.yml:8 ref('inventory', 'products') reads model 'products', which the 'inventory' input port does not list",
      "domains/shop/models/gold/order_products.sql:4 ref('inventory', 'products') reads model 'products', which the 'inventory' input port does not list",
      "domains/shop/tests/every_product_priced.sql:2 ref('inventory', 'products') reads model 'products', which the 'inventory' input port does not list",
    ]);
    expect(findings[0]!.hint).toBe("Add products to models: of the 'inventory' input port in domains/shop/data_product.yaml (line 14).");
  });

  it('input-port-declared: passes declared refs, by domain or by a product named after it', async () => {
    const upstreams = [await inventory()];
    expect(await check('input-port-declared', { 'data_product.yaml': withPort('products'), 'models/gold/order_products.sql': consumer }, { upstreams })).toEqual([]);
    const byProduct = withPort('products').replace('domain: inventory', 'product: inventory');
    expect(await check('input-port-declared', { 'data_product.yaml': byProduct, 'models/gold/order_products.sql': consumer }, { upstreams })).toEqual([]);
  });

  it('output-port-public: reports a port serving a model that does not exist', async () => {
    const findings = await check('output-port-public', { 'data_product.yaml': DESCRIPTOR.replace('model: orders', 'model: order') });
    expect(findings).toEqual([{
      policy: 'output-port-public',
      severity: 'error',
      message: "output port 'orders' serves model 'order', which does not exist in this project",
      file: 'domains/shop/data_product.yaml',
      line: 9,
      hint: 'Name an existing public model. Public models are: orders.',
    }]);
  });

  it('output-port-public: reports a port serving a model that is not public', async () => {
    const files = { 'models/gold/helper.sql': 'select 1 as x\n', 'data_product.yaml': `${DESCRIPTOR}  - name: helper\n    model: helper\n    format: csv\n` };
    const findings = await check('output-port-public', files);
    expect(findings).toEqual([{
      policy: 'output-port-public',
      severity: 'error',
      message: "output port 'helper' serves model 'helper', which is protected; only public models can be served",
      file: 'domains/shop/data_product.yaml',
      line: 12,
      node: 'model.shop.helper',
      hint: "Make 'helper' public (config: {access: public, contract: {enforced: true}}), or serve a public model. Public models are: orders.",
    }]);
  });

  it('output-port-public: reports a version the model does not have', async () => {
    const findings = await check('output-port-public', { 'data_product.yaml': DESCRIPTOR.replace('    format: duckdb', '    version: 2\n    format: duckdb') });
    expect(findings.map((f) => `${f.line} ${f.message} | ${f.hint}`)).toEqual(["10 output port 'orders' serves version 2 of 'orders', which has no such version | 'orders' is not versioned; drop version:."]);
  });

  it('output-port-public: passes a public model', async () => {
    expect(await check('output-port-public', {})).toEqual([]);
  });
});

describe('descriptor-present', () => {
  it('reports a domain without data_product.yaml on its project name', async () => {
    expect(await check('descriptor-present', { 'data_product.yaml': undefined, 'mesh_project.yml': '# the shop\nname: shop\n' })).toEqual([{
      policy: 'descriptor-present',
      severity: 'error',
      message: "domain 'shop' has no data product descriptor",
      file: 'domains/shop/mesh_project.yml',
      line: 2,
      hint: 'Create domains/shop/data_product.yaml with name, domain, owner, description, status, classification and output_ports (see platform/governance/README.md).',
    }]);
  });

  it('reports a descriptor written for another domain', async () => {
    const findings = await check('descriptor-present', { 'data_product.yaml': DESCRIPTOR.replace('domain: shop', 'domain: sales') });
    expect(findings.map((f) => `${f.file}:${f.line} ${f.message}`)).toEqual([
      "domains/shop/data_product.yaml:2 the data product is declared for domain 'sales', but this project is 'shop'",
    ]);
  });

  it('passes a present descriptor', async () => {
    expect(await check('descriptor-present', {})).toEqual([]);
  });
});
