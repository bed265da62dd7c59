import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CompiledProject } from '@mesh/engine';
import { checkPolicies } from './check-policies';
import { formatFindings, type Finding } from './finding';
import { loadPolicyConfig } from './policy-config';
import { asUpstream, compileAt, copyDomainsTo, packageVersion } from './test-support';

/**
 * The Teddy Retailers domains, copied and compiled in mesh order (upstreams from the compiled
 * producers, as the loom would publish them), against the repository's global policy file.
 */
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DOMAINS = ['inventory', 'sales', 'finance'] as const;
const policies = loadPolicyConfig(REPO_ROOT);

async function findingsOf(repoRoot: string): Promise<Record<(typeof DOMAINS)[number], Finding[]>> {
  const compiled = new Map<string, CompiledProject>();
  const out = {} as Record<(typeof DOMAINS)[number], Finding[]>;
  for (const domain of DOMAINS) {
    const root = join(repoRoot, 'domains', domain);
    const upstreams = [...compiled.values()].map((p) => asUpstream(p, packageVersion(p.parsed.root)));
    const project = await compileAt(root, upstreams);
    compiled.set(domain, project);
    out[domain] = checkPolicies(project, { repoRoot, policies });
  }
  return out;
}

function edit(repoRoot: string, file: string, change: (text: string) => string): void {
  const path = join(repoRoot, file);
  writeFileSync(path, change(readFileSync(path, 'utf8')));
}

describe('the Teddy Retailers domains', () => {
  it('pass every policy', async () => {
    expect(await findingsOf(copyDomainsTo(REPO_ROOT, DOMAINS))).toEqual({ inventory: [], sales: [], finance: [] });
  });

  it('fail when sales publishes the e-mail unmasked, and warn on a silver model named for no layer', async () => {
    const repoRoot = copyDomainsTo(REPO_ROOT, DOMAINS);
    edit(repoRoot, 'domains/sales/models/gold/_gold.yml', (t) => t.replace('        tags: [pii]\n        meta: {masking: hash}\n', '        tags: [pii]\n'));
    const finance = join(repoRoot, 'domains/finance');
    renameSync(join(finance, 'models/silver/int_order_products_dates.sql'), join(finance, 'models/silver/order_products_dates.sql'));
    edit(repoRoot, 'domains/finance/models/silver/_silver.yml', (t) => t.replace('- name: int_order_products_dates', '- name: order_products_dates'));
    edit(repoRoot, 'domains/finance/models/gold/orders_cost.sql', (t) => t.replace("ref('int_order_products_dates')", "ref('order_products_dates')"));
    const found = await findingsOf(repoRoot);
    expect(found.inventory).toEqual([]);
    expect(formatFindings(found.sales)).toBe([
      "domains/sales/models/gold/_gold.yml:42  error  pii-not-exposed  column 'customer_email' of public model 'customer_summary' is personal data (tagged pii) and is not masked",
      '  hint: Declare how it is masked for other domains with meta: {masking: hash} (one of hash, redact, null) on the column, or leave the column out of the public model.',
    ].join('\n'));
    expect(formatFindings(found.finance)).toBe([
      "domains/finance/models/silver/order_products_dates.sql:1  warn  layer-naming  model 'order_products_dates' in models/silver does not start with stg_ or int_",
      '  hint: Rename it so it does (the SQL file, its properties entry and the refs to it), or move it to the layer it belongs to.',
    ].join('\n'));
  });
});
