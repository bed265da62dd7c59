import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { diffContracts } from './diff';
import { readContract } from './parse';
import { migrateRelease } from './releases';

const fixture = (name: string) => fileURLToPath(new URL(`./__fixtures__/${name}`, import.meta.url));
const DOMAINS = fileURLToPath(new URL('../../../domains', import.meta.url));

describe('contracts released before ODCS v3.1.0', () => {
  it('are read with the same promises, said as ODCS says them', () => {
    const contract = readContract(fixture('legacy/inventory-rules.odcs.yaml'));
    const products = contract.schema.find((m) => m.name === 'products')!;
    expect(products.properties.find((p) => p.name === 'product_category')!.quality).toEqual([
      { type: 'library', metric: 'invalidValues', arguments: { validValues: ['plush', 'puppet', 'figurine'] }, mustBe: 0, severity: 'warning' },
    ]);
    // A model-level relationships rule naming its column becomes that column's foreign key.
    const stock = contract.schema.find((m) => m.name === 'stock_product')!;
    expect(stock.quality).toEqual([]);
    expect(stock.properties.find((p) => p.name === 'product_id')!.relationships).toEqual([{ type: 'foreignKey', to: 'products.product_id' }]);
    expect(contract.team).toEqual({ name: 'inventory', email: 'inventory@teddy-retailers.example' });
  });

  // Every release written before ODCS, as it was released, migrated: the committed file, byte for byte.
  it.each([['inventory', '1.0.0'], ['sales', '1.0.0'], ['sales', '2.0.0'], ['finance', '1.0.0'], ['finance', '1.0.1']])('%s %s: the committed release is the legacy one migrated, promises unchanged', (domain, version) => {
    const dir = mkdtempSync(join(tmpdir(), 'contract-migrate-'));
    const path = join(dir, `${version}.odcs.yaml`);
    copyFileSync(fixture(`legacy/${domain}-${version}.odcs.yaml`), path);
    const released = join(DOMAINS, domain, 'contracts', `${version}.odcs.yaml`);
    const legacy = readContract(path);
    expect(migrateRelease({ version, path }, readContract(released).servers)).toEqual({ migrated: true, path });
    expect(readFileSync(path, 'utf8')).toBe(readFileSync(released, 'utf8'));
    expect(diffContracts(legacy, readContract(path)).filter((c) => c.message !== 'servers of the contract changed')).toEqual([]);
    // Migrating again leaves the file as it is.
    expect(migrateRelease({ version, path })).toEqual({ migrated: false, path, reason: 'already in the ODCS v3.1.0 form' });
  });
});
