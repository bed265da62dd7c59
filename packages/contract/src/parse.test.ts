import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { MeshError } from '@mesh/errors';
import { parseContract, readContract } from './parse';
import { stringifyContract } from './stringify';

const fixture = (name: string) => fileURLToPath(new URL(`./__fixtures__/${name}`, import.meta.url));

function errorOf(run: () => unknown): MeshError {
  try {
    run();
  } catch (e) {
    if (e instanceof MeshError) return e;
    throw e;
  }
  throw new Error('expected a MeshError');
}

const HEADER = `apiVersion: v3.1.0
kind: DataContract
id: urn:mesh:inventory
name: inventory
version: 1.0.0
domain: inventory
schema:
`;
const HEADER_LINES = HEADER.split('\n').length - 1;

const entry = (name: string, extra = '') => `  - name: ${name}
    physicalName: ${name}
    physicalType: table
${extra}    properties:
      - {name: id, physicalType: INTEGER, logicalType: integer, required: true}
`;

/** A version of a model: its own table, the model, version and latest version as ODCS custom properties. */
const version = (name: string, v: number, latest?: number) => `  - name: ${name}_v${v}
    physicalName: ${name}_v${v}
    physicalType: table
    properties:
      - {name: id, physicalType: INTEGER, logicalType: integer, required: true}
    customProperties:
      - {property: model, value: ${name}}
      - {property: version, value: '${v}'}
${latest === undefined ? '' : `      - {property: latestVersion, value: '${latest}'}\n`}`;

describe('parseContract', () => {
  it('reads the fixture with defaults filled in', () => {
    const contract = readContract(fixture('inventory.odcs.yaml'));
    expect(contract.status).toBe('active');
    expect(contract.schema.map((m) => [m.name, m.version, m.latestVersion, m.logicalType])).toEqual([
      ['products', null, null, 'object'],
      ['stock_product', null, null, 'object'],
    ]);
    expect(contract.schema[0]!.properties[1]).toEqual({
      name: 'product_name', physicalType: 'VARCHAR', logicalType: 'string', required: false, unique: false, primaryKey: false,
      description: 'The name shown to customers.', classification: 'public', tags: [], quality: [], relationships: [],
    });
    expect(contract.schema[0]!.physicalName).toBe('main.products');
    expect(contract.team).toEqual({ name: 'inventory', email: 'inventory@teddy-retailers.example' });
    expect(contract.slaProperties).toEqual([{ property: 'freshness', value: 1, unit: 'd', element: 'products' }]);
  });

  it('reads model versions written as numbers as strings', () => {
    const contract = readContract(fixture('inventory-versioned.odcs.yaml'));
    expect(contract.schema.map((m) => [m.version, m.latestVersion])).toEqual([['1', '2'], ['2', '2']]);
  });

  it('names file, line and path for a field of the wrong type', () => {
    const text = `${HEADER}${entry('products')}`.replace('required: true', 'required: yes');
    const error = errorOf(() => parseContract('contracts/inventory.yaml', text));
    expect(error.code).toBe('E_YAML_SCHEMA');
    expect(error.message).toBe('data contract: schema[0].properties[0].required: expected boolean, got string "yes"');
    expect(error.location).toEqual({ file: 'contracts/inventory.yaml', line: HEADER_LINES + 5 });
  });

  it('catches misspelt keys and versions that are not semantic versions', () => {
    const typo = errorOf(() => parseContract('c.yaml', `${HEADER}${entry('products')}`.replace('physicalType: table', 'physicaltype: table')));
    expect(typo.code).toBe('E_YAML_SCHEMA');
    expect(typo.message).toBe('data contract: schema[0].physicalType: is required (expected string)');
    expect(typo.details).toContain("c.yaml:10: schema[0]: unknown key 'physicaltype'");
    const version = errorOf(() => parseContract('c.yaml', HEADER.replace('1.0.0', 'v1.0.0')));
    expect(version.message).toBe('data contract: version: expected a semantic version x.y.z');
    expect(version.location).toEqual({ file: 'c.yaml', line: 5 });
  });

  it('reports YAML syntax errors with their line', () => {
    const error = errorOf(() => parseContract('c.yaml', `${HEADER}  - name: [products\n`));
    expect(error.code).toBe('E_YAML_SYNTAX');
    expect(error.location?.file).toBe('c.yaml');
    expect(error.location?.line).toBeGreaterThan(HEADER_LINES);
  });

  it('refuses a model declared twice, at the second declaration', () => {
    const error = errorOf(() => parseContract('c.yaml', `${HEADER}${entry('products')}${entry('stock_product')}${entry('products')}`));
    expect(error.code).toBe('E_CONTRACT_INVALID');
    expect(error.message).toBe('data contract: schema[2].name: products is declared twice (also schema[0])');
    expect(error.location).toEqual({ file: 'c.yaml', line: HEADER_LINES + 11 });
    expect(error.hint).toBeTruthy();
  });

  it('refuses a column declared twice', () => {
    const text = `${HEADER}${entry('products')}      - {name: ID, physicalType: BIGINT, logicalType: integer}\n`;
    const error = errorOf(() => parseContract('c.yaml', text));
    expect(error.message).toBe('data contract: schema[0].properties[1].name: column ID of products is declared twice');
    expect(error.location).toEqual({ file: 'c.yaml', line: HEADER_LINES + 6 });
  });

  it('refuses a latestVersion that names no declared version', () => {
    const text = `${HEADER}${version('products', 1, 3)}${version('products', 2, 3)}`;
    const error = errorOf(() => parseContract('c.yaml', text));
    expect(error.code).toBe('E_CONTRACT_INVALID');
    expect(error.message).toBe('data contract: schema[0].customProperties[2].value: latestVersion 3 of products names no declared version (versions: 1, 2)');
    expect(error.location).toEqual({ file: 'c.yaml', line: HEADER_LINES + 9 });
    // Every problem is listed, so the author fixes them in one pass.
    expect(error.details?.split('\n')).toHaveLength(2);
  });

  it('refuses a version without latestVersion, and disagreeing latest versions', () => {
    const missing = errorOf(() => parseContract('c.yaml', `${HEADER}${version('products', 1)}`));
    expect(missing.message).toBe('data contract: schema[0].customProperties[1].value: products v1 has a version but no latestVersion');
    const text = `${HEADER}${version('products', 1, 1)}${version('products', 2, 2)}`;
    const disagree = errorOf(() => parseContract('c.yaml', text));
    expect(disagree.message).toBe('data contract: schema[1].customProperties[2].value: the versions of products disagree on latestVersion (1 and 2)');
  });

  it('refuses a name that is both versioned and unversioned', () => {
    const text = `${HEADER}${entry('products')}${version('products', 2, 2)}`;
    const error = errorOf(() => parseContract('c.yaml', text));
    expect(error.message).toBe('data contract: schema[1].name: products is declared both without a version and as products v2 (also schema[0])');
    expect(error.location).toEqual({ file: 'c.yaml', line: HEADER_LINES + 6 });
  });

  it('says which file it could not read', () => {
    const error = errorOf(() => readContract(fixture('missing.odcs.yaml')));
    expect(error.code).toBe('E_CONTRACT_NOT_FOUND');
    expect(error.location?.file).toBe(fixture('missing.odcs.yaml'));
  });
});

describe('stringifyContract', () => {
  it.each(['inventory.odcs.yaml', 'inventory-versioned.odcs.yaml'])('round-trips %s', (name) => {
    const contract = readContract(fixture(name));
    const text = stringifyContract(contract);
    expect(parseContract('again.yaml', text)).toEqual(contract);
    expect(stringifyContract(parseContract('again.yaml', text))).toBe(text);
  });

  it('writes keys in schema order and leaves out empty defaults', () => {
    const contract = readContract(fixture('inventory.odcs.yaml'));
    // Keys written in another order in the source come out in the schema's.
    const shuffled = { ...contract, slaProperties: contract.slaProperties, schema: contract.schema, name: contract.name, id: contract.id };
    const text = stringifyContract(shuffled);
    expect(text.split('\n').slice(0, 7)).toEqual([
      'apiVersion: v3.1.0', 'kind: DataContract', 'id: urn:mesh:inventory', 'name: inventory', 'version: 1.0.0', 'domain: inventory', 'status: active',
    ]);
    expect(text).not.toMatch(/tags: \[\]|quality: \[\]|relationships: \[\]|customProperties: \[\]|required: false|version: null/);
    expect(text).toContain('  - name: products\n    physicalName: products\n    physicalType: table\n    logicalType: object\n');
    expect(text).toContain('    customProperties:\n      - property: databaseSchema\n        value: main\n');
  });

  it('quotes strings that would otherwise read back as other types', () => {
    const contract = readContract(fixture('inventory-versioned.odcs.yaml'));
    contract.schema[0]!.properties[1]!.description = 'null';
    contract.schema[0]!.properties[2]!.description = '12';
    contract.schema[0]!.tags = ['true', '1_000', '0x1F', '0o17', '0b1', '+1.5e3', '.5', 'yes', '~', '2026-06-30'];
    expect(parseContract('again.yaml', stringifyContract(contract))).toEqual(contract);
  });

  it('is what a hand-written file says, in its own words', () => {
    const text = readFileSync(fixture('inventory.odcs.yaml'), 'utf8');
    const written = stringifyContract(parseContract('inventory.odcs.yaml', text));
    expect(written).toContain('  - property: freshness\n    value: 1\n    unit: d\n    element: products\n');
  });
});
