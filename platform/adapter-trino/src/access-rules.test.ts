import { describe, expect, it } from 'vitest';
import { accessRules } from './access-rules';

interface Rules {
  catalogs: Array<{ user?: string; catalog?: string; allow: string }>;
  tables: Array<{ user?: string; catalog?: string; schema?: string; privileges: string[] }>;
}

/** Trino's rule matching: the first rule whose patterns all match the whole name decides. */
function tablePrivileges(rules: Rules, user: string, catalog: string, schema: string): string[] {
  const whole = (pattern: string | undefined, value: string) => pattern === undefined || new RegExp(`^(?:${pattern})$`).test(value);
  return rules.tables.find((r) => whole(r.user, user) && whole(r.catalog, catalog) && whole(r.schema, schema))?.privileges ?? [];
}

describe('file-based access rules for a mesh', () => {
  const rules = accessRules({ domains: [{ user: 'sales', catalog: 'sales' }, { user: 'finance', catalog: 'finance' }], readers: ['data-science'], admin: 'admin' }) as unknown as Rules;

  it('lets a domain own its catalog and read only the shares named for it elsewhere', () => {
    expect(tablePrivileges(rules, 'sales', 'sales', 'gold')).toContain('OWNERSHIP');
    expect(tablePrivileges(rules, 'finance', 'sales', 'gold')).toEqual([]);
    expect(tablePrivileges(rules, 'finance', 'sales', 'sales_share_finance_v20261201120000000')).toEqual(['SELECT']);
    expect(tablePrivileges(rules, 'finance', 'sales', 'sales_share_analysts_v1')).toEqual([]);
    expect(tablePrivileges(rules, 'finance', 'sales', 'sales_share_finance_x_v1')).toEqual([]);
    // A role's name in a schema is spelled as the loom spells it; everyone reads `_share_all_`.
    expect(tablePrivileges(rules, 'data-science', 'sales', 'sales_share_data_science_v1')).toEqual(['SELECT']);
    expect(tablePrivileges(rules, 'data-science', 'finance', 'finance_share_all_v7')).toEqual(['SELECT']);
  });

  it('gives no user but the owner (and the admin) more than read access to a catalog', () => {
    const access = (user: string, catalog: string) => rules.catalogs.find((r) => (r.user === undefined || new RegExp(`^(?:${r.user})$`).test(user)) && (r.catalog === undefined || new RegExp(`^(?:${r.catalog})$`).test(catalog)))?.allow;
    expect(access('sales', 'sales')).toBe('all');
    expect(access('finance', 'sales')).toBe('read-only');
    expect(access('admin', 'finance')).toBe('all');
    expect(access('finance', 'system')).toBeUndefined();
  });
});
