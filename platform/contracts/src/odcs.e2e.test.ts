import { cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { datacontract, requireOracle } from '@mesh/oracle';
import { copyDomains, meshTeddy, publishedFile, REPO_ROOT } from '@mesh/testing';

/**
 * Contracts judged by datacontract-cli: every released contract passes `datacontract lint` (ODCS
 * v3.1.0's JSON schema), and `datacontract test` passes against the data its servers name, as a
 * build publishes it, and fails when a rule is broken on purpose.
 */

const SUPPLIERS = join(REPO_ROOT, 'platform/loom/src/__fixtures__/mixed/suppliers');
const DOMAINS = ['inventory', 'sales', 'finance'] as const;

/** Runs SQL against a domain's contract data, as a faulty build would have written it. */
async function tamper(path: string, sql: string): Promise<void> {
  const instance = await DuckDBInstance.create(path);
  try {
    const c = await instance.connect();
    await c.run(sql);
    c.closeSync();
  } finally {
    instance.closeSync();
  }
}

const released = () => DOMAINS.flatMap((d) => readdirSync(join(REPO_ROOT, 'domains', d, 'contracts')).filter((f) => f.endsWith('.odcs.yaml')).map((f) => join(REPO_ROOT, 'domains', d, 'contracts', f)));

describe('datacontract lint', () => {
  it('passes on every released contract of the Teddy domains', () => {
    requireOracle();
    const files = released();
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const file of files) {
      const r = datacontract(['lint', file], { cwd: REPO_ROOT });
      expect(r.code, `${file}\n${r.output}`).toBe(0);
      expect(r.output).toContain('Data contract is valid against ODCS v3.1.0');
    }
  });
});

describe('datacontract test against the published data', () => {
  let root: string;
  beforeAll(() => {
    requireOracle();
    root = copyDomains(DOMAINS, 'odcs');
    cpSync(SUPPLIERS, join(root, 'suppliers'), { recursive: true });
    for (const domain of [...DOMAINS, 'suppliers']) {
      const r = meshTeddy(join(root, domain), 'build');
      if (r.code !== 0) throw new Error(`${domain} failed to build:\n${r.output}`);
    }
  }, 240_000);

  const test = (domain: string, contract: string) => datacontract(['test', contract], { cwd: join(root, domain) });
  /** The contract published with the data, in the version folder its manifest names. */
  const published = (domain: string) => publishedFile(join(root, domain), 'contract.odcs.yaml');

  it.each(DOMAINS)('%s: the released contract passes, every check run (and the published one, for inventory)', (domain) => {
    for (const contract of ['contracts/1.0.0.odcs.yaml', ...(domain === 'inventory' ? [published(domain)] : [])]) {
      const r = test(domain, contract);
      expect(r.code, r.output).toBe(0);
      expect(r.output).toContain('Data contract is valid.');
      // DuckDB servers get their types checked too: no check was skipped with a warning.
      expect(r.output).not.toMatch(/\bwarning\b/);
    }
  });

  it("suppliers, a dbt project: its accepted values, check constraint and keys as ODCS rules, passing", () => {
    const r = test('suppliers', published('suppliers'));
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/passed\s+│ Check that field country has\s+│ country/);
  });

  it('fails when a foreign key is broken: a stock row for a product the catalog does not have', async () => {
    await tamper(join(root, 'inventory', 'target', 'contract-data', 'inventory.duckdb'), 'insert into stock_product values (999, 1, 2026, 5, 100)');
    const r = test('inventory', 'contracts/1.0.0.odcs.yaml');
    expect(r.code, r.output).not.toBe(0);
    expect(r.output).toMatch(/failed/);
    expect(r.output).toMatch(/product_id/);
  });

  it('fails when an accepted value, the check constraint or a required column is broken', async () => {
    const file = join(root, 'suppliers', 'target', 'contract-data', 'suppliers.duckdb');
    const contract = published('suppliers');
    await tamper(file, "update supplier_offers set country = 'IT' where offer_id = 10");
    let r = test('suppliers', contract);
    expect(r.code, r.output).not.toBe(0);
    expect(r.output).toContain('invalid_count(country) was 1, expected = 0');
    await tamper(file, "update supplier_offers set country = 'DE'; update supplier_offers set unit_cost_cents = -5 where offer_id = 11");
    r = test('suppliers', contract);
    expect(r.code, r.output).not.toBe(0);
    expect(r.output).toMatch(/check: unit_cost_cents > 0[\s\S]*was 1, expected = 0|was 1, expected = 0[\s\S]*unit_cost_cents > 0/);
    await tamper(file, 'update supplier_offers set unit_cost_cents = 400 where offer_id = 11; update supplier_offers set offer_id = null where offer_id = 12');
    r = test('suppliers', contract);
    expect(r.code, r.output).not.toBe(0);
    expect(r.output).toContain('missing_count(offer_id) was 1, expected = 0');
  });
});
