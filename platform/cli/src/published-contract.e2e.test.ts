import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readContract } from '@mesh/contract';
import { datacontract, requireOracle } from '@mesh/oracle';
import { copyDomains, meshTeddy, publishedFile } from '@mesh/testing';

/** The contract published with the data says what each consumer receives; datacontract-cli judges it ODCS. */


describe('the published contract', () => {
  it('names each grantee as a role with the models it receives and how their personal columns reach it', () => {
    requireOracle();
    const root = copyDomains(['inventory', 'sales'], 'published-contract');
    for (const d of ['inventory', 'sales']) expect(meshTeddy(join(root, d), 'build').code).toBe(0);
    const file = publishedFile(join(root, 'sales'), 'contract.odcs.yaml');
    const contract = readContract(file);
    expect(contract.roles.map((r) => r.role)).toEqual(['analysts', 'finance']);
    const analysts = contract.roles.find((r) => r.role === 'analysts')!.customProperties[0]!.value;
    expect(analysts.find((m) => m.model === 'customer_summary')).toEqual({
      model: 'customer_summary',
      port: 'customer_summary',
      pii: 'masked',
      columns: [
        { name: 'customer_name', physicalType: 'VARCHAR', masking: 'hmac-sha256' },
        { name: 'customer_surname', physicalType: 'VARCHAR', masking: 'hmac-sha256' },
        { name: 'customer_email', physicalType: 'VARCHAR', masking: 'hmac-sha256' },
      ],
    });
    // Finance is granted no personal data: its models arrive as the schema describes them.
    expect(contract.roles.find((r) => r.role === 'finance')!.customProperties[0]!.value.map((m) => [m.model, m.columns])).toEqual([['order_summary', []], ['stg_order_products', []]]);
    // datacontract-cli checks the file against ODCS v3.1.0's schema: the whole published contract, roles included, passes.
    const lint = datacontract(['lint', file], { cwd: root });
    expect(lint.output).toContain('v3.1.0');
    expect(lint.output).not.toMatch(/data\.roles|roles\[/);
    expect(lint.code, lint.output).toBe(0);
  });
});
