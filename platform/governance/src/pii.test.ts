import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelNode } from '@mesh/engine';
import { personalColumns, piiParamsFor } from './pii';

const columns = (...cols: Array<Partial<ModelNode['columns'][number]> & { name: string }>): Pick<ModelNode, 'columns'> => ({
  columns: cols.map((c) => ({ description: '', constraints: [], tags: [], meta: {}, ...c })),
});

describe('personal columns', () => {
  it('are the tagged or classified ones and those declaring a masking; without a valid masking they are nulled', () => {
    const model = columns(
      { name: 'id' },
      { name: 'email', tags: ['pii'], meta: { masking: 'hash' } },
      { name: 'phone', meta: { classification: 'pii' } },
      { name: 'note', meta: { masking: null } },
      { name: 'ssn', tags: ['pii'], meta: { masking: 'scramble' } },
    );
    expect(personalColumns(model)).toEqual([
      { column: 'email', method: 'hash' },
      { column: 'phone', method: 'null' },
      { column: 'note', method: 'null' },
      { column: 'ssn', method: 'null' },
    ]);
  });

  it('follow the tags the platform policy file sets, so publication masks what the policy check calls personal', () => {
    const repo = mkdtempSync(join(tmpdir(), 'mesh-pii-'));
    mkdirSync(join(repo, 'governance'));
    mkdirSync(join(repo, 'domains', 'shop'), { recursive: true });
    writeFileSync(join(repo, 'governance', 'policies.yml'), 'version: 1\npolicies:\n  pii-not-exposed: {severity: error, tags: [personal], classifications: [], masking: [hash]}\n');
    const params = piiParamsFor(join(repo, 'domains', 'shop'), undefined);
    expect(params.tags).toEqual(['personal']);
    expect(personalColumns(columns({ name: 'note', tags: ['personal'] }), params)).toEqual([{ column: 'note', method: 'null' }]);
    expect(personalColumns(columns({ name: 'note', tags: ['pii'] }), params)).toEqual([]);
    // Names, e-mails, phone numbers and addresses are personal by their column names, whatever the tags.
    expect(personalColumns(columns({ name: 'email' }, { name: 'billing_address' }, { name: 'last_name' }, { name: 'product_name' }, { name: 'mobile_number' }), params).map((c) => c.column))
      .toEqual(['email', 'billing_address', 'last_name', 'mobile_number']);
  });
});
