import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatChanges, requiredBump, type ContractChange } from './changes';
import { diffContracts } from './diff';
import { readContract } from './parse';
import type { Contract, ContractModel, ContractProperty } from './schema';

const base = readContract(fileURLToPath(new URL('./__fixtures__/inventory.odcs.yaml', import.meta.url)));

function variant(edit: (c: Contract) => void, from: Contract = base): Contract {
  const copy = structuredClone(from);
  edit(copy);
  return copy;
}

function model(c: Contract, name: string, version: string | null = null): ContractModel {
  const found = c.schema.find((m) => m.name === name && m.version === version);
  if (!found) throw new Error(`no ${name} ${version} in the fixture`);
  return found;
}

function column(c: Contract, name: string, col: string): ContractProperty {
  const found = model(c, name).properties.find((p) => p.name === col);
  if (!found) throw new Error(`no ${name}.${col} in the fixture`);
  return found;
}

const diff = (after: Contract, before: Contract = base) => diffContracts(before, after);

/** `products` split into v1 (as it was) and v2 (without product_category). */
function versioned(latest: '1' | '2'): Contract {
  return variant((c) => {
    const products = model(c, 'products');
    const v1 = { ...structuredClone(products), version: '1', latestVersion: latest, physicalName: 'main.products_v1' };
    const v2 = { ...structuredClone(products), version: '2', latestVersion: latest, physicalName: 'main.products_v2' };
    v2.properties = v2.properties.filter((p) => p.name !== 'product_category');
    c.schema.splice(c.schema.indexOf(products), 1, v1, v2);
  });
}

describe('diffContracts', () => {
  it('finds nothing between a contract and itself', () => {
    expect(diff(structuredClone(base))).toEqual([]);
  });

  it('column_removed is breaking', () => {
    const after = variant((c) => {
      model(c, 'products').properties = model(c, 'products').properties.filter((p) => p.name !== 'product_category');
    });
    expect(diff(after)).toEqual([
      { kind: 'column_removed', breaking: true, model: 'products', version: null, column: 'product_category', message: 'column product_category of products was removed' },
    ]);
  });

  it('column_added is not breaking', () => {
    const after = variant((c) => {
      model(c, 'products').properties.push({ name: 'launched_on', physicalType: 'DATE', logicalType: 'date', required: false, unique: false, primaryKey: false, tags: [], quality: [], relationships: [] });
    });
    expect(diff(after)).toEqual([
      { kind: 'column_added', breaking: false, model: 'products', version: null, column: 'launched_on', message: 'column launched_on of products was added' },
    ]);
  });

  it('type_changed compares normalised DuckDB types', () => {
    const after = variant((c) => {
      column(c, 'products', 'price_cents').physicalType = 'DOUBLE';
    });
    expect(diff(after)).toEqual([
      { kind: 'type_changed', breaking: true, model: 'products', version: null, column: 'price_cents', before: 'BIGINT', after: 'DOUBLE', message: 'type of products.price_cents changed from BIGINT to DOUBLE' },
    ]);
    const respelled = variant((c) => {
      column(c, 'products', 'price_cents').physicalType = 'int8';
      column(c, 'products', 'product_name').physicalType = 'text';
    });
    expect(diff(respelled)).toEqual([]);
  });

  it('type_changed falls back to logical types when a side has no DuckDB type', () => {
    const after = variant((c) => {
      const p = column(c, 'products', 'product_id');
      delete p.physicalType;
      p.logicalType = 'string';
    });
    expect(diff(after)).toEqual([
      { kind: 'type_changed', breaking: true, model: 'products', version: null, column: 'product_id', before: 'integer', after: 'string', message: 'type of products.product_id changed from integer to string' },
    ]);
  });

  it('required_loosened is breaking, required_tightened is not', () => {
    const loosened = variant((c) => {
      column(c, 'products', 'price_cents').required = false;
    });
    expect(diff(loosened)).toEqual([
      { kind: 'required_loosened', breaking: true, model: 'products', version: null, column: 'price_cents', message: 'products.price_cents is no longer required (may be null)' },
    ]);
    expect(diff(base, loosened)).toEqual([
      { kind: 'required_tightened', breaking: false, model: 'products', version: null, column: 'price_cents', message: 'products.price_cents is now required (never null)' },
    ]);
  });

  it('unique_loosened is breaking, unique_tightened is not', () => {
    const loosened = variant((c) => {
      column(c, 'products', 'product_id').unique = false;
    });
    expect(diff(loosened)).toEqual([
      { kind: 'unique_loosened', breaking: true, model: 'products', version: null, column: 'product_id', message: 'products.product_id is no longer unique' },
    ]);
    expect(diff(base, loosened)).toEqual([
      { kind: 'unique_tightened', breaking: false, model: 'products', version: null, column: 'product_id', message: 'products.product_id is now unique' },
    ]);
  });

  it('primary_key_removed is breaking, primary_key_added is not', () => {
    const removed = variant((c) => {
      column(c, 'products', 'product_id').primaryKey = false;
    });
    expect(diff(removed)).toEqual([
      { kind: 'primary_key_removed', breaking: true, model: 'products', version: null, column: 'product_id', message: 'products.product_id is no longer part of the primary key' },
    ]);
    expect(diff(base, removed)).toEqual([
      { kind: 'primary_key_added', breaking: false, model: 'products', version: null, column: 'product_id', message: 'products.product_id is now part of the primary key' },
    ]);
  });

  it('constraint_removed on a column is breaking, constraint_added is not', () => {
    const removed = variant((c) => {
      column(c, 'products', 'product_category').quality = [];
    });
    const rule = '{"arguments":{"validValues":["plush","puppet","figurine"]},"metric":"invalidValues","mustBe":0,"type":"library"}';
    expect(diff(removed)).toEqual([
      { kind: 'constraint_removed', breaking: true, model: 'products', version: null, column: 'product_category', before: rule, message: 'constraint invalidValues on products.product_category was removed' },
    ]);
    expect(diff(base, removed)).toEqual([
      { kind: 'constraint_added', breaking: false, model: 'products', version: null, column: 'product_category', after: rule, message: 'constraint invalidValues on products.product_category was added' },
    ]);
  });

  it('constraint_removed on a model is breaking', () => {
    const withRowCount = variant((c) => {
      model(c, 'stock_product').quality = [{ type: 'library', metric: 'rowCount', mustBeGreaterThan: 0 }];
    });
    expect(diff(base, withRowCount)).toEqual([
      {
        kind: 'constraint_removed', breaking: true, model: 'stock_product', version: null,
        before: '{"metric":"rowCount","mustBeGreaterThan":0,"type":"library"}',
        message: 'constraint rowCount on stock_product was removed',
      },
    ]);
  });

  it("a column's foreign key is a constraint: dropping it is breaking", () => {
    const dropped = variant((c) => {
      column(c, 'stock_product', 'product_id').relationships = [];
    });
    expect(diff(dropped)).toEqual([
      {
        kind: 'constraint_removed', breaking: true, model: 'stock_product', version: null, column: 'product_id',
        before: '{"foreignKey":"products.product_id"}',
        message: 'constraint foreign key to products.product_id on stock_product.product_id was removed',
      },
    ]);
  });

  it('an SQL rule is named by its description, a dbt test by its name', () => {
    const added = variant((c) => {
      column(c, 'products', 'price_cents').quality = [
        { type: 'sql', query: 'SELECT COUNT(*) FROM {model} WHERE NOT (price_cents > 0)', mustBe: 0, description: 'check: price_cents > 0' },
        { type: 'custom', engine: 'dbt', implementation: { test: 'dbt_expectations.expect_column_values_to_be_increasing' } },
      ];
    });
    expect(diff(added).map((ch) => ch.message).sort()).toEqual([
      'constraint dbt dbt_expectations.expect_column_values_to_be_increasing on products.price_cents was added',
      'constraint sql check: price_cents > 0 on products.price_cents was added',
    ]);
  });

  it('a rule whose description or severity changed is the same rule; one whose values changed is not', () => {
    const reworded = variant((c) => {
      const rule = column(c, 'products', 'product_category').quality[0]!;
      rule.severity = 'error';
      rule.description = 'Known categories only.';
      rule.name = 'known_categories';
    });
    expect(diff(reworded)).toEqual([]);
    const widened = variant((c) => {
      const rule = column(c, 'products', 'product_category').quality[0]!;
      if (rule.type === 'library') rule.arguments = { validValues: ['plush', 'puppet', 'figurine', 'board game'] };
    });
    expect(diff(widened).map((ch) => [ch.kind, ch.breaking])).toEqual([
      ['constraint_removed', true],
      ['constraint_added', false],
    ]);
  });

  it('classification_changed is not breaking', () => {
    const after = variant((c) => {
      column(c, 'products', 'product_name').classification = 'internal';
      column(c, 'products', 'price_cents').classification = 'confidential';
    });
    expect(diff(after)).toEqual([
      { kind: 'classification_changed', breaking: false, model: 'products', version: null, column: 'price_cents', before: '(none)', after: 'confidential', message: 'classification of products.price_cents changed from (none) to confidential' },
      { kind: 'classification_changed', breaking: false, model: 'products', version: null, column: 'product_name', before: 'public', after: 'internal', message: 'classification of products.product_name changed from public to internal' },
    ]);
  });

  it('description_changed for models and columns is not breaking', () => {
    const after = variant((c) => {
      model(c, 'stock_product').description = 'Monthly stock purchases.';
      delete column(c, 'stock_product', 'quantity').description;
    });
    expect(diff(after)).toEqual([
      {
        kind: 'description_changed', breaking: false, model: 'stock_product', version: null,
        before: 'Stock bought per product and calendar month, with the average purchase price.', after: 'Monthly stock purchases.',
        message: 'description of stock_product changed',
      },
      { kind: 'description_changed', breaking: false, model: 'stock_product', version: null, column: 'quantity', before: 'Units bought in the month.', message: 'description of stock_product.quantity changed' },
    ]);
  });

  it('deprecation_set when a deprecation date appears or moves; deprecation_removed when it goes', () => {
    const deprecated = variant((c) => {
      model(c, 'stock_product').deprecationDate = '2026-12-31';
    });
    expect(diff(deprecated)).toEqual([
      { kind: 'deprecation_set', breaking: false, model: 'stock_product', version: null, after: '2026-12-31', message: 'stock_product is deprecated from 2026-12-31' },
    ]);
    const moved = variant((c) => {
      model(c, 'stock_product').deprecationDate = '2027-03-31';
    });
    expect(diff(moved, deprecated)).toEqual([
      { kind: 'deprecation_set', breaking: false, model: 'stock_product', version: null, before: '2026-12-31', after: '2027-03-31', message: 'deprecation date of stock_product changed from 2026-12-31 to 2027-03-31' },
    ]);
    expect(diff(base, deprecated)).toEqual([
      { kind: 'deprecation_removed', breaking: false, model: 'stock_product', version: null, before: '2026-12-31', message: 'stock_product is no longer deprecated' },
    ]);
  });

  it('model_removed is breaking, model_added is not', () => {
    const removed = variant((c) => {
      c.schema = c.schema.filter((m) => m.name !== 'stock_product');
    });
    expect(diff(removed)).toEqual([{ kind: 'model_removed', breaking: true, model: 'stock_product', version: null, message: 'stock_product was removed' }]);
    expect(diff(base, removed)).toEqual([{ kind: 'model_added', breaking: false, model: 'stock_product', version: null, message: 'stock_product was added' }]);
  });

  it('access_narrowed when a removed model became private or protected', () => {
    const removed = variant((c) => {
      c.schema = c.schema.filter((m) => m.name !== 'stock_product');
    });
    expect(diffContracts(base, removed, { narrowedAccess: { stock_product: 'private' } })).toEqual([
      { kind: 'access_narrowed', breaking: true, model: 'stock_product', version: null, after: 'private', message: 'stock_product became private' },
    ]);
  });

  it('versioning products with v2 as latest breaks unpinned consumers of product_category', () => {
    expect(diff(versioned('2'))).toEqual([
      { kind: 'column_removed', breaking: true, model: 'products', version: null, column: 'product_category', message: 'column product_category of products was removed' },
      { kind: 'version_added', breaking: false, model: 'products', version: '1', message: 'products v1 was added' },
      { kind: 'version_added', breaking: false, model: 'products', version: '2', message: 'products v2 was added' },
    ]);
  });

  it('versioning products with v1 as latest only adds versions', () => {
    const changes = diff(versioned('1'));
    expect(changes).toEqual([
      { kind: 'version_added', breaking: false, model: 'products', version: '1', message: 'products v1 was added' },
      { kind: 'version_added', breaking: false, model: 'products', version: '2', message: 'products v2 was added' },
    ]);
    expect(requiredBump(changes)).toBe('minor');
  });

  it('version_removed is breaking, and reports what the pinned consumers lose', () => {
    const before = versioned('2');
    const after = variant((c) => {
      c.schema = c.schema.filter((m) => m.version !== '1');
    }, before);
    expect(diff(after, before)).toEqual([
      { kind: 'version_removed', breaking: true, model: 'products', version: '1', message: 'products v1 was removed' },
    ]);
  });

  it('latest_version_changed is not breaking by itself; the unpinned comparison says what is lost', () => {
    expect(diff(versioned('2'), versioned('1'))).toEqual([
      { kind: 'column_removed', breaking: true, model: 'products', version: null, column: 'product_category', message: 'column product_category of products was removed' },
      { kind: 'latest_version_changed', breaking: false, model: 'products', version: null, before: '1', after: '2', message: 'latest version of products changed from 1 to 2' },
    ]);
  });

  it('pinned versions are compared one by one', () => {
    const before = versioned('2');
    const after = variant((c) => {
      model(c, 'products', '1').properties.find((p) => p.name === 'price_cents')!.physicalType = 'DECIMAL(18,2)';
      model(c, 'products', '1').deprecationDate = '2026-06-30';
    }, before);
    expect(diff(after, before)).toEqual([
      { kind: 'type_changed', breaking: true, model: 'products', version: '1', column: 'price_cents', before: 'BIGINT', after: 'DECIMAL(18,2)', message: 'type of products v1.price_cents changed from BIGINT to DECIMAL(18,2)' },
      { kind: 'deprecation_set', breaking: false, model: 'products', version: '1', after: '2026-06-30', message: 'products v1 is deprecated from 2026-06-30' },
    ]);
  });

  it('sla_changed when an SLA is added, removed or changed', () => {
    const changed = variant((c) => {
      c.slaProperties[0]!.value = 2;
      c.slaProperties.push({ property: 'retention', value: 3, unit: 'y' });
    });
    expect(diff(changed)).toEqual([
      { kind: 'sla_changed', breaking: false, model: '', version: null, after: '3 y', message: 'SLA retention was added: 3 y' },
      { kind: 'sla_changed', breaking: false, model: 'products', version: null, before: '1 d', after: '2 d', message: 'SLA freshness of products changed from 1 d to 2 d' },
    ]);
    const removed = variant((c) => {
      c.slaProperties = [];
    });
    expect(diff(removed)).toEqual([
      { kind: 'sla_changed', breaking: false, model: 'products', version: null, before: '1 d', message: 'SLA freshness of products was removed' },
    ]);
  });

  it('contract_metadata_changed for domain, status, team and description', () => {
    const after = variant((c) => {
      c.status = 'deprecated';
      c.team = { name: 'supply' };
      c.domain = 'supply';
      c.description = { ...c.description, limitations: 'Prices are list prices, before discounts.' };
    });
    const changes = diff(after);
    expect(changes.map((ch) => [ch.kind, ch.breaking, ch.model, ch.message])).toEqual([
      ['contract_metadata_changed', false, '', 'description of the contract changed'],
      ['contract_metadata_changed', false, '', 'domain of the contract changed from inventory to supply'],
      ['contract_metadata_changed', false, '', 'status of the contract changed from active to deprecated'],
      ['contract_metadata_changed', false, '', 'team of the contract changed from inventory <inventory@teddy-retailers.example> to supply'],
    ]);
  });

  it('orders breaking changes first, then by model, version and column', () => {
    const after = variant((c) => {
      column(c, 'stock_product', 'quantity').required = true;
      column(c, 'products', 'product_name').classification = 'pii';
      model(c, 'products').properties = model(c, 'products').properties.filter((p) => p.name !== 'price_cents');
      model(c, 'stock_product').properties = model(c, 'stock_product').properties.filter((p) => p.name !== 'avg_purchase_price');
    });
    expect(diff(after).map((ch) => `${ch.breaking} ${ch.model}.${ch.column}`)).toEqual([
      'true products.price_cents',
      'true stock_product.avg_purchase_price',
      'false products.product_name',
      'false stock_product.quantity',
    ]);
  });
});

describe('requiredBump', () => {
  const only = (kind: ContractChange['kind'], breaking: boolean): ContractChange[] => [{ kind, breaking, model: 'm', version: null, message: '' }];

  it('major for breaking, minor for additions and tightening, patch for the rest, none for nothing', () => {
    expect(requiredBump([])).toBe('none');
    expect(requiredBump(only('column_removed', true))).toBe('major');
    for (const kind of ['column_added', 'model_added', 'version_added', 'constraint_added', 'primary_key_added', 'required_tightened', 'unique_tightened', 'deprecation_set', 'latest_version_changed'] as const) {
      expect(requiredBump(only(kind, false)), kind).toBe('minor');
    }
    for (const kind of ['description_changed', 'classification_changed', 'sla_changed', 'contract_metadata_changed', 'deprecation_removed'] as const) {
      expect(requiredBump(only(kind, false)), kind).toBe('patch');
    }
    expect(requiredBump(diff(versioned('2')))).toBe('major');
  });
});

describe('formatChanges', () => {
  it('prints one aligned line per change', () => {
    const after = variant((c) => {
      model(c, 'products').properties = model(c, 'products').properties.filter((p) => p.name !== 'product_category');
      c.slaProperties[0]!.value = 2;
    });
    expect(formatChanges(diff(after)).split('\n')).toEqual([
      'BREAKING  column_removed  products.product_category  column product_category of products was removed',
      'ok        sla_changed     products                   SLA freshness of products changed from 1 d to 2 d',
    ]);
    expect(formatChanges(diff(versioned('1'))).split('\n')).toEqual([
      'ok  version_added  products v1  products v1 was added',
      'ok  version_added  products v2  products v2 was added',
    ]);
    expect(formatChanges([])).toBe('');
  });
});
